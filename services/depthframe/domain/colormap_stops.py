"""Custom colormaps from color stops, linearly interpolated (in sRGB) into a 256x3 uint8 table.

Rules (see DESIGN.md): 2..64 stops; positions finite, within 0..1 and strictly increasing in the
given order; colors ``#rrggbb`` (case-insensitive). If the first stop is above 0 or the last below 1,
the end colors extend flat to 0 and 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from imagemesh_kit.errors import InvalidArgument

MIN_STOPS, MAX_STOPS = 2, 64
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class ColorStop:
    """One stop: ``position`` in 0..1 and an ``#rrggbb`` color."""

    position: float
    color: str

    def rgb(self) -> tuple[int, int, int]:
        return int(self.color[1:3], 16), int(self.color[3:5], 16), int(self.color[5:7], 16)


def _bad(description: str, reason: str = "INVALID_COLOR_STOPS") -> InvalidArgument:
    return InvalidArgument.for_field("stops", description, reason=reason)


def parse_stops(stops: Iterable[ColorStop | Mapping[str, object]]) -> tuple[ColorStop, ...]:
    """Validate stops given as ColorStop or ``{"position": float, "color": "#rrggbb"}`` mappings."""
    parsed: list[ColorStop] = []
    for index, stop in enumerate(stops):
        if len(parsed) >= MAX_STOPS:
            raise _bad(f"at most {MAX_STOPS} stops are allowed")
        if isinstance(stop, Mapping):
            position, color = stop.get("position"), stop.get("color")
        elif isinstance(stop, ColorStop):
            position, color = stop.position, stop.color
        else:
            raise _bad(f"stop {index}: expected {{position, color}}")
        if isinstance(position, bool) or not isinstance(position, (int, float)) or not math.isfinite(position):
            raise _bad(f"stop {index}: position must be a finite number")
        if not 0.0 <= position <= 1.0:
            raise _bad(f"stop {index}: position {position:g} is outside 0..1")
        if not isinstance(color, str) or not _COLOR.fullmatch(color.strip()):
            raise _bad(f"stop {index}: color must look like '#rrggbb'", reason="INVALID_COLOR")
        if parsed and position <= parsed[-1].position:
            raise _bad(f"stop {index}: positions must be strictly increasing")
        parsed.append(ColorStop(float(position), color.strip().lower()))
    if len(parsed) < MIN_STOPS:
        raise _bad(f"at least {MIN_STOPS} stops are needed")
    return tuple(parsed)


def lut_from_stops(stops: Iterable[ColorStop | Mapping[str, object]]) -> np.ndarray:
    """Validate ``stops`` and interpolate them into a read-only 256x3 uint8 RGB table."""
    parsed = parse_stops(stops)
    positions = np.array([s.position for s in parsed])
    colors = np.array([s.rgb() for s in parsed], dtype=np.float64)
    x = np.arange(256) / 255.0
    lut = np.stack([np.interp(x, positions, colors[:, c]) for c in range(3)], axis=1)
    lut = np.rint(lut).astype(np.uint8)
    lut.flags.writeable = False
    return lut
