"""Mark-making: hatch patterns and individually painted brush strokes."""

from __future__ import annotations

import cv2
import numpy as np

from .textures import spectral_noise, tile_over
from .tone import smoothstep


def hatch_pattern(
    height: int,
    width: int,
    angle: float | np.ndarray,
    spacing: float,
    seed: int,
    wobble: float = 0.6,
    phase_warp: np.ndarray | None = None,
) -> np.ndarray:
    """Parallel lines at `angle` (radians), `spacing` px apart: 1 on a line's centre, 0 between lines.

    `angle` may be an HxW array of a few distinct values: each patch then gets its own direction.
    `wobble` bends the lines with seeded noise (a hand-drawn look); `phase_warp` (HxW, in line periods)
    bends them with the image itself (engraving lines that follow the forms).
    """
    k = np.float32(2 * np.pi / max(spacing, 1.0))
    x = np.arange(width, dtype=np.float32)[None, :] * k
    y = np.arange(height, dtype=np.float32)[:, None] * k
    if np.isscalar(angle):
        phase = y * np.float32(np.sin(angle)) + x * np.float32(np.cos(angle))
    else:
        phase = y * np.sin(angle).astype(np.float32) + x * np.cos(angle).astype(np.float32)
    if wobble > 0:
        noise = tile_over(spectral_noise(seed, 2.0), height, width, scale=max(1.0, spacing / 4))
        phase += (noise - 0.5) * np.float32(2 * np.pi * wobble)
    if phase_warp is not None:
        phase += phase_warp * np.float32(2 * np.pi)
    return (0.5 + 0.5 * np.cos(phase)).astype(np.float32)


def hatch_ink(pattern: np.ndarray, darkness: np.ndarray, softness: float = 0.12) -> np.ndarray:
    """Ink coverage 0..1 of hatch lines whose width grows with `darkness` (0 = none, 1 = solid)."""
    threshold = 1.0 - darkness
    return smoothstep(threshold - softness, threshold + softness, pattern)


def paint_strokes(
    surface: np.ndarray,
    colour: np.ndarray,
    angle: np.ndarray,
    mask: np.ndarray | None,
    spacing: float,
    length: float,
    width: float,
    rng: np.random.Generator,
    jitter: float,
) -> int:
    """Paint one layer of brush strokes in place on `surface` (HxWx4 float32: R, G, B, paint height).

    Strokes sit on a jittered grid `spacing` apart, in random order, each a short thick line along the
    local `angle`, coloured from `colour` at its centre; `mask` (bool HxW) limits where strokes start.
    Colour and height go down in one drawing call per stroke. Returns the number of strokes painted.
    """
    h, w = surface.shape[:2]
    ys, xs = np.mgrid[0:h:spacing, 0:w:spacing]
    ys = (ys.ravel() + rng.uniform(0, spacing, ys.size)).clip(0, h - 1).astype(np.int32)
    xs = (xs.ravel() + rng.uniform(0, spacing, xs.size)).clip(0, w - 1).astype(np.int32)
    if mask is not None:
        keep = mask[ys, xs]
        ys, xs = ys[keep], xs[keep]
    order = rng.permutation(len(ys))
    ys, xs = ys[order], xs[order]
    n = len(ys)
    theta = angle[ys, xs] + rng.normal(0, 0.25 * jitter + 0.02, n)
    half = length / 2 * rng.uniform(0.6, 1.2, n)
    x0 = (xs - np.cos(theta) * half).astype(np.int32).tolist()
    y0 = (ys - np.sin(theta) * half).astype(np.int32).tolist()
    x1 = (xs + np.cos(theta) * half).astype(np.int32).tolist()
    y1 = (ys + np.sin(theta) * half).astype(np.int32).tolist()
    paint = np.clip(colour[ys, xs] * (1 + rng.normal(0, 0.08 * jitter, (n, 1))), 0, 1)
    values = np.concatenate([paint, rng.uniform(0.3, 1.0, (n, 1))], axis=1).tolist()
    thick = max(1, round(width))
    line = cv2.line
    for i in range(n):
        line(surface, (x0[i], y0[i]), (x1[i], y1[i]), values[i], thick, cv2.LINE_AA)
    return n


def bump_light(height_map: np.ndarray, strength: float, sigma: float = 1.0) -> np.ndarray:
    """Shading factor (around 1) of a height map lit from the top left: relief of paint or paper."""
    hm = cv2.GaussianBlur(height_map, (0, 0), sigma) if sigma > 0 else height_map
    gx = cv2.Sobel(hm, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(hm, cv2.CV_32F, 0, 1, ksize=3)
    return (1.0 - np.float32(strength) * (gx + gy) * 0.5).astype(np.float32)
