"""Fixed per-dataset color scaling: pixel value -> colormap index, then -> RGB.

Decision (DESIGN.md): each dataset is scaled by its own min/max of the stored (resized) pixels,
computed once at ingest and stored with the dataset. Every query of that dataset uses the same
scale, so a depth looks the same in any range; the full colormap is used for the data's contrast.
``ColorScale.full_range()`` (0..255) is there for callers that want absolute values instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .colormaps import Colormap


@dataclass(frozen=True)
class ColorScale:
    """Linear map of pixel values ``vmin..vmax`` onto colormap indices 0..255 (clipped outside)."""

    vmin: int
    vmax: int

    def __post_init__(self) -> None:
        for name in ("vmin", "vmax"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 255:
                raise InvalidArgument.for_field(name, "must be an integer 0..255", reason="INVALID_COLOR_SCALE")
        if self.vmin > self.vmax:
            raise InvalidArgument.for_field("vmin", "must not exceed vmax", reason="INVALID_COLOR_SCALE")

    @classmethod
    def from_pixels(cls, pixels: np.ndarray) -> ColorScale:
        """The dataset's own min/max (0..255 for an empty array)."""
        if pixels.size == 0:
            return cls.full_range()
        return cls(int(pixels.min()), int(pixels.max()))

    @classmethod
    def full_range(cls) -> ColorScale:
        return cls(0, 255)

    def index_table(self) -> np.ndarray:
        """uint8[256]: colormap index of each pixel value, round((v - vmin) * 255 / (vmax - vmin)).

        A constant dataset (vmin == vmax) maps to index 0 (the colormap's low end).
        """
        values = np.arange(256, dtype=np.float64)
        if self.vmax == self.vmin:
            return np.zeros(256, dtype=np.uint8)
        scaled = (np.clip(values, self.vmin, self.vmax) - self.vmin) * 255.0 / (self.vmax - self.vmin)
        return np.rint(scaled).astype(np.uint8)


def scaled_lut(colormap: Colormap, scale: ColorScale, *, bgr: bool = False) -> np.ndarray:
    """uint8[256, 3] table from pixel value straight to color (RGB, or BGR for OpenCV)."""
    table = colormap.lut[scale.index_table()]
    return np.ascontiguousarray(table[:, ::-1]) if bgr else table


def apply_colormap(pixels: np.ndarray, colormap: Colormap, scale: ColorScale) -> np.ndarray:
    """Color uint8 pixels (any shape) -> uint8[..., 3] RGB with the dataset's fixed scale."""
    if pixels.dtype != np.uint8:
        raise InvalidArgument.for_field("pixels", "must be uint8", reason="INVALID_PIXELS")
    return colorize(pixels, scaled_lut(colormap, scale))


def colorize(pixels: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``table[pixels]`` for uint8 pixels and a uint8[256, 3] table, via cv2.LUT (about 3x faster)."""
    if pixels.size == 0 or pixels.ndim == 0:
        return table[pixels]
    plane = np.ascontiguousarray(pixels.reshape(-1, pixels.shape[-1]))
    colored = cv2.LUT(cv2.merge([plane, plane, plane]), np.ascontiguousarray(table).reshape(256, 1, 3))
    return colored.reshape(*pixels.shape, 3)
