"""SVG output: one <path> per face and region, in the output space's pixel coordinates."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import numpy as np

from .geometry import ContourGeometry

SVG_NS = "http://www.w3.org/2000/svg"


def ring_path_data(points: np.ndarray) -> str:
    """'M x y L x y ... Z' with two decimals."""
    coords = " ".join(f"{x:.2f} {y:.2f}" for x, y in points)
    head, _, rest = coords.partition(" ")
    first_y, _, rest = rest.partition(" ")
    return f"M{head} {first_y} L{rest} Z" if rest else f"M{head} {first_y} Z"


def render_svg(geometry: ContourGeometry) -> bytes:
    """An SVG document of all region contours.

    viewBox = "-0.5 -0.5 W H": path coordinates are the same pixel-centre coordinates as the
    JSON polygons, and the view covers exactly the W x H output image. Each path has
    id "face{i}-{region}" and class "region {region}"; fill-rule="evenodd" where it has holes.
    Empty regions (absent from a segmentation map) get an empty path so every id exists.
    """
    width, height = geometry.size
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (
            f'<svg xmlns="{SVG_NS}" version="1.1" width="{width}" height="{height}" '
            f'viewBox="-0.5 -0.5 {width} {height}" data-space="{geometry.space.value}" '
            f'data-source="{geometry.source.value}">'
        ),
    ]
    for face in geometry.faces:
        lines.append(f'  <g id="face{face.index}" class="face">')
        for shape in face.shapes:
            data = " ".join(ring_path_data(r.points) for r in shape.rings if len(r.points) >= 3)
            rule = ' fill-rule="evenodd"' if shape.has_holes else ""
            ident = quoteattr(f"face{face.index}-{shape.region}")
            cls = quoteattr(f"region {shape.region}")
            lines.append(f"    <path id={ident} class={cls} d={quoteattr(data)}{rule}/>")
        lines.append("  </g>")
    lines.append("</svg>")
    return ("\n".join(lines) + "\n").encode("utf-8")
