"""Sharpening step: cored unsharp masking of luma, with the amount chosen from a target sharpness.

Coring: detail (luma minus its Gaussian blur) within half an 8-bit grey level - the rounding step
of an 8-bit image - is not amplified: it cannot be told from quantisation and noise, and
amplifying it is what the noise estimator reads as more noise (on a dark star field or the flat
moon, plain unsharp masking of a blurred image "worsened" the noise score by about a point and was
refused).  On the tuning photos a 0.5 grey-level threshold costs less PSNR than 1 grey level.

Two ways to pick the amount:

- ``choose_amount`` (blind, or after denoising): the smallest amount on a ladder whose measured
  sharpness - the service's own noise-compensated metric on the measurement tiles - reaches the
  target.
- ``deblur_amount`` (a same-size reference, no denoising): treat the sharpness deficit as a
  Gaussian blur and undo it.  Reaching the reference's sharpness itself would over-sharpen: the
  sharpness metric sits near the finest scale, which a blur removes and an unsharp mask cannot
  bring back without overshooting at coarser scales.  Instead the blur is measured: blurring the
  candidate once more by a known variance shows how fast its sharpness falls with blur; on photos
  1/sharpness grows about linearly with the blur variance (1/sharpness ~ (1 + sigma_b^2) / s_0 at
  native resolution, flatter on smooth or upscaled frames - which is why the slope is measured,
  not assumed), so extrapolating back to the reference's sharpness gives the blur variance
  sigma_b^2 the candidate went through.  The amount is DEBLUR_PER_VARIANCE * sigma_b^2 (about the
  PSNR-optimal amount of the radius-1.2 mask on the tuning photos: 1.5-2 for sigma_b 1, 3-4 for
  sigma_b 1.5), capped at MAX_AMOUNT.
"""

from __future__ import annotations

import cv2
import numpy as np

from imagemesh_kit import native

from ..metrics.noise import noise_levels
from ..metrics.sharpness import sharpness

RADIUS = 1.2
CORING = 0.5 / 255.0  # detail within the 8-bit rounding step (+-0.5 grey level) is not amplified
AMOUNTS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
MAX_AMOUNT = AMOUNTS[-1]
PROBE_VARIANCE = 1.0  # extra Gaussian blur (variance, px^2) used to measure how sharpness falls with blur
DEBLUR_PER_VARIANCE = 1.5  # unsharp amount per px^2 of estimated blur variance
MIN_DEBLUR_AMOUNT = AMOUNTS[0]  # below: a blur under ~0.4 px, within the estimate's own error


def _cored_unsharp(y: np.ndarray, amount: float) -> tuple[np.ndarray, np.ndarray]:
    """(y + amount * coring(y - gaussian(y, RADIUS)), a scratch buffer of y's shape)."""
    scratch = cv2.GaussianBlur(y, (0, 0), RADIUS)
    out = cv2.subtract(y, scratch)
    np.clip(out, -CORING, CORING, out=scratch)
    cv2.subtract(out, scratch, dst=out)
    cv2.scaleAdd(out, float(amount), y, dst=out)
    return out, scratch


def unsharp(y: np.ndarray, amount: float) -> np.ndarray:
    """y + amount * coring(y - gaussian(y, RADIUS)): detail within +-CORING is left as it is, larger
    detail is amplified by its excess over CORING (soft threshold)."""
    return _cored_unsharp(y, amount)[0]


def _tile_sharpness(ts: list[np.ndarray]) -> float:
    return sharpness(ts, noise_levels(ts).luma)


