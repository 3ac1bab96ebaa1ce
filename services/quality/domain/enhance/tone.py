"""Tone steps on YCrCb float32 images: histogram matching, auto-levels, exposure gamma.

All three change luma by a monotone curve; auto-levels scales chroma by the same gain so colours
keep their saturation relative to the new contrast (equivalent to an affine map in RGB).

Without a reference, a low-contrast or dark photo cannot be told from a degraded one, so the
blind steps are conservative: auto-levels only acts on clearly flat images (RMS contrast below
0.08) and stops at a modest RMS contrast of 0.16; the exposure gamma only acts when the image is
dark (bright) *and* leaves its highlights (shadows) unused.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..sampling import strided

_LUT_SIZE = 4096
STRETCH_LOW, STRETCH_HIGH = 0.005, 0.995  # percentiles mapped to the target range
STRETCH_TARGET = (0.02, 0.98)
MAX_STRETCH_GAIN = 4.0
MIN_STRETCH_GAIN = 1.1  # below this, leave it alone
FLAT_CONTRAST = 0.08  # blind auto-levels acts below this RMS contrast ...
TARGET_CONTRAST = 0.16  # ... and brings it up to at most this
EXPOSURE_TARGET = 0.45


def _apply_curve(y: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Apply the monotone curve (xs -> ys) to luma through a 4096-entry lookup table."""
    grid = np.linspace(0.0, 1.0, _LUT_SIZE, dtype=np.float32)
    lut = np.interp(grid, xs, ys).astype(np.float32)
    idx = np.clip(y * (_LUT_SIZE - 1) + 0.5, 0, _LUT_SIZE - 1).astype(np.int32)
    return lut[idx]


def _blend(ycc: np.ndarray, out: np.ndarray, strength: float) -> np.ndarray:
    return out if strength >= 1.0 else cv2.addWeighted(ycc, 1.0 - strength, out, strength, 0.0)


def match_luma_histogram(ycc: np.ndarray, ref_quantiles: np.ndarray, strength: float) -> np.ndarray:
    """Map luma so its histogram matches the reference's (given as quantiles)."""
    probs = (np.arange(ref_quantiles.size) + 0.5) / ref_quantiles.size
    own = np.quantile(strided(ycc[..., 0]), probs)
    own = own + np.arange(own.size) * 1e-7  # strictly increasing for interpolation
    out = ycc.copy()
    out[..., 0] = _apply_curve(ycc[..., 0], own, ref_quantiles)
    return _blend(ycc, out, strength)


def stretch_params(y: np.ndarray, contrast: float) -> tuple[float, float]:
    """(gain, mean) of the auto-levels map y -> mean + gain * (y - mean); gain 1 when not needed.

    contrast: the image's (noise-compensated) RMS contrast.  The mean luma is kept (exposure is
    a separate step); the gain is capped so the 0.5/99.5 percentiles stay inside [0.02, 0.98].
    """
    sample = strided(y)
    lo, hi = (float(v) for v in np.quantile(sample, [STRETCH_LOW, STRETCH_HIGH]))
    mean = float(sample.mean())
    t_lo, t_hi = STRETCH_TARGET
    if hi - lo <= 1e-6 or contrast >= FLAT_CONTRAST or contrast <= 0.0:
        return 1.0, mean
    caps = [TARGET_CONTRAST / contrast, MAX_STRETCH_GAIN]
    if hi > mean:
        caps.append((t_hi - mean) / (hi - mean))
    if mean > lo:
        caps.append((mean - t_lo) / (mean - lo))
    gain = min(caps)
    if gain < MIN_STRETCH_GAIN:
        return 1.0, mean
    return gain, mean


def auto_levels(ycc: np.ndarray, strength: float, contrast: float) -> np.ndarray:
    """Stretch luma (and chroma, around their means) of a flat image; see stretch_params."""
    gain, mean = stretch_params(ycc[..., 0], contrast)
    if gain == 1.0:
        return ycc
    out = ycc.copy()
    out[..., 0] = (ycc[..., 0] - mean) * gain + mean
    for c in (1, 2):
        c_mean = float(strided(ycc[..., c]).mean())
        out[..., c] = (ycc[..., c] - c_mean) * gain + c_mean
    return _blend(ycc, out, strength)


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


def correct_exposure(ycc: np.ndarray, strength: float) -> np.ndarray:
    """Gamma-correct luma of an under- or overexposed image toward mean 0.45."""
    sample = strided(ycc[..., 0])
    low, high = np.quantile(sample, [STRETCH_LOW, STRETCH_HIGH])
    gamma = exposure_gamma(float(np.mean(sample)), float(low), float(high))
    if gamma == 1.0:
        return ycc
    xs = np.linspace(0.0, 1.0, 257)
    out = ycc.copy()
    out[..., 0] = _apply_curve(np.clip(ycc[..., 0], 0.0, 1.0), xs, xs**gamma)
    return _blend(ycc, out, strength)
