"""Tiled inference with overlap and feathered (linear-ramp) blending.

`run_tiled` cuts a C x H x W float image into overlapping tiles, runs `fn` on each (a batch of one),
and blends the scaled outputs with weights that ramp up across the overlap (ignoring the outer half,
where the network sees the tile edge), so seams vanish and a
tiled result equals the untiled one within a small tolerance.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from services.restoration.domain.errors import check_stop

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets covering [0, length) with tiles of `tile` overlapping by at least `overlap`."""
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    starts.append(length - tile)
    return starts


def ramp_window(height: int, width: int, overlap: int) -> np.ndarray:
    """2-D weight window for blending tiles that overlap by `overlap` pixels.

    The outer half of the overlap (where a network sees the tile edge instead of the image) gets a
    near-zero weight; the inner half ramps linearly up to 1. Never exactly 0, so image borders covered
    by a single tile still normalise to the tile's own values.
    """

    def ramp(n: int) -> np.ndarray:
        w = np.ones(n, np.float32)
        if overlap > 0:
            margin = overlap // 2
            steps = np.arange(min(overlap, n), dtype=np.float32)
            edge = np.clip((steps - margin + 1.0) / (overlap - margin + 1.0), 1e-4, 1.0)
            w[: edge.size] = np.minimum(w[: edge.size], edge)
            w[n - edge.size :] = np.minimum(w[n - edge.size :], edge[::-1])
        return w

    return np.outer(ramp(height), ramp(width))


def pad_to_multiple(image: np.ndarray, multiple: int) -> tuple[np.ndarray, int, int]:
    """Reflect-pad a C x H x W image so H and W are multiples of `multiple`; returns (padded, H, W)."""
    _, h, w = image.shape
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        image = np.pad(image, ((0, 0), (0, ph), (0, pw)), mode="symmetric")
    return image, h, w


def run_tiled(
    image: np.ndarray,
    fn: Callable[[np.ndarray], np.ndarray],
    *,
    scale: int = 1,
    tile: int = 256,
    overlap: int = 16,
    multiple: int = 1,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Apply `fn` (1 x C x h x w -> 1 x C' x h*scale x w*scale) over tiles of a C x H x W image."""
    image, h, w = pad_to_multiple(image, multiple)
    _, ph, pw = image.shape
    tile = max(multiple, tile - tile % multiple)
    overlap = overlap - overlap % multiple if multiple > 1 else overlap
    ys, xs = tile_starts(ph, tile, overlap), tile_starts(pw, tile, overlap)
    if len(ys) == 1 and len(xs) == 1:
        check_stop(should_stop)
        out = fn(image[None])[0]
        if on_progress:
            on_progress(1.0, "tile 1/1")
        return out[:, : h * scale, : w * scale]
    acc: np.ndarray | None = None
    weight = np.zeros((ph * scale, pw * scale), np.float32)
    total, done = len(ys) * len(xs), 0
    for y in ys:
        for x in xs:
            check_stop(should_stop)
            th, tw = min(tile, ph - y), min(tile, pw - x)
            out = fn(image[None, :, y : y + th, x : x + tw])[0]
            if acc is None:
                acc = np.zeros((out.shape[0], ph * scale, pw * scale), np.float32)
            win = ramp_window(th * scale, tw * scale, overlap * scale)
            sy, sx = slice(y * scale, (y + th) * scale), slice(x * scale, (x + tw) * scale)
            acc[:, sy, sx] += out * win
            weight[sy, sx] += win
            done += 1
            if on_progress:
                on_progress(done / total, f"tile {done}/{total}")
    assert acc is not None
    return (acc / weight)[:, : h * scale, : w * scale]
