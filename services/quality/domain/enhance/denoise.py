"""Denoising step: edge-preserving bilateral filtering in YCrCb.

Luma is filtered at full resolution with a range sigma proportional to the noise to remove; the
chroma planes (where natural images carry little detail and independent RGB noise puts most of its
energy) are filtered at half resolution and upsampled, which is 4x cheaper and smooths more.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

LUMA_RANGE_FACTOR = 2.0  # bilateral range sigma = factor * per-channel noise sigma
CHROMA_RANGE_FACTOR = 1.0
SPATIAL_SIGMA = 2.0
DIAMETER = 5


def noise_to_remove(sigma: float, target: float) -> float:
    """Noise std (8-bit units) to take out so that `sigma` comes down to `target` (quadrature)."""
    return math.sqrt(max(sigma * sigma - target * target, 0.0))


def _bilateral(plane: np.ndarray, range_sigma: float) -> np.ndarray:
    return cv2.bilateralFilter(np.ascontiguousarray(plane), DIAMETER, range_sigma, SPATIAL_SIGMA)


def denoise(ycc: np.ndarray, sigma: float, strength: float, *, is_grayscale: bool) -> np.ndarray:
    """Remove noise of std `sigma` (8-bit units, per RGB channel) from a float32 YCrCb image.

    strength in [0, 1] blends between the input (0) and the fully denoised result (1).
    """
    if strength <= 0.0 or sigma <= 0.0:
        return ycc
    s = sigma / 255.0
    out = ycc.copy()
    out[..., 0] = _bilateral(ycc[..., 0], LUMA_RANGE_FACTOR * s)
    if not is_grayscale:
        h, w = ycc.shape[:2]
        small = cv2.resize(ycc[..., 1:], (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
        for c in range(2):
            small[..., c] = _bilateral(small[..., c], CHROMA_RANGE_FACTOR * s)
        out[..., 1:] = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if strength < 1.0:
        out = cv2.addWeighted(ycc, 1.0 - strength, out, strength, 0.0)
    return out
