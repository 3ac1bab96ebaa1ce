"""Rows <-> bytes for storage: one uint8 row is stored as ``width`` raw bytes (no float, no text)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument


def encode_rows(pixels: np.ndarray) -> list[bytes]:
    """uint8[n, w] -> n byte strings of length w (for a bulk insert)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise InvalidArgument.for_field("pixels", "must be a 2-D uint8 array", reason="INVALID_PIXELS")
    contiguous = np.ascontiguousarray(pixels)
    width = contiguous.shape[1]
    flat = contiguous.tobytes()
    return [flat[start : start + width] for start in range(0, len(flat), width)] if width else []


def decode_rows(blobs: Sequence[bytes], width: int) -> np.ndarray:
    """n stored byte strings of length ``width`` -> uint8[n, width] (FailedPrecondition if one is corrupt)."""
    for index, blob in enumerate(blobs):
        if len(blob) != width:
            raise FailedPrecondition(
                f"stored row {index} has {len(blob)} bytes, expected {width}", reason="CORRUPT_STORED_ROW"
            )
    if not blobs:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)
