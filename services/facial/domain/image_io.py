"""Decoding image and label-map bytes, with size limits checked before decoding."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from imagemesh_kit.errors import InvalidArgument

MAX_PIXELS = 25_000_000
MIN_SIDE = 16


def _open(data: bytes, field: str) -> Image.Image:
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise InvalidArgument.for_field(field, "is empty", reason="EMPTY_IMAGE")
    try:
        return Image.open(io.BytesIO(bytes(data)))
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidArgument.for_field(field, "is not a decodable image", reason="UNDECODABLE_IMAGE") from None


def check_image_size(width: int, height: int, field: str = "image", max_pixels: int = MAX_PIXELS) -> None:
    """Raise InvalidArgument IMAGE_TOO_LARGE / IMAGE_TOO_SMALL."""
    if width * height > max_pixels:
        raise InvalidArgument.for_field(
            field, f"is {width}x{height}; at most {max_pixels} pixels are accepted", reason="IMAGE_TOO_LARGE"
        )
    if min(width, height) < MIN_SIDE:
        raise InvalidArgument.for_field(
            field, f"is {width}x{height}; both sides must be at least {MIN_SIDE}", reason="IMAGE_TOO_SMALL"
        )


_TRANSPOSING_ORIENTATIONS = (5, 6, 7, 8)  # EXIF orientations that swap width and height
HASH_DECODE_MIN_SIDE = 256  # reduced decodes for hashing keep at least this long side


def image_header_size(data: bytes, field: str = "image", max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) as decode_image will return it (EXIF orientation applied), from the header only
    (cheap: nothing is decoded); same errors as decoding."""
    with _open(data, field) as img:
        check_image_size(img.width, img.height, field, max_pixels)
        try:
            transposed = img.getexif().get(0x0112) in _TRANSPOSING_ORIENTATIONS
        except Exception:  # a broken EXIF block: the decoders ignore it too
            transposed = False
        return (img.height, img.width) if transposed else (img.width, img.height)


def decode_gray_for_hash(data: bytes, size: tuple[int, int]) -> np.ndarray:
    """A small grayscale decode for the perceptual hash: JPEG decodes at 1/2, 1/4 or 1/8 scale
    (much cheaper than a full colour decode) while the long side stays >= HASH_DECODE_MIN_SIDE."""
    long_side = max(size)
    flag = cv2.IMREAD_GRAYSCALE
    for factor, reduced in (
        (8, cv2.IMREAD_REDUCED_GRAYSCALE_8),
        (4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
        (2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
    ):
        if long_side // factor >= HASH_DECODE_MIN_SIDE:
            flag = reduced
            break
    gray = cv2.imdecode(np.frombuffer(bytes(data), np.uint8), flag)
    if gray is None:
        raise InvalidArgument.for_field("image", "is not a decodable image", reason="UNDECODABLE_IMAGE")
    return gray


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Encoded image (PNG, JPEG, WebP, ...) -> RGB uint8 array (H, W, 3); EXIF orientation applied."""
    with _open(data, "image") as img:
        check_image_size(img.width, img.height, "image", max_pixels)
    buf = np.frombuffer(bytes(data), np.uint8)
    bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if bgr is None:
        raise InvalidArgument.for_field("image", "is not a decodable image", reason="UNDECODABLE_IMAGE")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def decode_label_map(data: bytes) -> np.ndarray:
    """Encoded label image (PNG; palette, gray 8/16-bit or gray-as-RGB) -> integer array (H, W).

    Palette images give their palette indices (the usual way label maps are stored).
    """
    with _open(data, "segmentation_map") as img:
        check_image_size(img.width, img.height, "segmentation_map")
        try:
            if img.mode in ("P", "L", "I", "I;16", "RGB", "RGBA", "LA"):
                arr = np.array(img.convert("L") if img.mode == "LA" else img)
            else:
                raise InvalidArgument.for_field(
                    "segmentation_map", f"has unsupported mode {img.mode}", reason="BAD_SEGMENTATION_MAP"
                )
        except OSError:
            raise InvalidArgument.for_field(
                "segmentation_map", "is not a decodable image", reason="UNDECODABLE_IMAGE"
            ) from None
    return arr


def to_gray(image: np.ndarray) -> np.ndarray:
    """uint8 grayscale from gray, RGB or RGBA input."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def check_image_array(image: np.ndarray, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Validate an already-decoded image array (uint8, gray/RGB/RGBA); returns it unchanged."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise InvalidArgument.for_field("image", "must be an 8-bit gray or RGB image", reason="BAD_IMAGE")
    if image.ndim == 3 and image.shape[2] not in (3, 4):
        raise InvalidArgument.for_field("image", "must have 1, 3 or 4 channels", reason="BAD_IMAGE")
    check_image_size(image.shape[1], image.shape[0], "image", max_pixels)
    return image
