"""Noise level: Immerkaer's fast estimator with edge exclusion.

J. Immerkaer, "Fast Noise Variance Estimation", CVIU 64(2), 1996: the image is filtered with the
difference of two Laplacians ``M`` (which cancels locally linear structure); for Gaussian noise of
std ``s`` the filtered values have mean absolute value ``s * 6 * sqrt(2/pi)``.  Following Tai & Yang
(2008), pixels on strong edges (top 10% of Sobel magnitude) are excluded because image structure
would otherwise be counted as noise.

Measured per RGB channel and averaged, so noise of std ``s`` added to every channel reads as ``s``;
the result is in 8-bit units (0..255 scale) whatever the source bit depth.  Textured clean photos
read 1-4 (fine texture is indistinguishable from noise for any blind estimator).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..working_image import LUMA_WEIGHTS

_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
EDGE_EXCLUDED_FRACTION = 0.10


def _signed_response(a: np.ndarray) -> np.ndarray:
    """Immerkaer response of a tile (8-bit units), border dropped -> (pixels, channels)."""
    response = cv2.filter2D(a * np.float32(255.0), cv2.CV_32F, _IMMERKAER)[1:-1, 1:-1]
    return response.reshape(-1, 1 if response.ndim == 2 else response.shape[2])


def _edge_strength(gray: np.ndarray) -> np.ndarray:
    g = gray * np.float32(255.0)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)[1:-1, 1:-1]
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)[1:-1, 1:-1]
    return (np.abs(gx) + np.abs(gy)).ravel()


def _sigma(abs_response: np.ndarray, keep: np.ndarray, count: int) -> float:
    mean_abs = float(np.dot(abs_response, keep)) / max(count, 1)
    return mean_abs * math.sqrt(math.pi / 2.0) / 6.0


@dataclass(frozen=True)
class NoiseLevels:
    """Noise std in 8-bit units: per RGB channel (the reported value), of the luma, and of the
    opponent planes rg = R - G and yb = (R + G)/2 - B (used to de-bias colourfulness)."""

    channel: float
    luma: float
    rg: float
    yb: float


def noise_levels(gray_tiles: Sequence[np.ndarray], rgb_tiles: Sequence[np.ndarray] | None = None) -> NoiseLevels:
    """Noise levels from [0, 1] luma tiles (or ``[whole_image]``) and the matching RGB tiles
    (None for a gray image: channel = luma, rg = yb = 0).  See sampling.tiles."""
    edge = np.concatenate([_edge_strength(g) for g in gray_tiles])
    if edge.size == 0:
        return NoiseLevels(0.0, 0.0, 0.0, 0.0)
    keep = (edge <= np.quantile(edge[::7], 1.0 - EDGE_EXCLUDED_FRACTION)).astype(np.float32)
    count = int(keep.sum())
    if rgb_tiles is None:
        luma_sigma = _sigma(np.abs(np.concatenate([_signed_response(g) for g in gray_tiles])[:, 0]), keep, count)
        return NoiseLevels(luma_sigma, luma_sigma, 0.0, 0.0)
    # the filter is linear: one pass over RGB gives the responses of luma and the opponent planes
    r, g, b = np.ascontiguousarray(np.concatenate([_signed_response(t) for t in rgb_tiles]).T)
    wr, wg, wb = LUMA_WEIGHTS
    channel = _sigma((np.abs(r) + np.abs(g) + np.abs(b)) / 3.0, keep, count)
    luma_sigma = _sigma(np.abs(wr * r + wg * g + wb * b), keep, count)
    rg = _sigma(np.abs(r - g), keep, count)
    yb = _sigma(np.abs(0.5 * (r + g) - b), keep, count)
    return NoiseLevels(channel, luma_sigma, rg, yb)


def estimate_noise_sigma(gray_tiles: Sequence[np.ndarray], rgb_tiles: Sequence[np.ndarray] | None = None) -> float:
    """Std of additive white Gaussian noise per colour channel, in 8-bit units (see noise_levels)."""
    return noise_levels(gray_tiles, rgb_tiles).channel
