"""Noise level: Immerkaer's fast estimator with edge exclusion.

J. Immerkaer, "Fast Noise Variance Estimation", CVIU 64(2), 1996: the image is filtered with the
difference of two Laplacians ``M`` (which cancels locally linear structure); for Gaussian noise of
std ``s`` the filtered values have mean absolute value ``s * 6 * sqrt(2/pi)``.  Following Tai & Yang
(2008), pixels on strong edges (top 10% of Sobel magnitude) are excluded because image structure
would otherwise be counted as noise.

Measured per RGB channel and averaged, so noise of std ``s`` added to every channel reads as ``s``;
the result is in 8-bit units (0..255 scale) whatever the source bit depth.  Textured clean photos
read 1-4 (fine texture is indistinguishable from noise for any blind estimator).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit import native

from ..sampling import stack_rows, tile_rows
from ..working_image import LUMA_WEIGHTS

_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
EDGE_EXCLUDED_FRACTION = 0.10
EDGE_SAMPLE_STEP = 7  # the edge threshold is the quantile of every 7th edge strength (as exact, 7x less to sort)
# mean |response| of [0, 1] pixels -> sigma in 8-bit units (the integer taps keep a flat image at exactly 0)
_SIGMA_PER_MEAN_ABS = 255.0 * math.sqrt(math.pi / 2.0) / 6.0
# RGB response -> responses of luma, rg = R - G and yb = (R + G)/2 - B (the filter is linear)
_OPPONENT = np.array([LUMA_WEIGHTS, (1.0, -1.0, 0.0), (0.5, 0.5, -1.0)], dtype=np.float64)
_LUMA = np.array(LUMA_WEIGHTS, dtype=np.float64)


def _edge_strength(gray: np.ndarray) -> np.ndarray:
    """|Sobel x| + |Sobel y| of a tile (only its ranking is used), full size (its 1-pixel border is not used)."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    np.abs(gx, out=gx)
    np.abs(gy, out=gy)
    return cv2.add(gx, gy, dst=gx)


@dataclass(frozen=True)
class NoiseLevels:
    """Noise std in 8-bit units: per RGB channel (the reported value), of the luma, and of the
    opponent planes rg = R - G and yb = (R + G)/2 - B (used to de-bias colourfulness)."""

    channel: float
    luma: float
    rg: float
    yb: float


