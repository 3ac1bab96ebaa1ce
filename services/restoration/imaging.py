"""Bytes <-> pixels for the worker and the detection endpoints. Synchronous and CPU-bound: run in a pool."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from imagemesh_kit.errors import InvalidArgument


def decode(data: bytes) -> np.ndarray:
    """RGB uint8 pixels of the first frame (alpha is dropped: the models work on colour)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return np.asarray(img.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidArgument.for_field(
            "image_id", f"the image could not be decoded ({type(exc).__name__})", reason="IMAGE_UNREADABLE"
        ) from None


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    extension: str


def encode(pixels: np.ndarray, *, max_png_bytes: int, png_compression: int = 1) -> Encoded:
    """PNG (lossless); JPEG at quality 95 when the PNG would exceed `max_png_bytes` (a large upscaled
    photo compresses badly as PNG and must still fit in storage's size limit)."""
    bgr = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    options = [cv2.IMWRITE_PNG_COMPRESSION, png_compression, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB]
    ok, png = cv2.imencode(".png", bgr, options)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 RGB array
        raise RuntimeError("PNG encoding failed")
    if len(png) <= max_png_bytes:
        return Encoded(png.tobytes(), "image/png", "png")
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    return Encoded(jpeg.tobytes(), "image/jpeg", "jpg")
