"""Natural-scene statistics shared by BRISQUE and NIQE (Mittal, Moorthy & Bovik).

- MSCN coefficients: (I - mu) / (sigma + C) with mu, sigma from a 7x7 Gaussian window (sigma 7/6).
- Asymmetric generalised Gaussian (AGGD) fits by moment matching, vectorised over many samples,
  with the shape parameter found by inverting the monotone ratio
  ``rho(a) = Gamma(2/a)^2 / (Gamma(1/a) Gamma(3/a))`` on a fine grid (as the published code does
  with its 0.2:0.001:10 lookup, here with linear interpolation between grid points).
- Pairwise products of neighbouring MSCN coefficients in four orientations.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import special

WINDOW_SIZE = 7
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


def mscn(image: np.ndarray, c: float, *, zero_border: bool, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Mean-subtracted contrast-normalised coefficients and the local std map.

    zero_border=True pads with zeros (scipy convolve2d 'same', as the `brisque` package does);
    False replicates the edge (MATLAB imfilter 'replicate', as the NIQE reference does).
    dtype: float64 (reference precision) or float32 (faster; features change by ~1e-5).
    The window is applied as two 1-D passes (same window, float rounding apart).
    """
    img = np.ascontiguousarray(image, dtype=dtype)
    border = cv2.BORDER_CONSTANT if zero_border else cv2.BORDER_REPLICATE
    taps = _gaussian_taps().astype(img.dtype)
    depth = cv2.CV_64F if img.dtype == np.float64 else cv2.CV_32F
    mu = cv2.sepFilter2D(img, depth, taps, taps, borderType=border)
    sigma = cv2.sepFilter2D(cv2.multiply(img, img), depth, taps, taps, borderType=border)
    mu_sq = cv2.multiply(mu, mu)
    cv2.absdiff(sigma, mu_sq, dst=sigma)
    cv2.sqrt(sigma, dst=sigma)
    coeffs = cv2.subtract(img, mu, dst=mu)
    cv2.divide(coeffs, cv2.add(sigma, c, dst=mu_sq), dst=coeffs)
    return coeffs, sigma


def pair_products(coeffs: np.ndarray) -> list[np.ndarray]:
    """Products with the right, lower, lower-right and lower-left neighbours."""
    return [
        coeffs[:, :-1] * coeffs[:, 1:],
        coeffs[:-1, :] * coeffs[1:, :],
        coeffs[:-1, :-1] * coeffs[1:, 1:],
        coeffs[1:, :-1] * coeffs[:-1, 1:],
    ]


def aggd_fit(samples: np.ndarray, *, right_includes_zero: bool = True) -> tuple[np.ndarray, ...]:
    """Fit an AGGD to each row of ``samples`` (n x m).

    Returns (alpha, mean, left_std, right_std), each of length n.
    """
    x = np.atleast_2d(samples)
    m = x.shape[1]
    # sums in the input's precision (float32 halves the time; BLAS/pairwise sums stay accurate);
    # |x| = x - 2 min(x, 0), and x < 0 exactly where min(x, 0) is non-zero
    neg = np.minimum(x, 0.0)
    if x.shape[0] == 1:
        sq_sum = np.array([np.dot(x[0], x[0])], dtype=np.float64)
        left_sq = np.array([np.dot(neg[0], neg[0])], dtype=np.float64)
    else:
        sq_sum = np.einsum("ij,ij->i", x, x).astype(np.float64)
        left_sq = np.einsum("ij,ij->i", neg, neg).astype(np.float64)
    right_sq = sq_sum - left_sq
    left_n = np.count_nonzero(neg, axis=1)
    right_n = m - left_n if right_includes_zero else np.count_nonzero(x > 0, axis=1)
    left_std = np.sqrt(left_sq / np.maximum(left_n, 1))
    right_std = np.sqrt(right_sq / np.maximum(right_n, 1))
    abs_mean = (x.sum(axis=1, dtype=np.float64) - 2.0 * neg.sum(axis=1, dtype=np.float64)) / m
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_hat = np.where(right_std > 0, left_std / right_std, 1.0)
        r_hat = abs_mean**2 / np.maximum(sq_sum / m, 1e-300)
    r_norm = r_hat * (gamma_hat**3 + 1.0) * (gamma_hat + 1.0) / (gamma_hat**2 + 1.0) ** 2
    alpha = np.interp(r_norm, _RHO_GRID, _ALPHA_GRID)
    const = np.sqrt(special.gamma(1.0 / alpha) / special.gamma(3.0 / alpha))
    mean = (right_std - left_std) * const * special.gamma(2.0 / alpha) / special.gamma(1.0 / alpha)
    return alpha, mean, left_std, right_std


def analysis_scale(gray: np.ndarray, long_side: int = ANALYSIS_LONG_SIDE) -> np.ndarray:
    """Downscale (area averaging) so the long side is at most ``long_side``; smaller images pass."""
    h, w = gray.shape
    factor = long_side / max(h, w)
    if factor >= 1.0:
        return gray
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
