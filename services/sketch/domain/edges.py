"""Edge, line and orientation extraction on float32 grey images (0..1)."""

from __future__ import annotations

import cv2
import numpy as np

MIN_LINE_SIGMA = 0.7  # thinner than this a line vanishes (small images scale sizes down)


def blur(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; for wide kernels the image is shrunk first (same look, far faster)."""
    if sigma <= 0.3:
        return x
    if sigma < 6:
        return cv2.GaussianBlur(x, (0, 0), sigma)
    h, w = x.shape[:2]
    f = 3.0 / sigma
    small = cv2.resize(x, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 3.0)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def xdog(
    grey: np.ndarray, sigma: float, *, k: float = 1.6, tau: float = 0.98, eps: float = -0.02, phi: float = 60.0
) -> np.ndarray:
    """Extended difference of Gaussians: 1 on flat areas, falling to 0 on dark sides of edges."""
    sigma = max(sigma, MIN_LINE_SIGMA)
    d = blur(grey, sigma) - tau * blur(grey, sigma * k)
    out = np.where(d >= eps, 1.0, 1.0 + np.tanh(phi * (d - eps)))
    return out.astype(np.float32)


def dog_lines(grey: np.ndarray, sigma: float, strength: float = 1.0) -> np.ndarray:
    """Soft contour lines (1 = none, towards 0 = line) from a difference of Gaussians."""
    sigma = max(sigma, MIN_LINE_SIGMA)
    d = blur(grey, sigma * 1.6) - blur(grey, sigma)
    return np.clip(1.0 - np.maximum(d, 0.0) * (12.0 * strength), 0.0, 1.0).astype(np.float32)


def gradient(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return gx, gy


def gradient_magnitude(grey: np.ndarray) -> np.ndarray:
    gx, gy = gradient(grey)
    return cv2.magnitude(gx, gy)


def flow_angle(grey: np.ndarray, sigma: float) -> np.ndarray:
    """Angle (radians, 0..pi) of the edge tangent, from a smoothed structure tensor."""
    gx, gy = gradient(grey)
    jxx = blur(gx * gx, sigma)
    jyy = blur(gy * gy, sigma)
    jxy = blur(gx * gy, sigma)
    # dominant gradient direction, rotated by 90 degrees to follow the edge
    theta = 0.5 * np.arctan2(2.0 * jxy, jxx - jyy) + np.pi / 2
    return np.mod(theta, np.pi).astype(np.float32)
