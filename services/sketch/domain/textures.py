"""Procedural, seeded, tileable paper and canvas textures (no assets are downloaded or read).

Tiles are made by spectral synthesis (filtered white noise through an FFT), so they are periodic and
can be repeated over any image without seams. Tiles are cached and returned read-only.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

TILE = 512


def _normalise(x: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(x, [0.5, 99.5])
    return np.clip((x - lo) / max(hi - lo, 1e-6), 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=64)
def spectral_noise(seed: int, beta: float, size: int = TILE, stretch: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Periodic 1/f^beta noise (0..1, read-only, cached). `stretch` > 1 makes features longer along an axis."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((size, size))
    fy = np.fft.fftfreq(size)[:, None] * stretch[0]
    fx = np.fft.fftfreq(size)[None, :] * stretch[1]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    spectrum = np.fft.fft2(white) / f**beta
    spectrum[0, 0] = 0.0
    noise = _normalise(np.real(np.fft.ifft2(spectrum)))
    noise.setflags(write=False)
    return noise


@lru_cache(maxsize=16)
def paper_tile(seed: int, roughness: float = 0.5) -> np.ndarray:
    """Drawing paper: fine tooth + soft cloudiness + a few fibres. 1 = paper high point (white)."""
    fine = spectral_noise(seed, 0.35)
    cloud = spectral_noise(seed + 1, 1.8)
    fibres = _fibres(seed + 2)
    tile = (0.55 + 0.3 * roughness) * fine + (0.45 - 0.3 * roughness) * cloud
    tile = _normalise(tile - 0.25 * fibres)
    tile.setflags(write=False)
    return tile


def _fibres(seed: int, count: int = 140) -> np.ndarray:
    rng = np.random.default_rng(seed)
    big = np.zeros((3 * TILE, 3 * TILE), np.float32)
    for _ in range(count):
        x, y = rng.uniform(TILE, 2 * TILE, 2)
        angle, length = rng.uniform(0, np.pi), rng.uniform(8, 40)
        dx, dy = np.cos(angle) * length, np.sin(angle) * length
        cv2.line(big, (int(x), int(y)), (int(x + dx), int(y + dy)), float(rng.uniform(0.3, 1.0)), 1, cv2.LINE_AA)
    # fold the 3x3 tile onto one so fibres crossing a border wrap round
    folded = big.reshape(3, TILE, 3, TILE).sum(axis=(0, 2))
    return cv2.GaussianBlur(folded, (0, 0), 0.6)


@lru_cache(maxsize=16)
def cold_press_tile(seed: int) -> np.ndarray:
    """Watercolour paper: rounded bumps a few pixels wide (cold-press). 1 = high point."""
    bumps = spectral_noise(seed + 10, 0.0)
    bumps = _wrap_blur(bumps, 2.2)
    tile = _normalise(0.8 * _normalise(bumps) + 0.2 * spectral_noise(seed + 11, 1.5))
    tile.setflags(write=False)
    return tile


def _wrap_blur(tile: np.ndarray, sigma: float) -> np.ndarray:
    pad = int(3 * sigma) + 1
    padded = np.pad(tile, pad, mode="wrap")
    return cv2.GaussianBlur(padded, (0, 0), sigma)[pad:-pad, pad:-pad]


@lru_cache(maxsize=16)
def laid_paper_tile(seed: int, period: int = 6) -> np.ndarray:
    """Laid (Ingres) charcoal paper: fine parallel ribs from the mould plus coarse tooth. 1 = high point."""
    n = TILE // period * period
    y = np.arange(n, dtype=np.float32)[:, None]
    wobble = cv2.resize(spectral_noise(seed + 25, 2.0), (n, n)) - 0.5
    ribs = 0.5 + 0.5 * np.cos(2 * np.pi * (y / period + 0.6 * wobble))
    tooth = cv2.resize(spectral_noise(seed + 26, 0.6), (n, n))
    tile = _normalise(0.45 * ribs + 0.55 * tooth)
    tile.setflags(write=False)
    return tile


@lru_cache(maxsize=16)
def canvas_tile(seed: int, period: int = 8) -> np.ndarray:
    """Linen canvas weave: over/under threads with slub noise. 1 = thread top."""
    n = TILE // (2 * period) * 2 * period
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    warp = np.abs(np.sin(np.pi * x / period))
    weft = np.abs(np.sin(np.pi * y / period))
    checker = ((x // period + y // period) % 2).astype(np.float32)
    weave = checker * warp + (1 - checker) * weft
    slubs = cv2.resize(spectral_noise(seed + 20, 1.2, stretch=(1.0, 6.0)), (n, n))
    tile = _normalise(0.75 * weave + 0.25 * slubs)
    tile.setflags(write=False)
    return tile


def tile_over(tile: np.ndarray, height: int, width: int, scale: float = 1.0, offset: int = 0) -> np.ndarray:
    """Repeat `tile` (grown by `scale` when > 1) over a height x width area."""
    if scale > 1.05:
        size = round(tile.shape[0] * scale)
        tile = cv2.resize(tile, (size, size), interpolation=cv2.INTER_LINEAR)
    th, tw = tile.shape[:2]
    if offset:
        tile = np.roll(tile, (offset % th, (offset * 7) % tw), axis=(0, 1))
    return cv2.repeat(np.ascontiguousarray(tile), -(-height // th), -(-width // tw))[:height, :width]


def texture_scale(height: int, width: int) -> float:
    """Grow textures on big images so the grain stays visible when the picture is viewed whole."""
    return max(1.0, max(height, width) / 1600.0)
