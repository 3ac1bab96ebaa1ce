"""Sharpening step: unsharp masking of luma, with the amount chosen to reach a target sharpness.

The amount is searched over a short ladder, measuring the service's own (noise-compensated)
sharpness on the same tiles the assessment uses, and the smallest amount reaching the target
is taken.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..metrics.noise import noise_levels
from ..metrics.sharpness import sharpness

RADIUS = 1.2
AMOUNTS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5)


def unsharp(y: np.ndarray, amount: float) -> np.ndarray:
    """y + amount * (y - gaussian(y, RADIUS))."""
    blurred = cv2.GaussianBlur(y, (0, 0), RADIUS)
    return cv2.addWeighted(y, 1.0 + amount, blurred, -amount, 0.0)


def _tile_sharpness(ts: list[np.ndarray]) -> float:
    return sharpness(ts, noise_levels(ts).luma)


def choose_amount(y_tiles: list[np.ndarray], current: float, target: float) -> float:
    """Smallest amount taking the image's sharpness `current` (as the assessment measured it) to
    `target` (the largest tried if none does); 0 when it is already there.

    The gain of each amount is measured on luma tiles (see sampling.tiles) and applied to `current`
    as a ratio, so
    the small difference between YCrCb luma and the assessment's Rec. 709 luma does not matter.
    """
    if current >= target:
        return 0.0
    ts = [np.ascontiguousarray(t) for t in y_tiles]
    base = _tile_sharpness(ts)
    if base <= 0.0:
        return 0.0
    for amount in AMOUNTS:
        if current * _tile_sharpness([unsharp(t, amount) for t in ts]) / base >= target:
            return amount
    return AMOUNTS[-1]


def sharpen(ycc: np.ndarray, amount: float) -> np.ndarray:
    """Unsharp-mask the luma plane of a float32 YCrCb image."""
    if amount <= 0.0:
        return ycc
    y = np.ascontiguousarray(ycc[..., 0])
    sharp = unsharp(y, amount)
    # overshoot must not clip pixels that were not clipped: keep them inside (1.5, 253.5) / 255
    np.maximum(sharp, np.minimum(y, np.float32(1.5 / 255.0)), out=sharp)
    np.minimum(sharp, np.maximum(y, np.float32(253.5 / 255.0)), out=sharp)
    out = ycc.copy()
    out[..., 0] = sharp
    return out
