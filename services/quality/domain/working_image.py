"""Decoded pixel arrays -> the normalised working representation every metric uses.

Accepted inputs (as decoded by any image library):
- grayscale ``HxW`` or ``HxWx1``, gray+alpha ``HxWx2``, RGB ``HxWx3``, RGBA ``HxWx4``;
- ``uint8`` (scaled by 1/255), ``uint16`` (scaled by 1/65535, so a 16-bit PNG keeps its full
  precision), ``bool``, or floating point already in [0, 1].

Alpha is composited over white (how a transparent image is usually displayed) so that the
metrics see what a viewer sees; the alpha plane itself is kept so enhancement can re-attach it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit import native
from imagemesh_kit.errors import InvalidArgument, ResourceExhausted

from .parallel import banded
from .sampling import stride_for, strided

# Rec. 709 luma weights, as scikit-image's rgb2gray (and the BRISQUE reference) use.
LUMA_WEIGHTS = (0.2125, 0.7154, 0.0721)
MIN_SIDE = 16
MAX_PIXELS = 100_000_000


@dataclass(frozen=True, eq=False)
class WorkingImage:
    """An image ready for measurement.

    rgb: float32 HxWx3 in [0, 1] (gray inputs are replicated to three channels).
    gray: float32 HxW luma in [0, 1].
    alpha: float32 HxW in [0, 1], or None when the input had no alpha channel.
    is_grayscale: the input had a single colour channel.
    bit_depth: 8, 16 or 32 (float input) - the precision of the source samples.
    """

    rgb: np.ndarray
    gray: np.ndarray
    alpha: np.ndarray | None
    is_grayscale: bool
    bit_depth: int

    @property
    def height(self) -> int:
        return int(self.gray.shape[0])

    @property
    def width(self) -> int:
        return int(self.gray.shape[1])

    @property
    def rgb_sample(self) -> np.ndarray:
        """The strided pixel sample of rgb (sampling.strided), contiguous: gathered once, read by several
        statistics."""
        return self._sample("rgb")

    @property
    def gray_sample(self) -> np.ndarray:
        """The strided pixel sample of gray, contiguous (see rgb_sample)."""
        return self._sample("gray")

    def _sample(self, plane: str) -> np.ndarray:
        # kept in the instance dict (the dataclass is frozen); two threads racing both compute the same
        cached = self.__dict__.get(f"_{plane}_sample")
        if cached is None:
            cached = np.ascontiguousarray(strided(getattr(self, plane)))
            self.__dict__[f"_{plane}_sample"] = cached
        return cached


def luma(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of a float HxWx3 RGB array (same weights as skimage.color.rgb2gray)."""
    if rgb.ndim == 2:
        return rgb
    out = cv2.transform(np.ascontiguousarray(rgb), np.array([LUMA_WEIGHTS], dtype=np.float64))
    return out.reshape(rgb.shape[:2])


