"""Contrast: RMS contrast (std of luma) and the robust 1-99 percentile spread."""

from __future__ import annotations

import math

import cv2
import numpy as np


def rms_contrast(gray: np.ndarray, noise_sigma: float = 0.0) -> float:
    """Standard deviation of the [0, 1] luma (Peli's RMS contrast); 0 for a flat image.

    ``noise_sigma`` (luma noise, 8-bit units) removes the variance noise adds, so noise does not
    read as contrast.  0 gives the plain metric.
    """
    _, std = cv2.meanStdDev(gray)
    var = float(std[0, 0]) ** 2 - (float(noise_sigma) / 255.0) ** 2
    return math.sqrt(max(var, 0.0))


def percentile_spread(gray: np.ndarray, low: float = 1.0, high: float = 99.0) -> float:
    """Luma range between two percentiles (ignores a few outlier pixels), from a 1024-bin histogram."""
    hist = cv2.calcHist([gray], [0], None, [1024], [0.0, 1.0 + 1e-6]).ravel()
    cdf = np.cumsum(hist) / max(hist.sum(), 1.0)
    lo = np.searchsorted(cdf, low / 100.0) / 1024.0
    hi = np.searchsorted(cdf, high / 100.0) / 1024.0
    return float(max(hi - lo, 0.0))
