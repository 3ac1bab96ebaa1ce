"""Storage-specific domain errors and the stable `reason` strings clients branch on."""

from __future__ import annotations

from imagemesh_kit.errors import Cancelled as KitCancelled
from imagemesh_kit.errors import InvalidArgument, ResourceExhausted

EMPTY_BODY = "EMPTY_BODY"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
CORRUPT_IMAGE = "CORRUPT_IMAGE"
IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
TOO_MANY_PIXELS = "TOO_MANY_PIXELS"
INVALID_THUMBNAIL_SIZE = "INVALID_THUMBNAIL_SIZE"
INVALID_LIMITS = "INVALID_LIMITS"
CANCELLED = "CANCELLED"

SUPPORTED_TYPES_TEXT = "PNG, JPEG, WebP, GIF, TIFF or BMP"


class Cancelled(KitCancelled):
    """A long operation stopped because its `should_stop()` callable said so."""

    status = "CANCELLED"
    default_reason = CANCELLED


def empty_body() -> InvalidArgument:
    return InvalidArgument.for_field("content", "the image body is empty", reason=EMPTY_BODY)


def unsupported_media_type() -> InvalidArgument:
    return InvalidArgument.for_field(
        "content", f"not a supported image; send {SUPPORTED_TYPES_TEXT}", reason=UNSUPPORTED_MEDIA_TYPE
    )


def corrupt_image(detail: str = "the image is truncated or corrupt") -> InvalidArgument:
    """`detail` must be public-safe (no paths, no library internals)."""
    return InvalidArgument.for_field("content", detail, reason=CORRUPT_IMAGE)


def image_too_large(max_bytes: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"the image is larger than the limit of {max_bytes} bytes",
        reason=IMAGE_TOO_LARGE,
        metadata={"max_bytes": str(max_bytes)},
    )


def too_many_pixels(width: int, height: int, max_pixels: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"the image is {width}x{height} pixels, more than the limit of {max_pixels} pixels",
        reason=TOO_MANY_PIXELS,
        metadata={"max_pixels": str(max_pixels), "width": str(width), "height": str(height)},
    )


def too_large_to_decode() -> ResourceExhausted:
    """Pillow's own decompression-bomb guard refused the image (limits set above Pillow's)."""
    return ResourceExhausted("the image has too many pixels to decode safely", reason=TOO_MANY_PIXELS)
