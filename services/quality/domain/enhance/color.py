"""Colour step: move the chroma statistics (mean, std of Cr and Cb) toward the reference's.

Reinhard et al. (2001) colour transfer restricted to chroma: per plane, c' = mu_r + (c - mu) *
std_r / std.  Only the reference's statistics are used, never its pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..sampling import strided

MAX_CHROMA_GAIN = 3.0


def transfer_chroma(
    ycc: np.ndarray, ref_mean: tuple[float, float], ref_std: tuple[float, float], strength: float
) -> np.ndarray:
    """Match the (Cr, Cb) mean and std of a float32 YCrCb image to the given reference values.

    Returns the input itself when the statistics already agree (means within 0.002, stds within 2%).
    """
    stats = []
    for i in range(2):
        sample = strided(ycc[..., 1 + i])
        mean, std = float(sample.mean()), float(sample.std())
        gain = min(ref_std[i] / std, MAX_CHROMA_GAIN) if std > 1e-6 else 1.0
        stats.append((mean, gain))
    if all(abs(m - ref_mean[i]) < 0.002 and abs(g - 1.0) < 0.02 for i, (m, g) in enumerate(stats)):
        return ycc
    out = ycc.copy()
    for i, (mean, gain) in enumerate(stats):
        out[..., 1 + i] = (ycc[..., 1 + i] - mean) * gain + ref_mean[i]
    return out if strength >= 1.0 else cv2.addWeighted(ycc, 1.0 - strength, out, strength, 0.0)
