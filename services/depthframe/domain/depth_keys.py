"""Exact integer keys for float depths.

Depths arrive as decimal text (``9000.1``) and become float64, which cannot hold 9000.1 exactly;
a depth computed elsewhere (``9000.0 + 0.1``) may differ from the parsed one in the last bit.
All depth comparisons (duplicates, range bounds, database index) therefore use a fixed-point
integer key: ``round(depth * 10**DEPTH_DECIMALS)``. Two depths closer than half of
``10**-DEPTH_DECIMALS`` are the same depth.
"""

from __future__ import annotations

import numpy as np

DEPTH_DECIMALS = 4
DEPTH_SCALE = 10**DEPTH_DECIMALS
#: Largest accepted |depth|; keeps keys well inside the exact range of float64 and int64.
DEPTH_ABS_MAX = 1e9


def depth_keys(depths: np.ndarray) -> np.ndarray:
    """int64 keys of finite float depths (|depth| <= DEPTH_ABS_MAX), rounded half to even."""
    return np.rint(np.asarray(depths, dtype=np.float64) * DEPTH_SCALE).astype(np.int64)


def depth_key(depth: float) -> int:
    """The key of one finite depth (same rounding as :func:`depth_keys`)."""
    return int(np.rint(float(depth) * DEPTH_SCALE))
