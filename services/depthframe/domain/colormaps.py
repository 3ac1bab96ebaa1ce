"""Colormap catalogue: built-ins, our default map, and user-defined maps from color stops.

A :class:`Colormap` is a name plus a 256x3 uint8 RGB table. Custom maps are created with
:func:`make_custom_colormap` (the stops are what a store should persist) and looked up together
with the built-ins by :func:`resolve_colormap`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .colormap_builtin import BUILTIN_NAMES, builtin_lut
from .colormap_stops import ColorStop, lut_from_stops, parse_stops

DEFAULT_COLORMAP = "imagemesh-depth"

#: Our default: deep navy -> steel blue -> teal -> sandstone -> ochre -> pale sand. Lightness rises
#: monotonically (dark = low values), the hue walks from "deep water" to "dry sand", so layer
#: boundaries read as hue and brightness changes at once and the map survives grayscale printing.
IMAGEMESH_DEPTH_STOPS: tuple[ColorStop, ...] = (
    ColorStop(0.00, "#0b1a33"),
    ColorStop(0.20, "#1d4e7a"),
    ColorStop(0.42, "#2b8c8a"),
    ColorStop(0.62, "#a8a66a"),
    ColorStop(0.80, "#d9a75b"),
    ColorStop(1.00, "#fbf1d6"),
)

_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


@dataclass(frozen=True, eq=False)
class Colormap:
    """A named 256x3 uint8 RGB lookup table; ``stops`` is empty for tabulated built-ins."""

    name: str
    lut: np.ndarray
    builtin: bool
    stops: tuple[ColorStop, ...] = field(default=())


def validate_colormap_name(name: object) -> str:
    """A custom map's name: ``[a-z][a-z0-9-]{0,62}``, not a built-in's or the default's name."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgument.for_field(
            "name",
            "must be 1-63 characters: lowercase letters, digits and '-', starting with a letter",
            reason="INVALID_COLORMAP_NAME",
        )
    if name in BUILTIN_NAMES or name == DEFAULT_COLORMAP:
        raise InvalidArgument.for_field(
            "name", f"'{name}' is a built-in colormap name", reason="COLORMAP_NAME_RESERVED"
        )
    return name


def make_custom_colormap(name: str, stops: Iterable[ColorStop | Mapping[str, object]]) -> Colormap:
    """Validate a user-defined map (name and stops) and build its table."""
    validate_colormap_name(name)
    parsed = parse_stops(stops)
    return Colormap(name=name, lut=lut_from_stops(parsed), builtin=False, stops=parsed)


@cache
def _default_colormap() -> Colormap:
    return Colormap(DEFAULT_COLORMAP, lut_from_stops(IMAGEMESH_DEPTH_STOPS), True, IMAGEMESH_DEPTH_STOPS)


def builtin_colormaps() -> list[Colormap]:
    """Our default map first, then the tabulated built-ins (gray, viridis, magma, ...)."""
    return [_default_colormap()] + [Colormap(name, builtin_lut(name), True) for name in BUILTIN_NAMES]


def resolve_colormap(name: str | None, custom: Mapping[str, Colormap] | None = None) -> Colormap:
    """The colormap called ``name`` (None or "" = the default), looking in built-ins then ``custom``.

    Raises InvalidArgument (UNKNOWN_COLORMAP) naming the built-ins when nothing matches.
    """
    if not name:
        name = DEFAULT_COLORMAP
    if name == DEFAULT_COLORMAP:
        return _default_colormap()
    if name in BUILTIN_NAMES:
        return Colormap(name, builtin_lut(name), True)
    if custom and name in custom:
        return custom[name]
    shown = name if len(name) <= 64 else name[:64] + "..."
    raise InvalidArgument.for_field(
        "colormap",
        f"unknown colormap '{shown}'; built-ins: {', '.join((DEFAULT_COLORMAP, *BUILTIN_NAMES))}",
        reason="UNKNOWN_COLORMAP",
    )
