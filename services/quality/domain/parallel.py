"""Using the machine's cores inside one request: independent pieces side by side, and local filters
applied to horizontal bands of a large image.

OpenCV and NumPy release the GIL in their kernels, so plain threads run them on separate cores. One
shared pool serves every request; its tasks are leaves (they never wait on other pool tasks), so a
pool full of work only queues and never deadlocks. The calling thread always does a share of the work
itself: with the pool busy, a request still progresses at single-thread speed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

WORKERS = max(1, min(4, (os.cpu_count() or 1)))
BAND_MIN_ROWS = 256  # below this a band is not worth a thread hop
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="quality-inner")
        return _pool


def submit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Run a leaf task on the shared pool (in-line when the machine has one core)."""
    if WORKERS == 1:
        done: Future = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            done.set_exception(exc)
        return done
    return _shared_pool().submit(fn, *args, **kwargs)


def band_rows(height: int, bands: int, align: int = 2) -> list[tuple[int, int]]:
    """Split [0, height) into `bands` contiguous row ranges whose inner edges are multiples of `align`
    (so a 2x downscale inside a band sees the same pixel pairs as on the whole image)."""
    edges = [0]
    for i in range(1, bands):
        edges.append(min(height, (round(i * height / bands) // align) * align))
    edges.append(height)
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a]


def banded(fn: Callable[[np.ndarray], np.ndarray], image: np.ndarray, halo: int) -> np.ndarray:
    """fn(image) computed band by band in parallel, for a *local* fn (each output pixel depends only on
    input pixels within `halo` rows): each band is processed with `halo` extra rows of context on both
    sides, which are cut off afterwards, so the result equals fn(image) away from float rounding.
    `halo` must be even (see band_rows)."""
    h = image.shape[0]
    bands = min(WORKERS, h // BAND_MIN_ROWS)
    if bands < 2:
        return fn(image)
    ranges = band_rows(h, bands)

    def run(rows: tuple[int, int]) -> np.ndarray:
        a, b = rows
        lo, hi = max(0, a - halo), min(h, b + halo)
        return fn(image[lo:hi])[a - lo : a - lo + (b - a)]

    futures = [submit(run, r) for r in ranges[1:]]
    first = run(ranges[0])
    return np.concatenate([first, *(f.result() for f in futures)], axis=0)


__all__ = ["WORKERS", "band_rows", "banded", "submit"]
