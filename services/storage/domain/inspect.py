"""Validate an uploaded image and describe it: the storage service's upload pipeline.

Order matters and is cheap-first: empty body -> byte limit -> magic bytes -> header dimensions ->
pixel limit -> verification decode. A pixel bomb (say a PNG claiming 100k x 100k) is refused by the
pixel limit before any pixel is decoded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from imagemesh_kit.errors import DomainError

from .errors import empty_body, image_too_large, too_many_pixels, unsupported_media_type
from .formats import SNIFF_BYTES, ImageFormat, sniff_format
from .headers.dispatch import read_dimensions
from .headers.source import ByteSource, BytesSource, FileSource
from .limits import ImageLimits
from .steps import ProgressFn, StopFn, run_steps
from .trailers import check_complete
from .verify import verify_decodable


@dataclass(frozen=True)
class ImageInfo:
    """What the storage service records about a valid image."""

    format: ImageFormat
    content_type: str
    width: int
    height: int
    size_bytes: int


@dataclass
class _Inspection:
    source: ByteSource
    size_bytes: int
    open_for_decode: Callable[[], BinaryIO]
    limits: ImageLimits
    format: ImageFormat | None = None
    width: int = 0
    height: int = 0


def _check_not_empty(ctx: _Inspection) -> None:
    if ctx.size_bytes == 0:
        raise empty_body()


def _check_byte_limit(ctx: _Inspection) -> None:
    if ctx.size_bytes > ctx.limits.max_bytes:
        raise image_too_large(ctx.limits.max_bytes)


def _sniff(ctx: _Inspection) -> None:
    ctx.format = sniff_format(ctx.source.read_at(0, SNIFF_BYTES))
    if ctx.format is None:
        raise unsupported_media_type()


def _read_header(ctx: _Inspection) -> None:
    assert ctx.format is not None
    ctx.width, ctx.height = read_dimensions(ctx.format, ctx.source)


def _check_pixel_limit(ctx: _Inspection) -> None:
    if ctx.width * ctx.height > ctx.limits.max_pixels:
        raise too_many_pixels(ctx.width, ctx.height, ctx.limits.max_pixels)


def _check_complete(ctx: _Inspection) -> None:
    assert ctx.format is not None
    check_complete(ctx.format, ctx.source, ctx.size_bytes)


def _verify(ctx: _Inspection) -> None:
    assert ctx.format is not None
    verify_decodable(ctx.open_for_decode(), ctx.format, (ctx.width, ctx.height))


_HEADER_STEPS = [
    ("checked the body is not empty", _check_not_empty),
    ("checked the size limit", _check_byte_limit),
    ("identified the format", _sniff),
    ("read the dimensions", _read_header),
    ("checked the pixel limit", _check_pixel_limit),
]
_ALL_STEPS = [
    *_HEADER_STEPS,
    ("checked the file is complete", _check_complete),
    ("verified the image decodes", _verify),
]


def _info(ctx: _Inspection) -> ImageInfo:
    assert ctx.format is not None
    return ImageInfo(ctx.format, ctx.format.content_type, ctx.width, ctx.height, ctx.size_bytes)


def inspect_image(
    data: bytes,
    limits: ImageLimits | None = None,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ImageInfo:
    """Validate in-memory image bytes and return their format and dimensions.

    Raises InvalidArgument (EMPTY_BODY, UNSUPPORTED_MEDIA_TYPE, CORRUPT_IMAGE), ResourceExhausted
    (IMAGE_TOO_LARGE, TOO_MANY_PIXELS) or Cancelled.
    """
    ctx = _Inspection(BytesSource(data), len(data), lambda: io.BytesIO(data), limits or ImageLimits())
    run_steps(ctx, _ALL_STEPS, on_progress, should_stop)
    return _info(ctx)


def inspect_header(data: bytes, limits: ImageLimits | None = None) -> ImageInfo:
    """Only the cheap checks (empty, byte limit, format, header dimensions, pixel limit), no
    verification decode: for callers that decode the image themselves right after (thumbnails)."""
    ctx = _Inspection(BytesSource(data), len(data), lambda: io.BytesIO(data), limits or ImageLimits())
    run_steps(ctx, _HEADER_STEPS)
    return _info(ctx)


def inspect_file(
    fileobj: BinaryIO,
    limits: ImageLimits | None = None,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ImageInfo:
    """Like `inspect_image` for a seekable binary file (e.g. a spooled upload); never reads it whole
    into memory except what the verification decode needs."""
    size = fileobj.seek(0, io.SEEK_END)

    def reopen() -> BinaryIO:
        fileobj.seek(0)
        return fileobj

    ctx = _Inspection(FileSource(fileobj), size, reopen, limits or ImageLimits())
    run_steps(ctx, _ALL_STEPS, on_progress, should_stop)
    return _info(ctx)


def check_upload_head(head: bytes, limits: ImageLimits | None = None) -> ImageFormat:
    """Fail fast on the first bytes of a streamed upload, before storing the rest.

    Sniffs the format and, when the header fits in `head`, applies the pixel limit. Passing this
    check is not enough: run `inspect_file`/`inspect_image` on the whole upload afterwards.
    """
    limits = limits or ImageLimits()
    if not head:
        raise empty_body()
    ctx = _Inspection(BytesSource(head), len(head), lambda: io.BytesIO(head), limits)
    _sniff(ctx)
    try:
        _read_header(ctx)
    except DomainError:  # header not complete within `head`: decided later on the whole upload
        assert ctx.format is not None
        return ctx.format
    _check_pixel_limit(ctx)
    assert ctx.format is not None
    return ctx.format
