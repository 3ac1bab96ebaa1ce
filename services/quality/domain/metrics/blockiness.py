"""Compression artefacts: blockiness of the 8x8 block grid JPEG (and MPEG-style) codecs leave.

For each of the 8 possible grid phases, the mean absolute luma step across that phase's block
boundaries is compared with the mean step elsewhere; the strongest phase (so a cropped image whose
grid is shifted is still caught) gives ``(boundary - elsewhere) / (elsewhere + 2/255)``, averaged
over the horizontal and vertical directions: ~0 for an uncompressed image, growing as the quality drops
(after Wang, Bovik & Evans, "Blind measurement of blocking artifacts in images", ICIP 2000).
Measured at native resolution on the same tiles as noise and sharpness.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLOCK = 8
SOFT_FLOOR = 2.0 / 255.0  # keeps nearly flat images (tiny steps everywhere) from reading as blocky


def _phase_means(sums_along: np.ndarray, rows: int) -> np.ndarray:
    """Mean |step| per grid phase (8 values) from the per-position sums of |step| along one axis
    (position p is the step between pixels p and p + 1), each over `rows` lines."""
    n = sums_along.size
    padded = np.zeros(-(-n // BLOCK) * BLOCK)
    padded[:n] = sums_along
    counts = np.array([len(range(p, n, BLOCK)) for p in range(BLOCK)], dtype=np.float64) * rows
    return padded.reshape(-1, BLOCK).sum(axis=0) / np.maximum(counts, 1)


def _direction_blockiness(means: np.ndarray) -> float:
    best = int(np.argmax(means))
    others = np.delete(means, best).mean()
    return float((means[best] - others) / (others + SOFT_FLOOR))


def _step_sums(tile_stack: np.ndarray, axis: int) -> np.ndarray:
    """Per position along `axis` (1: rows, 2: columns), the sum of |step| over the stack's tiles."""
    steps = np.abs(np.diff(tile_stack, axis=axis))
    other = 2 if axis == 1 else 1
    return steps.sum(axis=(0, other), dtype=np.float64)


def blockiness(gray_tiles: Sequence[np.ndarray]) -> float:
    """Blockiness (>= 0) of [0, 1] luma tiles (or ``[whole_image]``); the tiles' statistics are pooled."""
    usable = [t for t in gray_tiles if min(t.shape) > 2 * BLOCK]
    if not usable:
        return 0.0
    directions = []
    for axis in (2, 1):  # horizontal steps (across columns), then vertical ones (across rows)
        means = np.zeros(BLOCK)
        weight = np.zeros(BLOCK)
        for shape in sorted({t.shape for t in usable}):
            stack = np.stack([t for t in usable if t.shape == shape])
            lines = stack.shape[0] * shape[0 if axis == 2 else 1]
            phase = _phase_means(_step_sums(stack, axis), lines)
            n = shape[1 if axis == 2 else 0] - 1
            count = np.array([len(range(p, n, BLOCK)) for p in range(BLOCK)], dtype=np.float64) * lines
            means += phase * count
            weight += count
        directions.append(_direction_blockiness(means / np.maximum(weight, 1)))
    return max(0.0, 0.5 * (directions[0] + directions[1]))
