"""Tone and colour operations on float32 images in 0..1."""

from __future__ import annotations

import cv2
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Grey (float32 0..1 or uint8, as given) from RGB."""
    if rgb.ndim == 2:
        return rgb
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def saturate(rgb: np.ndarray, amount: float) -> np.ndarray:
    """Scale chroma around the luminance (0 = grey, 1 = unchanged)."""
    grey = luminance(rgb)[..., None]
    return np.clip(grey + (rgb - grey) * np.float32(amount), 0.0, 1.0)


def levels(x: np.ndarray, black: float, white: float, gamma: float = 1.0) -> np.ndarray:
    """Map [black, white] to [0, 1] then apply `gamma` (> 1 darkens)."""
    y = np.clip((x - black) / max(white - black, 1e-6), 0.0, 1.0)
    return y if gamma == 1.0 else np.power(y, np.float32(gamma))


def smoothstep(edge0: float | np.ndarray, edge1: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0 + 1e-6), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def grey_to_rgb(grey: np.ndarray, paper_rgb: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> np.ndarray:
    """Grey ink density (1 = untouched paper) laid on paper of the given colour."""
    return grey[..., None] * np.asarray(paper_rgb, np.float32)


def quantize(x: np.ndarray, count: int, softness: float = 0.0) -> np.ndarray:
    """Snap values in 0..1 to `count` levels; `softness` > 0 rounds the steps off."""
    n = max(count - 1, 1)
    scaled = x * n
    base = np.floor(scaled)
    frac = scaled - base
    if softness > 0:
        frac = smoothstep(0.5 - softness / 2, 0.5 + softness / 2, frac)
    else:
        frac = (frac >= 0.5).astype(np.float32)
    return np.clip((base + frac) / n, 0.0, 1.0)


def to_uint8(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.uint8:
        return x
    return np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)
