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


def _phase_means(diffs: list[np.ndarray]) -> np.ndarray:
    """Mean |step| per grid phase (8 values), pooled over tiles; diffs are along axis 1."""
    sums = np.zeros(BLOCK)
    counts = np.zeros(BLOCK)
    for d in diffs:
        per_col = d.sum(axis=0, dtype=np.float64)
        n = per_col.size
        for p in range(BLOCK):
            sums[p] += per_col[p::BLOCK].sum()
            counts[p] += len(range(p, n, BLOCK)) * d.shape[0]
    return sums / np.maximum(counts, 1)


def _direction_blockiness(diffs: list[np.ndarray]) -> float:
    means = _phase_means(diffs)
    best = int(np.argmax(means))
    others = np.delete(means, best).mean()
    return float((means[best] - others) / (others + SOFT_FLOOR))


def blockiness(gray_tiles: Sequence[np.ndarray]) -> float:
    """Blockiness (>= 0) of [0, 1] luma tiles (or ``[whole_image]``)."""
    usable = [t for t in gray_tiles if min(t.shape) > 2 * BLOCK]
    if not usable:
        return 0.0
    horiz = [np.abs(np.diff(t, axis=1)) for t in usable]
    vert = [np.abs(np.diff(t, axis=0)).T for t in usable]
    return max(0.0, 0.5 * (_direction_blockiness(horiz) + _direction_blockiness(vert)))
