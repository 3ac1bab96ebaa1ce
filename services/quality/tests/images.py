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
