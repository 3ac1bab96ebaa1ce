"""Noise level: Immerkaer's fast estimator with edge exclusion.

J. Immerkaer, "Fast Noise Variance Estimation", CVIU 64(2), 1996: the image is filtered with the
difference of two Laplacians ``M`` (which cancels locally linear structure); for Gaussian noise of
std ``s`` the filtered values have mean absolute value ``s * 6 * sqrt(2/pi)``.  Following Tai & Yang
(2008), pixels on strong edges (top fraction of Sobel magnitude) are excluded because image structure
would otherwise be counted as noise.

The result is in 8-bit units (0..255 scale) whatever the source bit depth.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
EDGE_EXCLUDED_FRACTION = 0.10
_MAX_SAMPLES_SIDE = 2048


def estimate_noise_sigma(gray: np.ndarray, rgb: np.ndarray | None = None) -> float:
    """Std of additive white Gaussian noise per colour channel, in 8-bit units.

    ``gray`` is the [0, 1] luma (used to find edges); with ``rgb`` given the noise is measured in
    each channel and averaged (so noise of std s added to every RGB channel reads as s), else on
    the luma itself.

    Very large images are measured on a centred crop of at most 2048x2048 pixels: noise is a
    per-pixel statistic, so a crop of 4 million samples estimates it as well as the whole frame
    (downscaling, by contrast, would average the noise away).
    """
    h, w = gray.shape
    top, left = max(0, (h - _MAX_SAMPLES_SIDE) // 2), max(0, (w - _MAX_SAMPLES_SIDE) // 2)
    crop = (slice(top, top + _MAX_SAMPLES_SIDE), slice(left, left + _MAX_SAMPLES_SIDE))
    g = gray[crop] * np.float32(255.0)
    source = g if rgb is None else rgb[crop] * np.float32(255.0)
    response = np.abs(cv2.filter2D(source, cv2.CV_32F, _IMMERKAER))[1:-1, 1:-1]
    if response.ndim == 3:
        response = response.mean(axis=2)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)[1:-1, 1:-1]
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)[1:-1, 1:-1]
    edge = np.abs(gx) + np.abs(gy)
    threshold = np.quantile(edge[:: 4, :: 4], 1.0 - EDGE_EXCLUDED_FRACTION)
    keep = edge <= threshold
    count = int(np.count_nonzero(keep))
    if count == 0:  # flat image: every pixel ties with the threshold
        keep = np.ones_like(keep)
        count = keep.size
    mean_abs = float(response[keep].sum(dtype=np.float64)) / count
    return mean_abs * math.sqrt(math.pi / 2.0) / 6.0
