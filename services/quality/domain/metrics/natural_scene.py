"""Natural-scene statistics shared by BRISQUE and NIQE (Mittal, Moorthy & Bovik).

- MSCN coefficients: (I - mu) / (sigma + C) with mu, sigma from a 7x7 Gaussian window (sigma 7/6).
- Asymmetric generalised Gaussian (AGGD) fits by moment matching, from five sums per block and signal
  (signal_moments: the coefficients and their neighbour products, one pass in the kit's C kernel),
  with the shape parameter found by inverting the monotone ratio
  ``rho(a) = Gamma(2/a)^2 / (Gamma(1/a) Gamma(3/a))`` on a fine grid (as the published code does
  with its 0.2:0.001:10 lookup, here with linear interpolation between grid points).
- Pairwise products of neighbouring MSCN coefficients in four orientations.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import special

from imagemesh_kit import native

WINDOW_SIZE = 7
# |I - mu| at most this fraction of |I| is rounding: a flat window, coefficient 0 (mscn.c's FLAT). 2^-21, four
# float32 steps: above the float32 image's own rounding (a flat region of a 2 MP image downscaled to the analysis
# scale spreads over 3.3e-7 of its value), below one 8-bit step at the window's corner even at I = 1 (tap product
# 1.58e-4 / 255 = 6.2e-7). Finer steps than that - 16-bit data's, 256x smaller - read as flat too.
FLAT = 2.0**-21
WINDOW_SIGMA = 7.0 / 6.0
ANALYSIS_LONG_SIDE = 768  # LIVE-database image size, the scale both NSS models were trained at

_ALPHA_GRID = np.arange(0.2, 10.0 + 1e-9, 0.001)
_RHO_GRID = special.gamma(2.0 / _ALPHA_GRID) ** 2 / (
    special.gamma(1.0 / _ALPHA_GRID) * special.gamma(3.0 / _ALPHA_GRID)
)


def gaussian_window(size: int = WINDOW_SIZE, sigma: float = WINDOW_SIGMA) -> np.ndarray:
    """Normalised 2-D Gaussian window, centred like MATLAB's fspecial('gaussian')."""
    y, x = np.indices((size, size)) - size // 2
    w = np.exp(-(x**2 + y**2) / (2.0 * sigma**2))
    return w / w.sum()


def _gaussian_taps(size: int = WINDOW_SIZE, sigma: float = WINDOW_SIGMA) -> np.ndarray:
    """1-D taps whose outer product is gaussian_window (the 2-D window is separable)."""
    x = np.arange(size) - size // 2
    taps = np.exp(-(x**2) / (2.0 * sigma**2))
    return taps / taps.sum()


_TAPS = _gaussian_taps()  # MSCN's window, both passes (float64)


