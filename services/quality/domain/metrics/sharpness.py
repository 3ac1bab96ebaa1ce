"""Sharpness: RMS of a Laplacian-of-Gaussian response, with the part explained by noise removed.

The image is smoothed with a small Gaussian (sigma 0.7 px) and the 4-neighbour Laplacian taken:
this band-pass responds to the finest detail a sharp image has (and loses first when blurred)
while white noise passes it only weakly.  Noise of std ``s`` adds ``E s^2`` to the response's
variance, where ``E`` is the sum of the squared taps of the combined kernel (computed exactly
below, ~0.77); that share is subtracted using the measured luma noise.  With it the measure stays
within a few percent for added noise up to sigma 30, yet halves for a blur of sigma 1.

Result in 8-bit units (luma on 0..255); 0 for a flat image; sharp photos read ~10-13.  Measured at
native resolution (on the tiles of sampling.tiles for large images), so it depends on pixel scale:
compare images at the same size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from imagemesh_kit import native

from ..sampling import stack_rows, tile_rows

PRE_BLUR_SIGMA = 0.7
_MARGIN = 4  # border pixels dropped from every tile (filter support)


def _response(gray: np.ndarray) -> np.ndarray:
    smooth = cv2.GaussianBlur(gray, (0, 0), PRE_BLUR_SIGMA, borderType=cv2.BORDER_REFLECT)
    return cv2.Laplacian(smooth, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT)


# the blur's taps as OpenCV's GaussianBlur takes them for a float32 image (its kernel size for the sigma: 7)
_TAPS = cv2.getGaussianKernel(int(round(PRE_BLUR_SIGMA * 4 * 2 + 1)) | 1, PRE_BLUR_SIGMA, cv2.CV_32F).ravel()


def _kernel_energy() -> float:
    impulse = np.zeros((33, 33), dtype=np.float32)
    impulse[16, 16] = 1.0
    return float(np.sum(_response(impulse).astype(np.float64) ** 2))


NOISE_ENERGY = _kernel_energy()


def _kept_responses(tiles: list[np.ndarray]) -> list[np.ndarray]:
    """Each tile's LoG response without its _MARGIN border. Tiles of one size are filtered as one stack: the
    filters reach 4 rows (3 for the blur, 1 for the Laplacian), exactly the margin, so no kept value sees a
    neighbouring tile and every one equals the tile-by-tile result (tested)."""
    m = _MARGIN
    if len(tiles) > 1 and len({t.shape for t in tiles}) == 1:
        h, w = tiles[0].shape
        stacked = _response(stack_rows(tiles)).reshape(len(tiles), h, w)
        return [r[m:-m, m:-m] for r in stacked]
    return [_response(t)[m:-m, m:-m] for t in tiles]


def _log_sums_native(lib, tiles: list[np.ndarray]) -> tuple[float, float, int] | None:
    """(sum, sum of squares, count) of the kept LoG responses of equally sized tiles in the kit's kernel (log_sums.c:
    the blur, the Laplacian and the sums in one pass over each tile, read where it lies); None when the tiles' layout
    is not one it reads."""
    rows = tile_rows(tiles, 1)
    if rows is None:
        return None
    h, w = tiles[0].shape
    out = np.zeros(3)
    status = lib.log_tile_sums(rows[0], len(tiles), h, w, rows[1], _MARGIN, _TAPS.ctypes.data, _TAPS.size,
                               out.ctypes.data)  # fmt: skip
    if status == -2:
        raise MemoryError("log_tile_sums: no memory for its row buffers")
    return (float(out[0]), float(out[1]), int(out[2])) if status == 0 else None


def detail_energy(gray_tiles: Sequence[np.ndarray]) -> float:
    """Variance of the LoG response over [0, 1] luma tiles, in 8-bit units squared. Equally sized tiles go through
    the kit's kernel when it is built (the same sums to float rounding: tested), others through OpenCV."""
    kept_tiles = [t for t in gray_tiles if min(t.shape[:2]) > 2 * _MARGIN]
    lib = native.load()
    sums = _log_sums_native(lib, kept_tiles) if lib is not None and kept_tiles else None
    if sums is not None:
        total, total_sq, n = sums
        if n == 0:
            return 0.0
        mean = total / n
        return max(total_sq / n - mean * mean, 0.0) * 255.0**2
    total = total_sq = 0.0
    n = 0
    for kept in _kept_responses(kept_tiles):
        r = kept.ravel()
        total += float(r.sum(dtype=np.float64))
        total_sq += float(np.dot(r, r))
        n += r.size
    if n == 0:
        return 0.0
    mean = total / n
    return max(total_sq / n - mean * mean, 0.0) * 255.0**2


def sharpness(gray_tiles: Sequence[np.ndarray], noise_sigma: float = 0.0) -> float:
    """Noise-compensated RMS LoG response (8-bit units); ``noise_sigma``: luma noise, 8-bit units."""
    detail = detail_energy(gray_tiles) - NOISE_ENERGY * float(noise_sigma) ** 2
    return math.sqrt(max(detail, 0.0))