def choose_amount(y_tiles: list[np.ndarray], current: float, target: float) -> float:
    """Smallest amount taking the image's sharpness `current` (as the assessment measured it) to
    `target` (the largest tried if none does); 0 when it is already there.

    The gain of each amount is measured on luma tiles (see sampling.tiles) and applied to `current`
    as a ratio, so the small difference between YCrCb luma and the assessment's Rec. 709 luma does
    not matter.  Sharpness grows with the amount, so the ladder is searched by bisection - after
    trying the smallest amount alone, the most common answer after denoising (a quarter to a third of
    the calls in bench/quality_psnr_gain.py): 1 trial then, 4 otherwise (bisection alone: 3-4).
    """
    if current >= target:
        return 0.0
    ts = [np.ascontiguousarray(t) for t in y_tiles]
    base = _tile_sharpness(ts)
    if base <= 0.0:
        return 0.0

    def reaches(i: int) -> bool:
        return current * _tile_sharpness([unsharp(t, AMOUNTS[i]) for t in ts]) / base >= target

    if reaches(0):
        return AMOUNTS[0]
    lo, hi = 1, len(AMOUNTS) - 1  # the answer is AMOUNTS[hi] unless a smaller one reaches the target
    while lo < hi:
        mid = (lo + hi) // 2
        if reaches(mid):
            hi = mid
        else:
            lo = mid + 1
    return AMOUNTS[hi]


def blur_variance(y_tiles: list[np.ndarray], current: float, target: float) -> float:
    """Variance (px^2) of the Gaussian blur that takes sharpness `target` down to `current`.

    Measured on the luma tiles: blurring them by PROBE_VARIANCE more gives the slope of
    1/sharpness against blur variance, and the line through `current` is extrapolated back to
    `target`.  0 when the image is at least as sharp, or blurring does not lower its sharpness.
    """
    if current <= 0.0 or current >= target:
        return 0.0
    ts = [np.ascontiguousarray(t) for t in y_tiles]
    base = _tile_sharpness(ts)
    sd = float(np.sqrt(PROBE_VARIANCE))
    probe = _tile_sharpness([cv2.GaussianBlur(t, (0, 0), sd, borderType=cv2.BORDER_REFLECT) for t in ts])
    if base <= 0.0 or probe <= 0.0 or probe >= base:
        return 0.0
    slope = (base / probe - 1.0) / (current * PROBE_VARIANCE)  # d(1/sharpness) / d(variance)
    return (1.0 / current - 1.0 / target) / slope


def deblur_amount(y_tiles: list[np.ndarray], current: float, target: float) -> float:
    """Unsharp amount undoing the Gaussian blur that explains `current` < `target` (see module)."""
    amount = min(DEBLUR_PER_VARIANCE * blur_variance(y_tiles, current, target), MAX_AMOUNT)
    return amount if amount >= MIN_DEBLUR_AMOUNT else 0.0


# overshoot must not clip pixels that were not clipped: sharpened luma stays inside (1.5, 253.5) / 255 unless the
# pixel already was outside
CLIP_GUARD = (1.5 / 255.0, 253.5 / 255.0)


def sharpen(ycc: np.ndarray, amount: float) -> np.ndarray:
    """Unsharp-mask the luma plane of a float32 YCrCb image.

    The Gaussian is OpenCV's; the rest (coring, amount, clip guard, chroma copy) is one pass of the kit's C
    kernel when it is built (imagemesh_kit.native, ycc_steps.c), else the OpenCV calls below (the same to float
    rounding: tested in test_enhance_steps)."""
    if amount <= 0.0:
        return ycc
    y = np.ascontiguousarray(ycc[..., 0])
    lib = native.load()
    if lib is not None and ycc.dtype == np.float32 and ycc.flags.c_contiguous and ycc.shape[-1] == 3:
        out = np.empty_like(ycc)
        blurred = cv2.GaussianBlur(y, (0, 0), RADIUS)
        lib.ycc_sharpen(ycc.ctypes.data, blurred.ctypes.data, y.size, amount, CORING, *CLIP_GUARD, out.ctypes.data)
        return out
    sharp, scratch = _cored_unsharp(y, amount)
    cv2.max(sharp, cv2.min(y, CLIP_GUARD[0], dst=scratch), dst=sharp)
    cv2.min(sharp, cv2.max(y, CLIP_GUARD[1], dst=scratch), dst=sharp)
    out = ycc.copy()
    out[..., 0] = sharp
    return out
