"""Pick the header reader for a sniffed format."""

from __future__ import annotations

from collections.abc import Callable

from ..formats import ImageFormat
from .bmp import read_bmp_size
from .gif import read_gif_size
from .jpeg import read_jpeg_size
from .png import read_png_size
from .source import ByteSource
from .tiff import read_tiff_size
from .webp import read_webp_size

_READERS: dict[ImageFormat, Callable[[ByteSource], tuple[int, int]]] = {
    ImageFormat.PNG: read_png_size,
    ImageFormat.JPEG: read_jpeg_size,
    ImageFormat.WEBP: read_webp_size,
    ImageFormat.GIF: read_gif_size,
    ImageFormat.TIFF: read_tiff_size,
    ImageFormat.BMP: read_bmp_size,
}


def read_dimensions(fmt: ImageFormat, src: ByteSource) -> tuple[int, int]:
    """(width, height) as stored in the header of a `fmt` image (EXIF orientation not applied)."""
    return _READERS[fmt](src)
