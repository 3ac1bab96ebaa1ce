"""A synthetic depth log shaped like the AIQ challenge's img.csv (the real file is not available).

Shape: header ``depth,col1..col200``; depths 9000.1, 9000.2, ... in 0.1 steps; integer pixels in
13..237 with layered, gently dipping "geological" structure; the first row is the documented one
(224 x 191, then 225,226,225,224,223,221,220,217,217); the file ends with one all-empty row
(pandas reads it as all-NaN), like the real file. Deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.ndimage import gaussian_filter1d

FIRST_ROW = [224] * 191 + [225, 226, 225, 224, 223, 221, 220, 217, 217]
VALUE_MIN, VALUE_MAX = 13, 237
DEPTH_START_TENTHS = 90001  # 9000.1
_BLOCK_ROWS = 8192


def make_depth_log(rows: int = 5460, width: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return (depths float64[rows], pixels uint8[rows, width]) of a synthetic layered log."""
    rng = np.random.default_rng(seed)
    # layer "lithology" along depth: piecewise-constant levels with smoothed boundaries
    n_layers = max(2, rows // 40)
    boundaries = np.sort(rng.choice(np.arange(1, rows + 400), size=n_layers - 1, replace=False))
    levels = rng.uniform(25, 228, size=n_layers)  # seed 0 spans 13..237 like the real file
    extended = np.repeat(levels, np.diff(np.concatenate(([0], boundaries, [rows + 400]))))
    trace = gaussian_filter1d(extended.astype(np.float64), sigma=2.5)
    trace += gaussian_filter1d(rng.normal(0, 6, trace.size), sigma=8) * 3
    # gentle dip and lateral undulation: column x samples the trace at depth index + offset(x)
    x = np.arange(width)
    offset = 200 + 0.35 * x + 12 * np.sin(2 * np.pi * x / width * 1.5 + rng.uniform(0, 6.3))
    first = np.interp(np.linspace(0, 199, width), np.arange(200), FIRST_ROW)
    pixels = np.empty((rows, width), dtype=np.uint8)
    for begin in range(0, rows, _BLOCK_ROWS):  # blocks keep float temporaries small for 100k rows
        index = np.arange(begin, min(rows, begin + _BLOCK_ROWS))
        image = np.interp(index[:, None] + offset[None, :], np.arange(trace.size), trace)
        image += gaussian_filter1d(rng.normal(0, 5, (index.size, width)), sigma=1.2, axis=1)
        blend = np.clip(index / 30.0, 0, 1)[:, None]  # fade the first rows towards the documented first row
        image = blend * image + (1 - blend) * first[None, :]
        pixels[index] = np.clip(np.rint(image), VALUE_MIN, VALUE_MAX)
    if width == 200 and rows:
        pixels[0] = FIRST_ROW
    depths = (DEPTH_START_TENTHS + np.arange(rows)) / 10.0
    return depths, pixels


def iter_csv_blocks(
    depths: np.ndarray, pixels: np.ndarray, *, trailing_empty_row: bool = True, block_rows: int = 5000
) -> Iterator[bytes]:
    """CSV text ``depth,col1..colN`` in blocks of lines (depths with one decimal, integer pixels)."""
    width = pixels.shape[1]
    yield ("depth," + ",".join(f"col{k}" for k in range(1, width + 1)) + "\n").encode("ascii")
    texts = [str(v) for v in range(256)]
    for begin in range(0, len(depths), block_rows):
        block = zip(
            depths[begin : begin + block_rows].tolist(), pixels[begin : begin + block_rows].tolist(), strict=True
        )
        yield "".join(f"{depth:.1f}," + ",".join([texts[v] for v in row]) + "\n" for depth, row in block).encode()
    if trailing_empty_row:
        yield ("," * width + "\n").encode("ascii")


def to_csv_bytes(depths: np.ndarray, pixels: np.ndarray, *, trailing_empty_row: bool = True) -> bytes:
    """The whole CSV text as bytes (see :func:`iter_csv_blocks`)."""
    return b"".join(iter_csv_blocks(depths, pixels, trailing_empty_row=trailing_empty_row))


def make_depth_csv(rows: int = 5461, width: int = 200, seed: int = 0) -> bytes:
    """CSV bytes with ``rows`` rows in all, the last one all-empty (like the real file: 5,461 rows)."""
    depths, pixels = make_depth_log(max(0, rows - 1), width, seed)
    return to_csv_bytes(depths, pixels, trailing_empty_row=True)
