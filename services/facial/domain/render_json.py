"""JSON output: polygons per face and region, plus the alignment."""

from __future__ import annotations

import json

from .geometry import ContourGeometry


def geometry_to_dict(geometry: ContourGeometry) -> dict:
    """A JSON-ready dict; points are [x, y] pixel-centre coordinates with two decimals."""
    faces = []
    for face in geometry.faces:
        regions = {
            shape.region: {
                "has_holes": shape.has_holes,
                "rings": [
                    {"hole": r.hole, "points": [[round(float(x), 2), round(float(y), 2)] for x, y in r.points]}
                    for r in shape.rings
                ],
            }
            for shape in face.shapes
        }
        entry: dict = {"index": face.index, "regions": regions}
        if face.box is not None:
            entry["box"] = [round(float(v), 2) for v in face.box]
        faces.append(entry)
    return {
        "space": geometry.space.value,
        "source": geometry.source.value,
        "width": geometry.size[0],
        "height": geometry.size[1],
        "alignment": None if geometry.alignment is None else geometry.alignment.to_dict(),
        "faces": faces,
    }


def render_json(geometry: ContourGeometry) -> bytes:
    return json.dumps(geometry_to_dict(geometry), separators=(",", ":")).encode("utf-8")
