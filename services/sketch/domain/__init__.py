"""Sketch domain: turn a photo into a pencil, charcoal, watercolour, ink, pastel, oil or acrylic picture.

Pure logic over numpy arrays: no gRPC, SQL or network. See `render_sketch` and `catalogue_as_dict`.
"""

from .catalogue import CATALOGUE, METHOD_DESCRIPTIONS, STYLE_DESCRIPTIONS, catalogue_as_dict, variant
from .catalogue_types import Method, ParamSpec, ParamType, Style, Variant
from .errors import SketchCancelled
from .render import pipeline_steps, render_sketch
from .validation import ResolvedParams, check_size, parse_method, parse_style, resolve_params

__all__ = [
    "CATALOGUE",
    "METHOD_DESCRIPTIONS",
    "STYLE_DESCRIPTIONS",
    "Method",
    "ParamSpec",
    "ParamType",
    "ResolvedParams",
    "SketchCancelled",
    "Style",
    "Variant",
    "catalogue_as_dict",
    "check_size",
    "parse_method",
    "parse_style",
    "pipeline_steps",
    "render_sketch",
    "resolve_params",
    "variant",
]
