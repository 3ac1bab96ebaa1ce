"""Sharpness: RMS of the Laplacian, with the part explained by noise removed.

The 4-neighbour Laplacian responds to fine detail (edges lose it first when blurred) and also to
noise: white noise of std ``s`` adds ``20 s^2`` to the Laplacian's variance (20 = sum of the squared
kernel taps).  Subtracting that share keeps a noisy image from reading as "sharp".

Result in 8-bit units (gray scaled to 0..255); 0 for a flat image.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

_LAPLACIAN_TAP_ENERGY = 20.0


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of a [0, 1] image, in 8-bit units squared."""
    lap = cv2.Laplacian(gray, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT)[1:-1, 1:-1]
    mean, std = cv2.meanStdDev(lap)
    return float(std[0, 0]) ** 2 * 255.0**2


def sharpness(gray: np.ndarray, noise_sigma: float = 0.0) -> float:
    """Noise-compensated RMS Laplacian (8-bit units). ``noise_sigma`` in 8-bit units."""
    detail = laplacian_variance(gray) - _LAPLACIAN_TAP_ENERGY * float(noise_sigma) ** 2
    return math.sqrt(max(detail, 0.0))
