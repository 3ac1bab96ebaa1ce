"""Sharpness: RMS of the Laplacian, with the part explained by noise removed.

The 4-neighbour Laplacian responds to fine detail (edges lose it first when blurred) and also to
noise: white noise of std ``s`` adds ``20 s^2`` to the Laplacian's variance (20 = sum of the squared
kernel taps).  Subtracting that share keeps a noisy image from reading as "sharp".

Result in 8-bit units (luma scaled to 0..255); 0 for a flat image.  Measured at native resolution
(on the tiles of sampling.tiles for large images), so it depends on the pixel scale: compare
images at the same size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

_LAPLACIAN_TAP_ENERGY = 20.0


def laplacian_energy(gray_tiles: Sequence[np.ndarray]) -> float:
    """Variance of the 4-neighbour Laplacian over [0, 1] luma tiles, in 8-bit units squared."""
    total = total_sq = 0.0
    n = 0
    for tile in gray_tiles:
        lap = cv2.Laplacian(tile, cv2.CV_32F, ksize=1)[1:-1, 1:-1]
        total += float(lap.sum(dtype=np.float64))
        total_sq += float(np.dot(lap.ravel(), lap.ravel()))
        n += lap.size
    if n == 0:
        return 0.0
    mean = total / n
    return max(total_sq / n - mean * mean, 0.0) * 255.0**2


def sharpness(gray_tiles: Sequence[np.ndarray], noise_sigma: float = 0.0) -> float:
    """Noise-compensated RMS Laplacian (8-bit units). ``noise_sigma`` in 8-bit units."""
    detail = laplacian_energy(gray_tiles) - _LAPLACIAN_TAP_ENERGY * float(noise_sigma) ** 2
    return math.sqrt(max(detail, 0.0))
