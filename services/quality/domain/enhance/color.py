"""Colour step: move the chroma statistics (mean, std of Cr and Cb) toward the reference's.

Reinhard et al. (2001) colour transfer restricted to chroma: per plane, c' = mu_r + (c - mu) *
std_r / std.  Only the reference's statistics are used, never its pixels.  ``fit_chroma_transfer``
takes the statistics from a pixel sample; ``apply_chroma_transfer`` applies them to any array.
Without a reference, ``fit_chroma_restore`` gives the chroma gain that wins back the colourfulness
denoising took (same map, applied the same way).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .tone import per_channel_affine

MAX_CHROMA_GAIN = 3.0
MAX_RESTORE_GAIN = 2.0

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


def fit_chroma_restore(sample: np.ndarray, target: float, current: float) -> ChromaMap | None:
    """Chroma gain about the mean taking the colourfulness `current` back up to `target` (both
    Hasler-Suesstrunk M, noise-corrected, as measure() reports them); None when nothing was lost
    (gain below 1.01).

    Without a reference: denoising smooths colour variations below the noise level away, so the
    denoised image reads less colourful than the noisy one was measured to be (its noise-corrected
    colourfulness estimates the clean image's).  Scaling both chroma planes about their means by g
    scales the opponent planes' spread by g and keeps their means, so M - 0.3 |mean| scales by g.
    """
    mean = sample.reshape(-1, 3).mean(axis=0, dtype=np.float64).astype(np.float32)
    r, g, b = cv2.cvtColor(mean.reshape(1, 1, 3), cv2.COLOR_YCrCb2RGB).reshape(3) * 255.0
    base = 0.3 * math.hypot(float(r - g), float(0.5 * (r + g) - b))  # the mean-chroma part of M
    if current - base <= 1e-6:
        return None
    gain = min((target - base) / (current - base), MAX_RESTORE_GAIN)
    if gain < 1.01:
        return None
    cr, cb = float(mean[1]), float(mean[2])
    return (cr, gain, cr), (cb, gain, cb)


def apply_chroma_transfer(ycc: np.ndarray, p: ChromaMap, strength: float) -> np.ndarray:
    """Apply a fitted chroma transfer (or restore) to a float32 YCrCb array."""
    maps = [(1.0, 0.0)] + [(gain, target - mean * gain) for mean, gain, target in p]
    return per_channel_affine(ycc, maps, strength)
