"""Image checks and colour helpers (numpy/OpenCV only)."""

from __future__ import annotations

import numpy as np

from imagemesh_kit.errors import InvalidArgument


def as_rgb_uint8(image: np.ndarray, field: str = "image") -> np.ndarray:
    """Validate an image and return it as a contiguous H x W x 3 uint8 RGB array.

    Accepts H x W (grey, replicated) and H x W x 4 (alpha dropped). Anything else -> InvalidArgument.
    """
    if not isinstance(image, np.ndarray):
        raise InvalidArgument.for_field(field, "must be an image array", reason="INVALID_IMAGE")
    if image.dtype != np.uint8:
        raise InvalidArgument.for_field(field, "must be 8-bit (uint8)", reason="INVALID_IMAGE")
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InvalidArgument.for_field(field, "must be H x W x 3 RGB (or grey / RGBA)", reason="INVALID_IMAGE")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise InvalidArgument.for_field(field, "must not be empty", reason="INVALID_IMAGE")
    return np.ascontiguousarray(image[..., :3])


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 -> float32 in [0, 1]."""
    return image.astype(np.float32) / 255.0


def to_uint8(image: np.ndarray) -> np.ndarray:
    """float in [0, 1] -> uint8 (rounded, clipped)."""
    return np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)


_RGB_TO_YCBCR = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], np.float32)
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR).astype(np.float32)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """Full-range BT.601 (JPEG) YCbCr of a float RGB image in [0, 1]; Cb, Cr centred on 0."""
    return rgb @ _RGB_TO_YCBCR.T


def ycbcr_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
    """Inverse of `rgb_to_ycbcr` (not clipped)."""
    return ycbcr @ _YCBCR_TO_RGB.T


def luma(image: np.ndarray) -> np.ndarray:
    """Full-range BT.601 luma (float32, 0..255) of a uint8 RGB image."""
    return rgb_to_ycbcr(image.astype(np.float32))[..., 0]


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB (inf for identical inputs)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * float(np.log10(data_range**2 / mse))


def psnr_y(a: np.ndarray, b: np.ndarray, border: int = 0) -> float:
    """PSNR on the luma channel of two uint8 RGB images, ignoring `border` pixels on each side."""
    ya, yb = luma(a), luma(b)
    if border:
        ya, yb = ya[border:-border, border:-border], yb[border:-border, border:-border]
    return psnr(ya, yb)
