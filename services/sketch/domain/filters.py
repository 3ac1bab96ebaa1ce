"""Area filters: edge-preserving smoothing, Kuwahara painting, palettes and directional smears.

All take and return float32 images in 0..1 (grey HxW or RGB HxWx3).
"""

from __future__ import annotations

import cv2
import numpy as np

from .tone import luminance


def edge_preserving(rgb: np.ndarray, strength: float, passes: int = 2) -> np.ndarray:
    """Bilateral smoothing that flattens texture but keeps edges; `strength` 0..1."""
    if strength <= 0:
        return rgb
    out = rgb
    sigma_color = 0.05 + 0.15 * strength
    for _ in range(passes):
        out = cv2.bilateralFilter(out, 7, sigma_color, 3.0 + 4.0 * strength)
    return out


def kuwahara(rgb: np.ndarray, radius: int) -> np.ndarray:
    """Kuwahara filter: each pixel takes the mean of its least-varied quadrant (flat, painterly)."""
    r = max(1, int(radius))
    k = (r + 1, r + 1)
    grey = luminance(rgb)
    grey_sq = grey * grey
    best_mean = None
    best_var = None
    for anchor in ((0, 0), (r, 0), (0, r), (r, r)):
        m = cv2.boxFilter(rgb, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT)
        g = cv2.boxFilter(grey, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT)
        var = cv2.boxFilter(grey_sq, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT) - g * g
        if best_mean is None:
            best_mean, best_var = m, var
        else:
            better = var < best_var
            best_mean = np.where(better[..., None], m, best_mean)
            best_var = np.minimum(var, best_var)
    return best_mean


def palette(rgb: np.ndarray, count: int, seed: int, sample: int = 12_000) -> np.ndarray:
    """The `count` main colours of a 3-channel image (k-means on a seeded sample), as a count x 3 array.

    Works in whatever space the image is in (RGB 0..1, Lab); colours are sorted by their first channel.
    """
    pixels = rgb.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    picks = pixels[rng.choice(len(pixels), size=min(sample, len(pixels)), replace=False)]
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1e-3)
    _, _, centres = cv2.kmeans(np.ascontiguousarray(picks, np.float32), count, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    order = np.lexsort(centres.T[::-1])  # a stable order, whatever the colour space
    return centres[order]


def nearest_colour_index(image: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Index of the nearest palette colour for every pixel (HxW uint8; at most 256 colours)."""
    flat = image.reshape(-1, 3).astype(np.float32, copy=False)
    c = colours.astype(np.float32)
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every colour so it drops out
    score = flat @ (-2.0 * c.T) + np.sum(c * c, axis=1)[None, :]
    return np.argmin(score, axis=1).astype(np.uint8).reshape(image.shape[:2])


def line_kernel(length: int, angle: float) -> np.ndarray:
    """Normalised 1-px line of `length` at `angle` (radians), for motion blur along a direction."""
    n = max(3, int(length) | 1)
    kernel = np.zeros((n, n), np.float32)
    c = n // 2
    dx, dy = np.cos(angle) * c, np.sin(angle) * c
    cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    return kernel / kernel.sum()


def directional_smear(x: np.ndarray, angle: np.ndarray, length: float, bins: int = 8) -> np.ndarray:
    """Motion-blur every pixel of `x` along its own `angle` (0..pi): strokes that follow the forms."""
    if length < 2:
        return x
    step = np.pi / bins
    index = np.floor((angle + step / 2) / step).astype(np.int32) % bins
    out = np.zeros_like(x)
    for b in range(bins):
        mask = index == b
        if not mask.any():
            continue
        smeared = cv2.filter2D(x, -1, line_kernel(round(length), b * step), borderType=cv2.BORDER_REFLECT)
        out[mask] = smeared[mask]
    return out


def warp(image: np.ndarray, seed: int, amount: float, feature: float) -> np.ndarray:
    """Displace pixels by smooth seeded noise up to about `amount` px; `feature` = size of the swirls."""
    from .textures import spectral_noise, tile_over

    h, w = image.shape[:2]
    grow = max(1.0, feature / 64.0)
    dx = tile_over(spectral_noise(seed + 31, 2.2), h, w, grow) - 0.5
    dy = tile_over(spectral_noise(seed + 32, 2.2), h, w, grow) - 0.5
    ys, xs = np.indices((h, w), dtype=np.float32)
    map_x = xs + dx * np.float32(2 * amount)
    map_y = ys + dy * np.float32(2 * amount)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
