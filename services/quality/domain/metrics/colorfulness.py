"""Colourfulness of Hasler & Suesstrunk, "Measuring colourfulness in natural images" (SPIE 2003).

M = sqrt(std_rg^2 + std_yb^2) + 0.3 * sqrt(mean_rg^2 + mean_yb^2), with rg = R - G and
yb = (R + G)/2 - B on the 0..255 scale.  0 for a gray image; ~15 "slightly", ~33 "moderately",
~59 "quite", ~82 "highly", >109 "extremely" colourful.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# RGB -> rg = R - G and yb = (R + G)/2 - B (coefficients exact in binary: a gray pixel gives exactly 0)
_TO_OPPONENT = np.array([(1.0, -1.0, 0.0), (0.5, 0.5, -1.0)], dtype=np.float32).T


def colorfulness(rgb: np.ndarray, rg_noise: float = 0.0, yb_noise: float = 0.0) -> float:
    """Hasler-Suesstrunk M for a float [0, 1] HxWx3 RGB image (statistics of the whole frame).

    ``rg_noise`` / ``yb_noise``: noise std measured on the opponent planes (8-bit units, see
    noise.noise_levels); their variance is removed so noise does not read as colour.  0 gives the
    plain metric.
    """
    # rg, yb planes in one product (OpenCV's 3 -> 2 channel transform is 4x slower), their statistics in one pass
    opponent = np.ascontiguousarray(rgb).reshape(-1, 3) @ _TO_OPPONENT
    mean, std = cv2.meanStdDev(opponent.reshape(-1, 1, 2))
    (m_rg, m_yb), (s_rg, s_yb) = (255.0 * mean).ravel().tolist(), (255.0 * std).ravel().tolist()
    spread = math.sqrt(max(s_rg * s_rg - rg_noise * rg_noise, 0.0) + max(s_yb * s_yb - yb_noise * yb_noise, 0.0))
    return spread + 0.3 * math.hypot(m_rg, m_yb)
