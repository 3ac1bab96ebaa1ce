"""Render stored rows of a depth range as PNGs: one frame per depth, or one strip of the whole range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .color_scale import ColorScale, colorize, scaled_lut
from .colormaps import Colormap
from .png_encode import check_row_height, encode_png_frames, encode_png_indexed
from .progress import ProgressCallback, StopCheck, check_stop, report

_BATCH = 512


@dataclass(frozen=True)
class Frame:
    """One depth row as a PNG image of ``width`` x ``height`` pixels (height = rows repeated)."""

    depth: float
    width: int
    height: int
    png: bytes


def _check_rows(depths: np.ndarray, pixels: np.ndarray) -> None:
    if pixels.dtype != np.uint8 or pixels.ndim != 2 or depths.shape != (pixels.shape[0],):
        raise InvalidArgument.for_field(
            "pixels", "must be uint8[n, width] with one depth per row", reason="INVALID_PIXELS"
        )


def render_frames(
    depths: np.ndarray,
    pixels: np.ndarray,
    colormap: Colormap,
    scale: ColorScale,
    *,
    frame_height: int = 1,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> list[Frame]:
    """One PNG per row, in the given (depth) order; an empty range gives an empty list.

    A frame is the row itself (1 pixel high by default: no invented pixels); ``frame_height`` > 1
    repeats the row to make a taller picture.
    """
    _check_rows(depths, pixels)
    frame_height = check_row_height(frame_height, "frame_height")
    lut = scaled_lut(colormap, scale)
    width, depth_list = pixels.shape[1], depths.tolist()
    frames: list[Frame] = []
    for begin in range(0, len(depth_list), _BATCH):
        check_stop(should_stop)
        report(on_progress, begin / len(depth_list), f"encoded {begin} frames")
        pngs = encode_png_frames(colorize(pixels[begin : begin + _BATCH], lut), height=frame_height)
        frames.extend(
            Frame(depth, width, frame_height, png)
            for depth, png in zip(depth_list[begin : begin + _BATCH], pngs, strict=True)
        )
    report(on_progress, 1.0, f"encoded {len(frames)} frames")
    return frames


def render_strip(pixels: np.ndarray, colormap: Colormap, scale: ColorScale, *, row_height: int = 1) -> bytes:
    """One PNG of all rows stacked in order (top = first row = smallest depth).

    The image is ``width`` x (rows * row_height) pixels, a palette PNG whose palette is the
    dataset-scaled colormap (decoders see plain RGB). An empty range cannot make a PNG and raises
    InvalidArgument (EMPTY_DEPTH_RANGE).
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise InvalidArgument.for_field("pixels", "must be a uint8[n, width] array", reason="INVALID_PIXELS")
    if pixels.shape[0] == 0:
        raise InvalidArgument.for_field("depth_range", "no rows in the depth range", reason="EMPTY_DEPTH_RANGE")
    return encode_png_indexed(pixels, scaled_lut(colormap, scale), row_height=row_height)
