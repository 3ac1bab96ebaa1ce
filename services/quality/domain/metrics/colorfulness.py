"""Colourfulness of Hasler & Suesstrunk, "Measuring colourfulness in natural images" (SPIE 2003).

M = sqrt(std_rg^2 + std_yb^2) + 0.3 * sqrt(mean_rg^2 + mean_yb^2), with rg = R - G and
yb = (R + G)/2 - B on the 0..255 scale.  0 for a gray image; ~15 "slightly", ~33 "moderately",
~59 "quite", ~82 "highly", >109 "extremely" colourful.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from imagemesh_kit import native


def colorfulness(rgb: np.ndarray, rg_noise: float = 0.0, yb_noise: float = 0.0) -> float:
    """Hasler-Suesstrunk M for a float [0, 1] HxWx3 RGB image (statistics of the whole frame).

    ``rg_noise`` / ``yb_noise``: noise std measured on the opponent planes (8-bit units, see
    noise.noise_levels); their variance is removed so noise does not read as colour.  0 gives the
    plain metric.
    """
    lib = native.load()
    if lib is not None and rgb.dtype == np.float32 and rgb.flags.c_contiguous and rgb.shape[-1] == 3:
        (m_rg, m_yb), (s_rg, s_yb) = _opponent_stats_native(lib, rgb)
    else:
        (m_rg, m_yb), (s_rg, s_yb) = _opponent_stats(rgb)
    spread = math.sqrt(max(s_rg * s_rg - rg_noise * rg_noise, 0.0) + max(s_yb * s_yb - yb_noise * yb_noise, 0.0))
    return spread + 0.3 * math.hypot(m_rg, m_yb)


def _opponent_stats_native(lib, rgb: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """_opponent_stats in one pass of the kit's kernel (opponent_moments.c: the same float32 planes, float64 sums)."""
    n = rgb.size // 3
    sums = np.zeros(4)
    lib.opponent_moments(rgb.ctypes.data, n, sums.ctypes.data)
    means = sums[:2] / n
    stds = np.sqrt(np.maximum(sums[2:] / n - means * means, 0.0))
    return tuple((255.0 * means).tolist()), tuple((255.0 * stds).tolist())


def _opponent_stats(rgb: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """((mean rg, mean yb), (std rg, std yb)) on the 0..255 scale."""
    # rg and yb side by side, then both planes' statistics in one pass (OpenCV's 3 -> 2 channel transform is
    # 4x slower; a BLAS product is as fast but wakes BLAS threads that spin on the cores the service shares)
    flat = np.ascontiguousarray(rgb).reshape(-1, 3)
    r, g, b = flat[:, 0], flat[:, 1], flat[:, 2]
    opponent = np.empty((flat.shape[0], 2), dtype=np.float32)
    np.subtract(r, g, out=opponent[:, 0])
    yb = opponent[:, 1]
    np.add(r, g, out=yb)
    yb *= np.float32(0.5)  # exact: a gray pixel gives exactly 0
    yb -= b
    mean, std = cv2.meanStdDev(opponent.reshape(-1, 1, 2))
    return tuple((255.0 * mean).ravel().tolist()), tuple((255.0 * std).ravel().tolist())
