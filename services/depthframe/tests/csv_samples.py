"""Small CSV builders and an independent area-resize for the tests."""

from __future__ import annotations

import numpy as np


def header(width: int) -> str:
    return "depth," + ",".join(f"col{k}" for k in range(1, width + 1))


def csv_bytes(rows: list[str], width: int = 3, *, newline: str = "\n") -> bytes:
    """A CSV with the standard header for ``width`` pixel columns and the given data lines."""
    return (newline.join([header(width), *rows]) + newline).encode()


def csv_from_arrays(depths: np.ndarray, pixels: np.ndarray) -> bytes:
    lines = [f"{d!r}," + ",".join(str(v) for v in row) for d, row in zip(depths.tolist(), pixels.tolist(), strict=True)]
    return csv_bytes(lines, pixels.shape[1])


def area_resize_reference(pixels: np.ndarray, width: int) -> np.ndarray:
    """Independent area averaging with exact integer overlaps, rounded half to even.

    Scaled by ``width``, input pixel i spans [i*w, (i+1)*w) and output pixel j spans [j*n, (j+1)*n).
    """
    n = pixels.shape[1]
    i = np.arange(n)[:, None]
    j = np.arange(width)[None, :]
    overlap = np.clip(np.minimum((i + 1) * width, (j + 1) * n) - np.maximum(i * width, j * n), 0, None)
    return np.rint(pixels.astype(np.float64) @ overlap / n).astype(np.uint8)
