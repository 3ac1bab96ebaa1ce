"""Tone steps on YCrCb float32 images: histogram matching, auto-levels, exposure gamma.

Each step is split into ``fit_*`` (parameters from a pixel sample: an (N, 1, 3) or HxWx3 YCrCb
array) and ``apply_*`` (the same map on any array), so the parameters tried on a sample are
exactly the ones applied to the full image.  All change luma by a monotone curve; auto-levels
scales chroma by the same gain so colours keep their saturation relative to the new contrast.

Without a reference, a low-contrast or dark photo cannot be told from a degraded one, so the
blind steps are conservative: auto-levels only acts on washed-out images (0.5-99.5 percentile luma
range below 0.35) and widens the range only to 0.45 - the narrowest any of scikit-image's clean
photos has (brick 0.45; most span 0.65-1.0), so a washed-out natural photo is never over-stretched; the
exposure gamma only acts when the image is dark (bright) *and* leaves its highlights (shadows) unused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..sampling import quantiles

_LUT_SIZE = 4096
STRETCH_LOW, STRETCH_HIGH = 0.005, 0.995  # percentiles kept inside the target range
STRETCH_TARGET = (0.02, 0.98)
MAX_STRETCH_GAIN = 4.0
MIN_STRETCH_GAIN = 1.1  # below this, leave it alone
WASHED_OUT_SPREAD = 0.35  # blind auto-levels acts when the 0.5-99.5% luma range is below this ...
NATURAL_SPREAD = 0.45  # ... and widens it to this: the narrowest range of scikit-image's photos
MIN_HISTOGRAM_DISTANCE = 0.01  # mean |quantile difference| below which histograms already match
EXPOSURE_TARGET = 0.45


def per_channel_affine(ycc: np.ndarray, maps: list[tuple[float, float]], strength: float) -> np.ndarray:
    """Blend of ycc (1 - strength) and the per-channel map c -> gain * c + offset (strength), in
    one pass (cv2.transform): `maps` holds (gain, offset) for Y, Cr, Cb."""
    m = np.zeros((3, 4), dtype=np.float64)
    for i, (gain, offset) in enumerate(maps):
        m[i, i] = 1.0 - strength + strength * gain
        m[i, 3] = strength * offset
    return cv2.transform(np.ascontiguousarray(ycc), m)


def _lut(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    grid = np.linspace(0.0, 1.0, _LUT_SIZE, dtype=np.float32)
    return np.interp(grid, xs, ys).astype(np.float32)


def _apply_lut(y: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """lut at the nearest of its _LUT_SIZE grid points to each y (y is contiguous float32)."""
    idx = cv2.multiply(y, float(_LUT_SIZE - 1))
    cv2.add(idx, 0.5, dst=idx)
    np.clip(idx, 0, _LUT_SIZE - 1, out=idx)
    return np.take(lut, idx.astype(np.int32))


# --- histogram matching (needs the reference's luma quantiles) -----------------------------


def fit_histogram_match(sample: np.ndarray, ref_quantiles: np.ndarray) -> np.ndarray | None:
    """Lookup table mapping the sample's luma distribution onto the reference's; None when the two
    already agree (Wasserstein-1 distance, the mean |quantile difference|, below 0.01)."""
    probs = (np.arange(ref_quantiles.size) + 0.5) / ref_quantiles.size
    own = quantiles(sample[..., 0], probs)
    if float(np.mean(np.abs(own - ref_quantiles))) < MIN_HISTOGRAM_DISTANCE:
        return None
    own = own + np.arange(own.size) * 1e-7  # strictly increasing for interpolation
    return _lut(own, ref_quantiles)


def apply_curve(ycc: np.ndarray, lut: np.ndarray, strength: float) -> np.ndarray:
    """Apply a luma lookup table (from fit_histogram_match / fit_exposure)."""
    y = np.ascontiguousarray(ycc[..., 0])
    mapped = _apply_lut(y, lut)
    out = ycc.copy()
    out[..., 0] = mapped if strength >= 1.0 else cv2.addWeighted(y, 1.0 - strength, mapped, strength, 0.0)
    return out


# --- blind auto-levels ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    gain: float
    luma_mean: float
    chroma_means: tuple[float, float]


def fit_auto_levels(sample: np.ndarray) -> Stretch | None:
    """Gain about the mean for a washed-out image (None when not needed).

    The mean luma is kept (exposure is a separate step); the gain is capped so the 0.5/99.5
    percentiles stay inside [0.02, 0.98].
    """
    y = sample[..., 0]
    lo, hi = (float(v) for v in np.quantile(y, [STRETCH_LOW, STRETCH_HIGH]))
    mean = float(y.mean())
    t_lo, t_hi = STRETCH_TARGET
    spread = hi - lo
    if spread <= 1e-6 or spread >= WASHED_OUT_SPREAD:
        return None
    caps = [NATURAL_SPREAD / spread, MAX_STRETCH_GAIN]
    if hi > mean:
        caps.append((t_hi - mean) / (hi - mean))
    if mean > lo:
        caps.append((mean - t_lo) / (mean - lo))
    gain = min(caps)
    if gain < MIN_STRETCH_GAIN:
        return None
    return Stretch(gain, mean, (float(sample[..., 1].mean()), float(sample[..., 2].mean())))


def apply_auto_levels(ycc: np.ndarray, p: Stretch, strength: float) -> np.ndarray:
    """Stretch luma and chroma about their means by p.gain."""
    means = (p.luma_mean, *p.chroma_means)
    return per_channel_affine(ycc, [(p.gain, m * (1.0 - p.gain)) for m in means], strength)


# --- blind exposure ---------------------------------------------------------------------------


def exposure_gamma(mean_luma: float, low: float, high: float) -> float:
    """Gamma moving the mean luma to 0.45, for an image that is dark with no highlights
    (mean < 0.2, 99.5th percentile < 0.6) or bright with no shadows (mean > 0.75, 0.5th
    percentile > 0.4); 1.0 otherwise."""
    if not 0.0 < mean_luma < 1.0:
        return 1.0
    dark = mean_luma < 0.2 and high < 0.6
    bright = mean_luma > 0.75 and low > 0.4
    if not (dark or bright):
        return 1.0
    return math.log(EXPOSURE_TARGET) / math.log(mean_luma)


def fit_exposure(sample: np.ndarray) -> np.ndarray | None:
    """Gamma lookup table for an under- or overexposed image (None when exposure is fine)."""
    y = sample[..., 0]
    low, high = np.quantile(y, [STRETCH_LOW, STRETCH_HIGH])
    gamma = exposure_gamma(float(y.mean()), float(low), float(high))
    if gamma == 1.0:
        return None
    xs = np.linspace(0.0, 1.0, 257)
    return _lut(xs, xs**gamma)
