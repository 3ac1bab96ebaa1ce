"""PNG encoding of colored depth rows (validated wrappers over ``png_write``) and decoding for checks."""

from __future__ import annotations

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .png_write import write_png, write_png_rows

MAX_ROW_HEIGHT = 64


def check_row_height(row_height: int, field_name: str = "row_height") -> int:
    """An integer 1..MAX_ROW_HEIGHT: how many times each data row is repeated in the picture."""
    if isinstance(row_height, bool) or not isinstance(row_height, (int, np.integer)):
        raise InvalidArgument.for_field(field_name, "must be an integer", reason="INVALID_ROW_HEIGHT")
    if not 1 <= row_height <= MAX_ROW_HEIGHT:
        raise InvalidArgument.for_field(
            field_name, f"must be between 1 and {MAX_ROW_HEIGHT}", reason="INVALID_ROW_HEIGHT"
        )
    return int(row_height)


def encode_png_rgb(image_rgb: np.ndarray, *, row_height: int = 1) -> bytes:
    """PNG bytes of a non-empty uint8[h, w, 3] RGB image, each row repeated ``row_height`` times."""
    row_height = check_row_height(row_height)
    if image_rgb.dtype != np.uint8 or image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or 0 in image_rgb.shape:
        raise InvalidArgument.for_field("image", "must be a non-empty uint8[h, w, 3] array", reason="INVALID_IMAGE")
    if row_height > 1:
        image_rgb = np.repeat(image_rgb, row_height, axis=0)
    return write_png(image_rgb)


def encode_png_indexed(values: np.ndarray, palette: np.ndarray, *, row_height: int = 1) -> bytes:
    """Palette PNG of non-empty uint8[h, w] values with a uint8[256, 3] RGB palette (value -> color)."""
    row_height = check_row_height(row_height)
    if values.dtype != np.uint8 or values.ndim != 2 or 0 in values.shape:
        raise InvalidArgument.for_field("pixels", "must be a non-empty uint8[h, w] array", reason="INVALID_PIXELS")
    if palette.shape != (256, 3) or palette.dtype != np.uint8:
        raise InvalidArgument.for_field("palette", "must be uint8[256, 3]", reason="INVALID_PALETTE")
    if row_height > 1:
        values = np.repeat(values, row_height, axis=0)
    return write_png(values, palette=palette)


def encode_png_frames(rgb_rows: np.ndarray, *, height: int = 1) -> list[bytes]:
    """One RGB PNG (w x height) per row of uint8[n, w, 3]; an empty batch gives an empty list."""
    height = check_row_height(height, "frame_height")
    if rgb_rows.dtype != np.uint8 or rgb_rows.ndim != 3 or rgb_rows.shape[2] != 3 or rgb_rows.shape[1] == 0:
        raise InvalidArgument.for_field("rows", "must be uint8[n, w, 3] with w >= 1", reason="INVALID_IMAGE")
    return write_png_rows(rgb_rows, height=height) if rgb_rows.shape[0] else []


def decode_png_rgb(data: bytes) -> np.ndarray:
    """Decode PNG bytes to uint8[h, w, 3] RGB (for tests and tools)."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise InvalidArgument.for_field("png", "is not a decodable image", reason="INVALID_PNG")
    return np.ascontiguousarray(image[..., ::-1])