def _from_rgb8(pixels: np.ndarray) -> WorkingImage | None:
    """The working image of 8-bit RGB pixels in one pass of the kit's C kernel (native/unit_rgb.c), samples
    included; None when the kernel is not built or the layout is not plain rows of packed RGB."""
    lib = native.load()
    if lib is None or pixels.strides[1:] != (3, 1) or pixels.strides[0] < 3 * pixels.shape[1]:
        return None  # (a negative row stride - a flipped view - included)
    h, w = pixels.shape[:2]
    k = stride_for(h, w)
    rgb = np.empty((h, w, 3), dtype=np.float32)
    gray = np.empty((h, w), dtype=np.float32)
    sample_shape = (-(-h // k), -(-w // k))
    rgb_sample = np.empty((*sample_shape, 3), dtype=np.float32) if k > 1 else rgb
    gray_sample = np.empty(sample_shape, dtype=np.float32) if k > 1 else gray
    weights = np.array(LUMA_WEIGHTS, dtype=np.float64)
    lib.rgb8_to_unit(
        pixels.ctypes.data, h, w, pixels.strides[0], k, weights.ctypes.data,
        rgb.ctypes.data, gray.ctypes.data, rgb_sample.ctypes.data, gray_sample.ctypes.data,
    )  # fmt: skip
    image = WorkingImage(rgb=rgb, gray=gray, alpha=None, is_grayscale=False, bit_depth=8)
    image.__dict__["_rgb_sample"] = rgb_sample  # what WorkingImage._sample would gather
    image.__dict__["_gray_sample"] = gray_sample
    return image


def _to_unit_float(pixels: np.ndarray, field: str) -> tuple[np.ndarray, int]:
    if pixels.dtype == np.uint8:
        return np.multiply(pixels, np.float32(1.0 / 255.0), dtype=np.float32), 8
    if pixels.dtype == np.uint16:
        return np.multiply(pixels, np.float32(1.0 / 65535.0), dtype=np.float32), 16
    if pixels.dtype == np.bool_:
        return pixels.astype(np.float32), 8
    if np.issubdtype(pixels.dtype, np.floating):
        out = pixels.astype(np.float32, copy=False)
        if not np.all(np.isfinite(out)):
            raise InvalidArgument.for_field(field, "pixel values must be finite", reason="INVALID_PIXELS")
        if out.min() < 0.0 or out.max() > 1.0:
            raise InvalidArgument.for_field(field, "floating-point pixels must lie in [0, 1]", reason="INVALID_PIXELS")
        return out, 32
    raise InvalidArgument.for_field(
        field, "pixel type must be uint8, uint16, bool or float in [0, 1]", reason="UNSUPPORTED_PIXEL_TYPE"
    )


def to_working_image(pixels: np.ndarray, *, field: str = "image") -> WorkingImage:
    """Validate a decoded pixel array and normalise it (see the module docstring)."""
    if not isinstance(pixels, np.ndarray):
        raise InvalidArgument.for_field(field, "must be a decoded pixel array", reason="INVALID_IMAGE")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (2, 3, 4)):
        raise InvalidArgument.for_field(
            field, "must be grayscale, gray+alpha, RGB or RGBA", reason="UNSUPPORTED_CHANNELS"
        )
    h, w = pixels.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InvalidArgument.for_field(
            field, f"must be at least {MIN_SIDE}x{MIN_SIDE} pixels", reason="IMAGE_TOO_SMALL"
        )
    if h * w > MAX_PIXELS:
        raise ResourceExhausted(
            f"{field}: images above {MAX_PIXELS // 1_000_000} megapixels are not supported",
            reason="IMAGE_TOO_LARGE",
        )
    if pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3:
        image = _from_rgb8(pixels)
        if image is not None:
            return image
    unit, depth = _to_unit_float(pixels, field)
    alpha = None
    if unit.ndim == 3 and unit.shape[2] in (2, 4):
        alpha = np.ascontiguousarray(unit[..., -1])
        unit = unit[..., :-1]
    is_gray = unit.ndim == 2 or unit.shape[2] == 1
    if is_gray:
        gray = np.ascontiguousarray(unit if unit.ndim == 2 else unit[..., 0])
        if alpha is not None:
            gray = gray * alpha + (1.0 - alpha)
        rgb = cv2.merge([gray, gray, gray])
    else:
        rgb = np.ascontiguousarray(unit)
        if alpha is not None:
            rgb = rgb * alpha[..., None] + (1.0 - alpha[..., None])
        gray = luma(rgb)
    return WorkingImage(
        rgb=rgb.astype(np.float32, copy=False),
        gray=gray.astype(np.float32, copy=False),
        alpha=alpha,
        is_grayscale=is_gray,
        bit_depth=depth,
    )


def to_pixels(rgb: np.ndarray, alpha: np.ndarray | None, *, is_grayscale: bool, bit_depth: int) -> np.ndarray:
    """Working float RGB (+ alpha) -> pixels in the source's layout, ready to encode.

    Gray sources give HxW (HxWx2 with alpha), colour ones HxWx3 (HxWx4 with alpha); 16-bit
    sources give uint16, float sources (bit_depth 32) float32 in [0, 1], all others uint8.
    """
    if bit_depth not in (16, 32) and alpha is None and not is_grayscale:
        return banded(_to_uint8, rgb, 0)  # the common case, on the machine's cores
    out = np.clip(rgb[..., :1] if is_grayscale else rgb, 0.0, 1.0)
    if alpha is not None:
        out = np.concatenate([out, np.clip(alpha, 0.0, 1.0)[..., None]], axis=2)
    if out.shape[2] == 1:
        out = out[..., 0]
    if bit_depth == 16:
        return (out * 65535.0 + 0.5).astype(np.uint16)
    if bit_depth == 32:
        return out.astype(np.float32)
    return _to_uint8(out)


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    """[0, 1] floats -> uint8, rounded; out-of-range values saturate (convertScaleAbs alone would take
    |x|, so negatives are clipped first). One pass of the kit's C kernel for contiguous float32 (the same
    bytes, tested), else OpenCV."""
    lib = native.load()
    if lib is not None and unit.dtype == np.float32 and unit.flags.c_contiguous:
        out = np.empty(unit.shape, dtype=np.uint8)
        lib.unit_to_u8(unit.ctypes.data, unit.size, out.ctypes.data)
        return out
    return cv2.convertScaleAbs(np.maximum(unit, 0.0), alpha=255.0)
