"""Tone steps on YCrCb float32 images: histogram matching, auto-levels, exposure gamma.

All three change luma by a monotone curve; the two linear ones scale chroma by the same gain so
colours keep their saturation relative to the new contrast (equivalent to an affine map in RGB).
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
MIN_STRETCH_GAIN = 1.25  # below this the contrast is fine: leave it alone
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


def stretch_params(y: np.ndarray) -> tuple[float, float]:
    """(gain, offset) of the auto-levels map y -> gain * y + offset (gain 1 when not needed)."""
    lo, hi = np.quantile(strided(y), [STRETCH_LOW, STRETCH_HIGH])
    spread = float(hi - lo)
    t_lo, t_hi = STRETCH_TARGET
    if spread <= 1e-6:
        return 1.0, 0.0
    gain = min((t_hi - t_lo) / spread, MAX_STRETCH_GAIN)
    if gain < MIN_STRETCH_GAIN:
        return 1.0, 0.0
    centre_in, centre_out = (lo + hi) / 2.0, (t_lo + t_hi) / 2.0
    return gain, centre_out - gain * centre_in


def auto_levels(ycc: np.ndarray, strength: float) -> np.ndarray:
    """Stretch luma (and chroma around neutral) so its 0.5-99.5% range fills [0.02, 0.98]."""
    gain, offset = stretch_params(ycc[..., 0])
    if gain == 1.0:
        return ycc
    out = ycc.copy()
    out[..., 0] = ycc[..., 0] * gain + offset
    out[..., 1:] = (ycc[..., 1:] - 0.5) * gain + 0.5
    return _blend(ycc, out, strength)


def exposure_gamma(mean_luma: float) -> float:
    """Gamma that moves a mean luma outside [0.3, 0.6] to 0.45 (1.0 when inside)."""
    if 0.3 <= mean_luma <= 0.6 or not 0.0 < mean_luma < 1.0:
        return 1.0
    return math.log(EXPOSURE_TARGET) / math.log(mean_luma)


def correct_exposure(ycc: np.ndarray, strength: float) -> np.ndarray:
    """Gamma-correct luma of an under- or overexposed image toward mean 0.45."""
    gamma = exposure_gamma(float(np.mean(strided(ycc[..., 0]))))
    if gamma == 1.0:
        return ycc
    xs = np.linspace(0.0, 1.0, 257)
    out = ycc.copy()
    out[..., 0] = _apply_curve(np.clip(ycc[..., 0], 0.0, 1.0), xs, xs**gamma)
    return _blend(ycc, out, strength)
