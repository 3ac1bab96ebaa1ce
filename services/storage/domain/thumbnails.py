"""Thumbnails: a small preview that fits in size x size, as JPEG (opaque) or PNG (with alpha).

Pipeline: header checks + limits (no separate verification decode: the decode itself rejects
truncated or corrupt data) -> decode (JPEG via draft mode, i.e. DCT downscaling) -> apply EXIF
orientation -> normalise the pixel mode -> resize (aspect kept, never upscaled) -> encode.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from imagemesh_kit.errors import DomainError, InvalidArgument

from .errors import INVALID_THUMBNAIL_SIZE, corrupt_image, too_large_to_decode
from .formats import ImageFormat
from .inspect import ImageInfo, inspect_header
from .limits import ImageLimits
from .steps import ProgressFn, StopFn, run_steps
from .verify import PIL_FORMAT_NAMES

MIN_THUMBNAIL_SIZE = 16
MAX_THUMBNAIL_SIZE = 1024
DEFAULT_THUMBNAIL_SIZE = 256
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Thumbnail:
    """Encoded thumbnail bytes and what they are."""

    data: bytes
    content_type: str
    width: int
    height: int


@dataclass
class _Work:
    data: bytes
    size: int
    limits: ImageLimits
    info: ImageInfo | None = None
    image: Image.Image | None = None
    result: Thumbnail | None = None


def validate_thumbnail_size(size: int) -> int:
    """`size` if it is an int in [16, 1024], else InvalidArgument(INVALID_THUMBNAIL_SIZE)."""
    if isinstance(size, bool) or not isinstance(size, int) or not (MIN_THUMBNAIL_SIZE <= size <= MAX_THUMBNAIL_SIZE):
        raise InvalidArgument.for_field(
            "size",
            f"must be an integer from {MIN_THUMBNAIL_SIZE} to {MAX_THUMBNAIL_SIZE}",
            reason=INVALID_THUMBNAIL_SIZE,
        )
    return size


def _inspect(work: _Work) -> None:
    work.info = inspect_header(work.data, work.limits)


def _decode(work: _Work) -> None:
    assert work.info is not None
    try:
        image = Image.open(io.BytesIO(work.data), formats=[PIL_FORMAT_NAMES[work.info.format]])
        if image.size != (work.info.width, work.info.height):
            raise corrupt_image("the image header is inconsistent")
        if work.info.format is ImageFormat.JPEG:
            image.draft(image.mode, (work.size, work.size))
        image.load()
    except (DomainError, MemoryError):
        raise
    except Image.DecompressionBombError as exc:
        raise too_large_to_decode() from exc
    except Exception as exc:
        raise corrupt_image() from exc
    work.image = image


def _orient(work: _Work) -> None:
    assert work.image is not None
    work.image = ImageOps.exif_transpose(work.image)


def _normalise_mode(work: _Work) -> None:
    assert work.image is not None
    work.image = to_display_mode(work.image)


def _resize(work: _Work) -> None:
    assert work.image is not None
    work.image.thumbnail((work.size, work.size), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(work: _Work) -> None:
    assert work.image is not None
    image = work.image
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB" if image.mode == "RGBA" else "L")  # alpha present but unused
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA"):
        image.save(out, format="PNG", optimize=False)
        content_type = "image/png"
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = "image/jpeg"
    work.result = Thumbnail(out.getvalue(), content_type, image.size[0], image.size[1])


_STEPS = [
    ("checked the image", _inspect),
    ("decoded the image", _decode),
    ("applied the EXIF orientation", _orient),
    ("normalised the colours", _normalise_mode),
    ("resized", _resize),
    ("encoded the thumbnail", _encode),
]


def to_display_mode(image: Image.Image) -> Image.Image:
    """The image in L, RGB, LA or RGBA (8 bits per channel), keeping transparency when present
    (an alpha channel, a palette transparency or an L/RGB colour key)."""
    mode = image.mode
    has_alpha = "A" in mode or "a" in mode or "transparency" in image.info
    if mode in ("LA", "RGBA") or (mode in ("L", "RGB") and not has_alpha):
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return Image.fromarray(_to_uint8(image))
    if mode in ("1", "L"):
        return image.convert("LA" if has_alpha else "L")
    return image.convert("RGBA" if has_alpha else "RGB")  # P, PA, CMYK, YCbCr, LAB, HSV, RGBa, RGBX...


def _to_uint8(image: Image.Image) -> np.ndarray:
    """16-bit samples scaled by 1/257; float samples stretched from their own min..max."""
    values = np.asarray(image).astype(np.float64)
    if image.mode == "F":
        low, high = float(values.min()), float(values.max())
        values = (values - low) * (255.0 / max(high - low, 1e-12))
    else:
        values = values / 257.0
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def make_thumbnail(
    data: bytes,
    size: int = DEFAULT_THUMBNAIL_SIZE,
    limits: ImageLimits | None = None,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> Thumbnail:
    """A preview of the image `data` fitting in `size` x `size` pixels (aspect kept, never upscaled).

    PNG when the image has transparency that is actually used, JPEG otherwise. EXIF orientation is
    applied. Raises the same errors as `inspect_image`, plus InvalidArgument(INVALID_THUMBNAIL_SIZE).
    """
    work = _Work(data, validate_thumbnail_size(size), limits or ImageLimits())
    run_steps(work, _STEPS, on_progress, should_stop)
    assert work.result is not None
    return work.result
