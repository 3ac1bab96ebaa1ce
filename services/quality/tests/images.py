"""Test images: real photos from scikit-image and degraded versions with known parameters."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import skimage.data


@functools.cache
def photo(name: str) -> np.ndarray:
    img = getattr(skimage.data, name)()
    img.setflags(write=False)
    return img


def add_noise(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0.0, sigma, img.shape), 0, 255).round().astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def flat(value: int = 128, shape: tuple[int, ...] = (128, 128)) -> np.ndarray:
    return np.full(shape, value, dtype=np.uint8)


@functools.cache
def star_field(seed: int = 0) -> np.ndarray:
    """A synthetic deep-sky frame: mostly near-black, thousands of small coloured stars, faint
    galaxies and sensor noise (sigma 3) - like scikit-image's hubble_deep_field."""
    rng = np.random.default_rng(seed)
    h, w = 600, 700
    img = np.zeros((h, w, 3), np.float32)
    n = 2500
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    amp = rng.pareto(1.2, n) * 240 + 80
    colour = rng.uniform(0.6, 1.0, (n, 3))
    np.add.at(img, (ys, xs), amp[:, None] * colour)
    img = cv2.GaussianBlur(img, (0, 0), 0.8)
    for _ in range(60):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(4, 14)), int(rng.integers(2, 8)))
        tint = tuple(float(v) for v in rng.uniform(15, 45, 3))
        cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, tint, -1)
    img = cv2.GaussianBlur(img, (0, 0), 0.6) + 12 + rng.normal(0, 3.0, img.shape)
    out = np.clip(img, 0, 255).round().astype(np.uint8)
    out.setflags(write=False)
    return out
