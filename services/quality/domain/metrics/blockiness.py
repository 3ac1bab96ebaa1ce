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


def _phase_sums(tile_stack: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of |step| and number of steps per grid phase (8 values each), over a stack of equal tiles;
    axis 2: steps across columns, 1: across rows (phase p: steps between pixels p and p + 1 mod 8)."""
    per_position = np.abs(np.diff(tile_stack, axis=axis)).sum(axis=(0, 3 - axis), dtype=np.float64)
    n = per_position.size
    padded = np.zeros(-(-n // BLOCK) * BLOCK)
    padded[:n] = per_position
    lines = tile_stack.shape[0] * tile_stack.shape[3 - axis]
    counts = np.array([len(range(p, n, BLOCK)) for p in range(BLOCK)], dtype=np.float64) * lines
    return padded.reshape(-1, BLOCK).sum(axis=0), counts


def _direction_blockiness(means: np.ndarray) -> float:
    best = int(np.argmax(means))
    others = np.delete(means, best).mean()
    return float((means[best] - others) / (others + SOFT_FLOOR))


def blockiness(gray_tiles: Sequence[np.ndarray]) -> float:
    """Blockiness (>= 0) of [0, 1] luma tiles (or ``[whole_image]``); the tiles' statistics are pooled
    (tiles of one size are stacked and differenced together)."""
    usable = [t for t in gray_tiles if min(t.shape) > 2 * BLOCK]
    if not usable:
        return 0.0
    stacks = [np.stack([t for t in usable if t.shape == shape]) for shape in sorted({t.shape for t in usable})]
    directions = []
    for axis in (2, 1):  # horizontal steps (across columns), then vertical ones (across rows)
        sums, counts = (sum(parts) for parts in zip(*(_phase_sums(s, axis) for s in stacks), strict=True))
        directions.append(_direction_blockiness(sums / np.maximum(counts, 1)))
    return max(0.0, 0.5 * (directions[0] + directions[1]))
