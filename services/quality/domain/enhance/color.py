"""Colour step: move the chroma statistics (mean, std of Cr and Cb) toward the reference's.

Reinhard et al. (2001) colour transfer restricted to chroma: per plane, c' = mu_r + (c - mu) *
std_r / std.  Only the reference's statistics are used, never its pixels.  ``fit_chroma_transfer``
takes the statistics from a pixel sample; ``apply_chroma_transfer`` applies them to any array.
"""

from __future__ import annotations

import numpy as np

from .tone import per_channel_affine

MAX_CHROMA_GAIN = 3.0

ChromaMap = tuple[tuple[float, float, float], tuple[float, float, float]]  # (mean, gain, target mean)


def fit_chroma_transfer(
    sample: np.ndarray, ref_mean: tuple[float, float], ref_std: tuple[float, float]
) -> ChromaMap | None:
    """Per-plane (mean, gain, target mean); None when the statistics already agree
    (means within 0.004, stds within 5%)."""
    planes = []
    for i in range(2):
        c = sample[..., 1 + i]
        mean, std = float(c.mean()), float(c.std())
        gain = min(ref_std[i] / std, MAX_CHROMA_GAIN) if std > 1e-6 else 1.0
        planes.append((mean, gain, ref_mean[i]))
    if all(abs(m - t) < 0.004 and abs(g - 1.0) < 0.05 for m, g, t in planes):
        return None
    return planes[0], planes[1]


def apply_chroma_transfer(ycc: np.ndarray, p: ChromaMap, strength: float) -> np.ndarray:
    """Apply a fitted chroma transfer to a float32 YCrCb array."""
    maps = [(1.0, 0.0)] + [(gain, target - mean * gain) for mean, gain, target in p]
    return per_channel_affine(ycc, maps, strength)
