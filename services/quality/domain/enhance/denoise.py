"""Denoising step: edge-preserving bilateral filtering in YCrCb.

Luma is filtered at full resolution with a range sigma proportional to the noise to remove; the
chroma planes (where natural images carry little detail and independent RGB noise puts most of its
energy) are filtered at half resolution and upsampled, which is 4x cheaper and smooths more.

The filters are OpenCV's bilateral filter, computed by the kit's kernel when it is built (bilateral.c: the same
filter to ~1e-6); the passes around them (plane extraction, the 2x resampling, the merge and the blend) are one C
kernel each then too (ycc_steps.c), else OpenCV/numpy calls computing the same (to float rounding: tested in
test_enhance_steps).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from imagemesh_kit import native

LUMA_RANGE_FACTOR = 2.0  # bilateral range sigma = factor * per-channel noise sigma
CHROMA_RANGE_FACTOR = 1.0
SPATIAL_SIGMA = 2.0
DIAMETER = 5


def noise_to_remove(sigma: float, target: float) -> float:
    """Noise std (8-bit units) to take out so that `sigma` comes down to `target` (quadrature)."""
    return math.sqrt(max(sigma * sigma - target * target, 0.0))


def _denoised_chroma(ycc: np.ndarray, range_sigma: float) -> np.ndarray:
    """A full-size YCrCb image whose chroma planes are `ycc`'s, bilateral-filtered at half resolution
    (channel 0 is a by-product, to be overwritten).

    The resampling is exactly 2x both ways on the even-sized part (a bilinear resize to exactly half is
    the 2x2 box average; back to exactly double, bilinear), with an odd last row or column copied from
    its neighbour: every output pixel then depends only on its neighbourhood, wherever the image starts
    on an even row - so bands of a large image (parallel.banded) give exactly the whole image's result.
    """
    h, w = ycc.shape[:2]
    h2, w2 = h // 2, w // 2
    if h2 < 1 or w2 < 1:
        return ycc.copy()
    half = cv2.resize(ycc[: 2 * h2, : 2 * w2], (w2, h2), interpolation=cv2.INTER_LINEAR)
    planes = list(cv2.split(half))
    for c in (1, 2):
        planes[c] = _filter(planes[c], range_sigma)
    up = cv2.resize(cv2.merge(planes), (2 * w2, 2 * h2), interpolation=cv2.INTER_LINEAR)
    if (2 * h2, 2 * w2) != (h, w):
        up = cv2.copyMakeBorder(up, 0, h - 2 * h2, 0, w - 2 * w2, cv2.BORDER_REPLICATE)
    return up


def _filter(plane: np.ndarray, range_sigma: float) -> np.ndarray:
    """OpenCV's bilateral filter of a float32 plane - computed by the kit's kernel when it is built (bilateral.c: the
    same filter, ~1e-6 apart, in 30-45 % less time)."""
    lib = native.load()
    if lib is None or plane.dtype != np.float32 or plane.ndim != 2 or plane.strides[1] != 4 or plane.strides[0] <= 0:
        return cv2.bilateralFilter(plane, DIAMETER, range_sigma, SPATIAL_SIGMA)
    h, w = plane.shape
    out = np.empty((h, w), dtype=np.float32)
    status = lib.bilateral_f32(plane.ctypes.data, h, w, plane.strides[0] // 4, out.ctypes.data, w, DIAMETER // 2,
                               range_sigma, SPATIAL_SIGMA)  # fmt: skip
    if status == -2:
        raise MemoryError("bilateral_f32: no memory for its row buffers")
    if status != 0:  # a disc beyond the kernel's table of taps
        return cv2.bilateralFilter(plane, DIAMETER, range_sigma, SPATIAL_SIGMA)
    return out


def _denoise_native(lib, ycc: np.ndarray, s: float, strength: float) -> np.ndarray:
    """denoise() of a colour image with the kernels doing the passes between the filters."""
    h, w = ycc.shape[:2]
    y = np.empty((h, w), dtype=np.float32)
    cr, cb = np.empty((2, h // 2, w // 2), dtype=np.float32)
    lib.ycc_denoise_split(ycc.ctypes.data, h, w, y.ctypes.data, cr.ctypes.data, cb.ctypes.data)
    y = _filter(y, LUMA_RANGE_FACTOR * s)
    cr, cb = _filter(cr, CHROMA_RANGE_FACTOR * s), _filter(cb, CHROMA_RANGE_FACTOR * s)
    out = np.empty_like(ycc)
    scratch = np.empty(6 * w, dtype=np.float32)
    lib.ycc_denoise_merge(
        ycc.ctypes.data, y.ctypes.data, cr.ctypes.data, cb.ctypes.data, h, w, strength, scratch.ctypes.data,
        out.ctypes.data,
    )  # fmt: skip
    return out


def denoise(ycc: np.ndarray, sigma: float, strength: float, *, is_grayscale: bool) -> np.ndarray:
    """Remove noise of std `sigma` (8-bit units, per RGB channel) from a float32 YCrCb image.

    strength in [0, 1] blends between the input (0) and the fully denoised result (1).
    """
    if strength <= 0.0 or sigma <= 0.0:
        return ycc
    s = sigma / 255.0
    lib = native.load()
    if lib is not None and not is_grayscale and min(ycc.shape[:2]) >= 2 and _plain(ycc):
        return _denoise_native(lib, ycc, s, min(strength, 1.0))
    y = _filter(np.ascontiguousarray(ycc[..., 0]), LUMA_RANGE_FACTOR * s)
    if is_grayscale:
        out = ycc.copy()
    else:
        out = _denoised_chroma(ycc, CHROMA_RANGE_FACTOR * s)
    out[..., 0] = y
    if strength < 1.0:
        out = cv2.addWeighted(ycc, 1.0 - strength, out, strength, 0.0)
    return out


def _plain(ycc: np.ndarray) -> bool:
    """A contiguous float32 HxWx3 array: the layout the kernels take."""
    return ycc.dtype == np.float32 and ycc.ndim == 3 and ycc.shape[2] == 3 and ycc.flags.c_contiguous
