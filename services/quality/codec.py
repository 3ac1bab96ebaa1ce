"""Encoded image bytes <-> pixel arrays in the layout the domain takes (RGB order, 8 or 16 bit).

Plain 8/16-bit gray, RGB and RGBA PNGs go through the kit's fast reader (imagemesh_kit.png_read: libdeflate and a
C unfilter, about half OpenCV's CPU time); OpenCV decodes the rest (PNG/JPEG/WebP/TIFF/BMP, keeping 16-bit
samples and alpha) and Pillow what it cannot (GIF). Enhanced images are encoded as PNG (lossless, keeps 16-bit
and alpha).
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from imagemesh_kit import png, png_read
from imagemesh_kit.errors import InvalidArgument, ResourceExhausted


def _header_pixels(data: bytes) -> int | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width * image.height
    except Exception:
        return None  # let the decoder say what is wrong


def _from_opencv(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 3 and pixels.shape[2] == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA)
    return pixels


def _with_pillow(data: bytes) -> np.ndarray | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.mode not in ("L", "I;16", "RGB", "RGBA"):
                transparent = "A" in image.getbands() or "transparency" in image.info
                image = image.convert("RGBA" if transparent else "RGB")
            return np.asarray(image)
    except Exception:
        return None


def decode(data: bytes, *, field: str, max_pixels: int) -> np.ndarray:
    """Pixels of an encoded image: HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA), uint8 or uint16."""
    pixels_in_header = _header_pixels(data)
    if pixels_in_header is not None and pixels_in_header > max_pixels:
        raise ResourceExhausted(
            f"{field}: images above {max_pixels:,} pixels cannot be assessed", reason="IMAGE_TOO_LARGE"
        )
    pixels = png_read.read_png(data)  # None unless a plain PNG it reads exactly as OpenCV would
    if pixels is None:
        buffer = np.frombuffer(data, dtype=np.uint8)
        pixels = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED) if buffer.size else None
        pixels = _from_opencv(pixels) if pixels is not None else _with_pillow(data)
    if pixels is None or pixels.dtype not in (np.uint8, np.uint16):
        raise InvalidArgument.for_field(field, "the stored image could not be decoded", reason="UNDECODABLE_IMAGE")
    if pixels.shape[0] * pixels.shape[1] > max_pixels:
        raise ResourceExhausted(
            f"{field}: images above {max_pixels:,} pixels cannot be assessed", reason="IMAGE_TOO_LARGE"
        )
    return pixels


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of RGB(A)/gray(+alpha) pixels, uint8 or uint16: Huffman-only deflate of SUB-filtered rows,
    in parallel slices (imagemesh_kit.png); 3.2 MB and ~35 ms for a 2 MP photo on two cores, against ~50 ms
    for OpenCV's encoder with the same settings on one."""
    return png.encode_png(np.ascontiguousarray(pixels))
