"""Image formats the storage service accepts, and sniffing them from magic bytes.

The client's Content-Type header is never trusted: the format is whatever the first bytes say.
"""

from __future__ import annotations

import enum

SNIFF_BYTES = 16  # enough leading bytes for every signature below


class ImageFormat(enum.Enum):
    """A supported image format, with its canonical MIME type and file extension."""

    PNG = ("image/png", ".png")
    JPEG = ("image/jpeg", ".jpg")
    WEBP = ("image/webp", ".webp")
    GIF = ("image/gif", ".gif")
    TIFF = ("image/tiff", ".tiff")
    BMP = ("image/bmp", ".bmp")

    @property
    def content_type(self) -> str:
        return self.value[0]

    @property
    def extension(self) -> str:
        return self.value[1]


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff_format(head: bytes) -> ImageFormat | None:
    """The format the leading bytes of a file announce, or None when they match no supported format.

    `head` should hold at least `SNIFF_BYTES` bytes (fewer is fine for a short file).
    Only the signature is checked here; the header readers validate the rest.
    """
    if head.startswith(_PNG_SIGNATURE):
        return ImageFormat.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if len(head) >= 12 and head[0:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageFormat.WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ImageFormat.GIF
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return ImageFormat.TIFF
    if head[:2] == b"BM" and len(head) >= 14:
        return ImageFormat.BMP
    return None
