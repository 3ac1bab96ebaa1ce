"""depthframe domain: pure logic (numpy/OpenCV), no gRPC, no SQL, no network.

Public API (see docs/depthframe/DESIGN.md):
- parse_depth_csv(bytes) -> ParsedDataset                    CSV -> sorted depths + uint8 pixel rows
- resize_rows(pixels, width=150) -> uint8[n, width]          area-averaging resize (no upscaling)
- ingest_csv(bytes, width=150, on_progress, should_stop) -> IngestedDataset   parse + resize + scale
- resolve_colormap / make_custom_colormap / builtin_colormaps    colormap catalogue
- ColorScale, apply_colormap                                  fixed per-dataset color scaling
- select_rows(depths, depth_min, depth_max) -> slice          inclusive range by exact depth keys
- render_frames / render_strip                                PNG frames or one stacked strip
- encode_rows / decode_rows                                   uint8 rows <-> bytes for storage
"""

from .color_scale import ColorScale, apply_colormap, colorize, scaled_lut
from .colormap_stops import ColorStop, lut_from_stops, parse_stops
from .colormaps import (
    DEFAULT_COLORMAP,
    IMAGEMESH_DEPTH_STOPS,
    Colormap,
    builtin_colormaps,
    make_custom_colormap,
    resolve_colormap,
    validate_colormap_name,
)
from .csv_parse import parse_depth_csv
from .dataset import ParsedDataset, SkippedRow
from .depth_keys import DEPTH_DECIMALS, depth_key, depth_keys
from .depth_range import DepthRange, depth_range, select_rows
from .ingest import IngestedDataset, ingest_csv
from .png_encode import decode_png_rgb, encode_png_frames, encode_png_indexed, encode_png_rgb
from .progress import Cancelled
from .render import Frame, render_frames, render_strip
from .resize import DEFAULT_WIDTH, resize_rows, validate_width
from .row_codec import decode_rows, encode_rows

__all__ = [
    "DEFAULT_COLORMAP",
    "DEFAULT_WIDTH",
    "DEPTH_DECIMALS",
    "IMAGEMESH_DEPTH_STOPS",
    "Cancelled",
    "ColorScale",
    "ColorStop",
    "Colormap",
    "DepthRange",
    "Frame",
    "IngestedDataset",
    "ParsedDataset",
    "SkippedRow",
    "apply_colormap",
    "builtin_colormaps",
    "colorize",
    "decode_png_rgb",
    "decode_rows",
    "depth_key",
    "depth_keys",
    "depth_range",
    "encode_png_frames",
    "encode_png_indexed",
    "encode_png_rgb",
    "encode_rows",
    "ingest_csv",
    "lut_from_stops",
    "make_custom_colormap",
    "parse_depth_csv",
    "parse_stops",
    "render_frames",
    "render_strip",
    "resize_rows",
    "resolve_colormap",
    "scaled_lut",
    "select_rows",
    "validate_colormap_name",
    "validate_width",
]