def _abs_means(response: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per channel, the mean of |response| over the pixels `mask` keeps (response is overwritten)."""
    np.abs(response, out=response)
    channels = 1 if response.ndim == 2 else response.shape[2]
    return np.array(cv2.mean(response, mask=mask)[:channels])


def _stack(tiles: Sequence[np.ndarray]) -> np.ndarray:
    """Tiles one above the other in one array, so each filter runs once; where a 3x3 filter sees the
    next tile is a tile's border row, which is left out anyway."""
    return stack_rows(tiles)


def _inner_mask(rows: int, tile_h: int, tile_w: int) -> np.ndarray:
    """uint8 mask of a stack of tiles of tile_h x tile_w: 1 inside each tile, 0 on its 1-pixel border."""
    inner = np.ones((rows // tile_h, tile_h, tile_w), dtype=np.uint8)
    inner[:, 0] = inner[:, -1] = 0
    inner[:, :, 0] = inner[:, :, -1] = 0
    return inner.reshape(rows, tile_w)


def _kept_sums(response: np.ndarray, edge: np.ndarray, tile_h: int, threshold: float) -> tuple[np.ndarray, int]:
    """Sums of |response| (luma, per-channel mean, rg, yb; gray: the first two) over the pixels inside
    their tile whose edge strength is at most `threshold`, and how many there are (OpenCV masks)."""
    rows, w = edge.shape
    channels = 1 if response.ndim == 2 else response.shape[2]
    sums = np.zeros(4)
    mask = cv2.compare(edge, threshold, cv2.CMP_LE)
    cv2.bitwise_and(mask, _inner_mask(rows, tile_h, w), dst=mask)
    n = cv2.countNonZero(mask)
    if n == 0:
        return sums, 0
    if channels == 1:
        sums[0] = sums[1] = n * _abs_means(response, mask)[0]
        return sums, n
    luma, rg, yb = _abs_means(cv2.transform(response, _OPPONENT), mask)
    return n * np.array([luma, _abs_means(response, mask).mean(), rg, yb]), n


def _levels(sums: np.ndarray, count: int, gray_only: bool) -> NoiseLevels:
    if count == 0:
        return NoiseLevels(0.0, 0.0, 0.0, 0.0)
    luma, channel, rg, yb = (float(v) / count * _SIGMA_PER_MEAN_ABS for v in sums)
    return NoiseLevels(luma, luma, 0.0, 0.0) if gray_only else NoiseLevels(channel, luma, rg, yb)


def _tile_levels_native(
    lib, gray_tiles: list[np.ndarray], plane_tiles: list[np.ndarray], gray_only: bool
) -> NoiseLevels:
    """noise_levels of equally sized tiles in the kit's C kernel (noise_sums.c: edge strengths, their quantile, the
    Immerkaer responses and the pooled sums in two passes), read where they lie - or from one stack when their
    layout is not one the kernel reads."""
    channels = 1 if plane_tiles[0].ndim == 2 else plane_tiles[0].shape[2]
    gray, planes = tile_rows(gray_tiles, 1), tile_rows(plane_tiles, channels)
    if gray is None or planes is None:
        h = gray_tiles[0].shape[0]
        stacks = [np.ascontiguousarray(_stack(ts), dtype=np.float32) for ts in (gray_tiles, plane_tiles)]
        gray, planes = (tile_rows([s[i * h : (i + 1) * h] for i in range(len(gray_tiles))], c)
                        for s, c in zip(stacks, (1, channels), strict=True))  # fmt: skip
    sums = np.zeros(4)
    threshold = ctypes.c_float()
    h, w = gray_tiles[0].shape[:2]
    n = lib.noise_tile_sums(
        gray[0], planes[0], len(gray_tiles), h, w, gray[1], planes[1], channels, EDGE_SAMPLE_STEP,
        1.0 - EDGE_EXCLUDED_FRACTION, _LUMA.ctypes.data, sums.ctypes.data, ctypes.byref(threshold),
    )  # fmt: skip
    if n == ctypes.c_size_t(-1).value:
        raise MemoryError("noise_tile_sums: no memory for its scratch planes")
    return _levels(sums, int(n), gray_only)


def noise_levels(gray_tiles: Sequence[np.ndarray], rgb_tiles: Sequence[np.ndarray] | None = None) -> NoiseLevels:
    """Noise levels from [0, 1] luma tiles (or ``[whole_image]``) and the matching RGB tiles
    (None for a gray image: channel = luma, rg = yb = 0).  See sampling.tiles.

    Every tile's 1-pixel border is left out (the filters' support); the strongest 10% of the edge
    strengths, pooled over all tiles, are excluded; the rest is pooled over all tiles.
    """
    keep = [i for i, g in enumerate(gray_tiles) if min(g.shape[:2]) > 2]
    # tiles of one size are stacked and filtered together; otherwise each is its own stack
    same_size = len({gray_tiles[i].shape for i in keep}) == 1
    planes = gray_tiles if rgb_tiles is None else rgb_tiles
    lib = native.load()
    if lib is not None and keep and same_size:  # the common case, in the kernel
        return _tile_levels_native(lib, [gray_tiles[i] for i in keep], [planes[i] for i in keep], rgb_tiles is None)
    stacks = [keep] if same_size else [[i] for i in keep]
    edges = [_edge_strength(_stack([gray_tiles[i] for i in members])) for members in stacks]
    if not edges:
        return NoiseLevels(0.0, 0.0, 0.0, 0.0)
    heights = [gray_tiles[members[0]].shape[0] for members in stacks]
    pooled = np.concatenate(
        [e.reshape(-1, h, e.shape[1])[:, 1:-1, 1:-1].ravel() for e, h in zip(edges, heights, strict=True)]
    )
    threshold = float(np.quantile(pooled[::EDGE_SAMPLE_STEP], 1.0 - EDGE_EXCLUDED_FRACTION))
    sums = np.zeros(4)  # luma, per-channel mean, rg, yb: sums of |response| over the kept pixels
    count = 0
    for members, edge, h in zip(stacks, edges, heights, strict=True):
        response = cv2.filter2D(_stack([planes[i] for i in members]), cv2.CV_32F, _IMMERKAER)
        stack_sums, n = _kept_sums(response, edge, h, threshold)
        sums += stack_sums
        count += n
    return _levels(sums, count, rgb_tiles is None)


def estimate_noise_sigma(gray_tiles: Sequence[np.ndarray], rgb_tiles: Sequence[np.ndarray] | None = None) -> float:
    """Std of additive white Gaussian noise per colour channel, in 8-bit units (see noise_levels)."""
    return noise_levels(gray_tiles, rgb_tiles).channel
