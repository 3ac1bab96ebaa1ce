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


def mscn(image: np.ndarray, c: float, *, zero_border: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean-subtracted contrast-normalised coefficients and the local std map.

    zero_border=True pads with zeros (scipy convolve2d 'same', as the `brisque` package does);
    False replicates the edge (MATLAB imfilter 'replicate', as the NIQE reference does).
    """
    img = image.astype(np.float64, copy=False)
    border = cv2.BORDER_CONSTANT if zero_border else cv2.BORDER_REPLICATE
    window = gaussian_window()
    mu = cv2.filter2D(img, cv2.CV_64F, window, borderType=border)
    mu_sq = cv2.filter2D(img * img, cv2.CV_64F, window, borderType=border)
    sigma = np.sqrt(np.abs(mu_sq - mu * mu))
    return (img - mu) / (sigma + c), sigma


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
    x = np.atleast_2d(samples).astype(np.float64, copy=False)
    sq = x * x
    left = x < 0
    right = x >= 0 if right_includes_zero else x > 0
    left_n = np.maximum(left.sum(axis=1), 1)
    right_n = np.maximum(right.sum(axis=1), 1)
    left_std = np.sqrt((sq * left).sum(axis=1) / left_n)
    right_std = np.sqrt((sq * right).sum(axis=1) / right_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_hat = np.where(right_std > 0, left_std / right_std, 1.0)
        r_hat = np.abs(x).mean(axis=1) ** 2 / np.maximum(sq.mean(axis=1), 1e-300)
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
