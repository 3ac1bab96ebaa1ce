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
    return cv2.bilateralFilter(plane, DIAMETER, range_sigma, SPATIAL_SIGMA)


def denoise(ycc: np.ndarray, sigma: float, strength: float, *, is_grayscale: bool) -> np.ndarray:
    """Remove noise of std `sigma` (8-bit units, per RGB channel) from a float32 YCrCb image.

    strength in [0, 1] blends between the input (0) and the fully denoised result (1).
    """
    if strength <= 0.0 or sigma <= 0.0:
        return ycc
    s = sigma / 255.0
    y, cr, cb = (np.ascontiguousarray(ycc[..., c]) for c in range(3))  # (cv2.split is slower)
    planes = [_bilateral(y, LUMA_RANGE_FACTOR * s), cr, cb]
    if not is_grayscale:
        h, w = ycc.shape[:2]
        half = (max(1, w // 2), max(1, h // 2))
        for c in (1, 2):
            small = _bilateral(cv2.resize(planes[c], half, interpolation=cv2.INTER_AREA), CHROMA_RANGE_FACTOR * s)
            planes[c] = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.merge(planes)
    if strength < 1.0:
        out = cv2.addWeighted(ycc, 1.0 - strength, out, strength, 0.0)
    return out