def mscn(image: np.ndarray, c: float, *, zero_border: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean-subtracted contrast-normalised coefficients and the local std map, computed in double precision (as the
    published code), and exactly 0 where the window is flat: there I - mu is 0, and what any summation order leaves
    is rounding, whose shape the AGGD fits of a flat block would then describe (NIQE of a JPEG at quality 30, whose
    8x8 blocks are flat, moved by up to 2.7 between float32 and float64 filters, and between two float64 orders).
    |I - mu| <= FLAT |I| counts as flat (it allows for the float32 image's own rounding: see FLAT).

    zero_border=True pads with zeros (scipy convolve2d 'same', as the `brisque` package does);
    False replicates the edge (MATLAB imfilter 'replicate', as the NIQE reference does).
    The window is applied as two 1-D passes (same window, float rounding apart): for a 2-D image in one pass by the
    kit's C kernel (mscn.c) when it is built, which writes float32 maps, else with OpenCV's float64 filters.
    """
    lib = native.load()
    if lib is not None and image.ndim == 2:
        return _mscn_native(lib, np.ascontiguousarray(image, dtype=np.float32), c, zero_border)
    img = np.ascontiguousarray(image, dtype=np.float64)
    border = cv2.BORDER_CONSTANT if zero_border else cv2.BORDER_REPLICATE
    mu = cv2.sepFilter2D(img, cv2.CV_64F, _TAPS, _TAPS, borderType=border)
    sigma = np.sqrt(np.abs(cv2.sepFilter2D(img * img, cv2.CV_64F, _TAPS, _TAPS, borderType=border) - mu * mu))
    # numpy arithmetic: OpenCV's bindings would take an array of up to 4 values (a tiny image) for a scalar
    coeffs = img - mu
    coeffs[np.abs(coeffs) <= FLAT * np.abs(img)] = 0.0
    coeffs /= sigma + c
    return coeffs, sigma


def _mscn_native(lib, img: np.ndarray, c: float, zero_border: bool) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape
    coeffs, sigma = np.empty((h, w), np.float32), np.empty((h, w), np.float32)
    maps = coeffs.ctypes.data, sigma.ctypes.data
    status = lib.mscn_f32(img.ctypes.data, h, w, w, _TAPS.ctypes.data, _TAPS.size, int(zero_border), c, *maps)
    if status != 0:
        raise MemoryError("mscn_f32: no memory for its row buffers")
    return coeffs, sigma


def pair_products(coeffs: np.ndarray) -> list[np.ndarray]:
    """Products with the right, lower, lower-right and lower-left neighbours."""
    return [
        coeffs[:, :-1] * coeffs[:, 1:],
        coeffs[:-1, :] * coeffs[1:, :],
        coeffs[:-1, :-1] * coeffs[1:, 1:],
        coeffs[1:, :-1] * coeffs[:-1, 1:],
    ]


SIGNALS = 5  # the coefficients, then the four neighbour products (pair_products' order)


def sample_moments(samples: np.ndarray) -> np.ndarray:
    """The sums an AGGD fit needs, per row of ``samples`` (n x m) -> (n, 5):
    sum x^2, sum min(x, 0)^2, sum |x|, count(x < 0), count(x > 0)."""
    x = np.atleast_2d(samples)
    neg = np.minimum(x, 0.0)
    # |x| = x - 2 min(x, 0), and x < 0 exactly where min(x, 0) is non-zero
    sq = np.einsum("ij,ij->i", x, x).astype(np.float64)
    neg_sq = np.einsum("ij,ij->i", neg, neg).astype(np.float64)
    abs_sum = x.sum(axis=1, dtype=np.float64) - 2.0 * neg.sum(axis=1, dtype=np.float64)
    return np.stack([sq, neg_sq, abs_sum, np.count_nonzero(neg, axis=1), np.count_nonzero(x > 0, axis=1)], axis=1)


def blocks(a: np.ndarray, size: int, step: int) -> np.ndarray:
    """All size x size blocks on a grid of `step` -> (n_blocks, size*size)."""
    windows = np.lib.stride_tricks.sliding_window_view(a, (size, size))[::step, ::step]
    return windows.reshape(-1, size * size)


def _signal_moments_numpy(coeffs: np.ndarray, size: int | None, step: int) -> np.ndarray:
    if size is None:
        signals = [coeffs, *pair_products(coeffs)]
        return np.stack([sample_moments(s.reshape(1, -1))[0] for s in signals])[None]
    h, w = coeffs.shape
    out = [sample_moments(blocks(coeffs, size, step))]
    for prod in pair_products(coeffs):
        padded = np.zeros((h, w), dtype=coeffs.dtype)  # products lose a row/column: zeros keep the grid
        padded[: prod.shape[0], : prod.shape[1]] = prod
        out.append(sample_moments(blocks(padded, size, step)))
    return np.stack(out, axis=1)


def signal_moments(coeffs: np.ndarray, size: int | None = None, step: int = 1) -> np.ndarray:
    """sample_moments of the coefficients and their four neighbour products -> (n_blocks, 5 signals, 5 sums).

    size None: the whole map is one block, each product over the positions where it exists (BRISQUE).
    Otherwise size x size blocks with top-left corners `step` apart (NIQE); a product whose neighbour is
    outside the map counts as zero. Taken in one pass by the kit's C kernel (nss_moments.c) when it is
    built - float32 sums per block row, float64 across rows - else with numpy (the same sums).
    """
    c = np.ascontiguousarray(coeffs, dtype=np.float32)
    lib = native.load()
    if lib is None:
        return _signal_moments_numpy(c, size, step)
    h, w = c.shape
    bh, bw = (h, w) if size is None else (size, size)
    nby, nbx = (1, 1) if size is None else ((h - size) // step + 1, (w - size) // step + 1)
    out = np.empty((nby * nbx, SIGNALS, 5), dtype=np.float64)
    lib.nss_block_moments(c.ctypes.data, h, w, bh, bw, step, step, nby, nbx, out.ctypes.data)
    return out


def product_counts(h: int, w: int) -> np.ndarray:
    """How many values each signal has over a whole h x w map (the coefficients, then each product)."""
    return np.array([h * w, h * (w - 1), (h - 1) * w, (h - 1) * (w - 1), (h - 1) * (w - 1)], dtype=np.float64)


def aggd_from_moments(
    moments: np.ndarray, count: np.ndarray | float, *, right_includes_zero: bool = True
) -> tuple[np.ndarray, ...]:
    """Fit an AGGD from sample_moments (last axis) of `count` samples each.

    Returns (alpha, mean, left_std, right_std), each shaped like moments[..., 0].
    """
    sq_sum, left_sq, abs_sum, left_n, right_pos = np.moveaxis(moments, -1, 0)
    m = np.asarray(count, dtype=np.float64)
    right_sq = sq_sum - left_sq
    right_n = m - left_n if right_includes_zero else right_pos
    left_std = np.sqrt(left_sq / np.maximum(left_n, 1))
    right_std = np.sqrt(np.maximum(right_sq, 0.0) / np.maximum(right_n, 1))
    abs_mean = abs_sum / m
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_hat = np.where(right_std > 0, left_std / right_std, 1.0)
        r_hat = abs_mean**2 / np.maximum(sq_sum / m, 1e-300)
    r_norm = r_hat * (gamma_hat**3 + 1.0) * (gamma_hat + 1.0) / (gamma_hat**2 + 1.0) ** 2
    alpha = np.interp(r_norm, _RHO_GRID, _ALPHA_GRID)
    const = np.sqrt(special.gamma(1.0 / alpha) / special.gamma(3.0 / alpha))
    mean = (right_std - left_std) * const * special.gamma(2.0 / alpha) / special.gamma(1.0 / alpha)
    return alpha, mean, left_std, right_std


def analysis_scale(gray: np.ndarray, long_side: int = ANALYSIS_LONG_SIDE) -> np.ndarray:
    """Downscale (area averaging) so the long side is at most ``long_side``; smaller images pass.

    OpenCV's INTER_AREA weights, computed by the kit's C kernel (area_resize.c: the vertical pass first, ~2x
    faster) for float32 planes when it is built; the same to float rounding (tested)."""
    h, w = gray.shape
    factor = long_side / max(h, w)
    if factor >= 1.0:
        return gray
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    lib = native.load()
    if lib is not None and gray.dtype == np.float32 and gray.strides[1] == gray.itemsize and gray.strides[0] > 0:
        out = np.empty((size[1], size[0]), dtype=np.float32)
        status = lib.area_resize(gray.ctypes.data, h, w, gray.strides[0] // gray.itemsize, out.ctypes.data, *size[::-1])
        if status == -2:
            raise MemoryError("area_resize: no memory for its tap tables")
        return out
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
