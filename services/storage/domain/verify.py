"""Verification decode: proves the bytes after a good header really are a complete image.

Runs only after the header checks and the pixel limit passed, so decoding is bounded. Kept cheap:
PNG is verified by walking its chunks and CRCs without inflating pixels; JPEG is decoded at 1/8
scale (the whole entropy-coded stream is still read, so truncation is caught); the other formats
decode their first frame.
"""

from __future__ import annotations

from typing import BinaryIO

from PIL import Image

from imagemesh_kit.errors import DomainError

from .errors import corrupt_image, too_large_to_decode
from .formats import ImageFormat

PIL_FORMAT_NAMES = {
    ImageFormat.PNG: "PNG",
    ImageFormat.JPEG: "JPEG",
    ImageFormat.WEBP: "WEBP",
    ImageFormat.GIF: "GIF",
    ImageFormat.TIFF: "TIFF",
    ImageFormat.BMP: "BMP",
}


def verify_decodable(fileobj: BinaryIO, fmt: ImageFormat, size: tuple[int, int]) -> None:
    """Raise CORRUPT_IMAGE unless `fileobj` decodes as a `fmt` image of exactly `size` (w, h)."""
    try:
        with Image.open(fileobj, formats=[PIL_FORMAT_NAMES[fmt]]) as image:
            if image.size != size:
                raise corrupt_image("the image header is inconsistent")
            if fmt is ImageFormat.PNG:
                image.verify()
            else:
                if fmt is ImageFormat.JPEG:
                    image.draft(image.mode, (1, 1))
                image.load()
    except (MemoryError, DomainError):
        raise
    except Image.DecompressionBombError as exc:  # only when limits exceed Pillow's MAX_IMAGE_PIXELS
        raise too_large_to_decode() from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, EOFError, struct.error...
        raise corrupt_image() from exc
