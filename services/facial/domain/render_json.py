"""JSON output: polygons per face and region, the landmarks and the alignment; and back.

`geometry_from_dict(geometry_to_dict(g))` restores a geometry (to 0.01 px), so a DB-backed cache
can store the JSON document and rebuild / rescale results from it.
"""

from __future__ import annotations

import json

import numpy as np

from .alignment import Alignment
from .geometry import ContourGeometry, FaceContours, Source, Space
from .shapes import RegionShape, Ring


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
        if face.landmarks is not None:
            entry["landmarks"] = [[round(float(x), 2), round(float(y), 2)] for x, y in face.landmarks]
        faces.append(entry)
    return {
        "space": geometry.space.value,
        "source": geometry.source.value,
        "width": geometry.size[0],
        "height": geometry.size[1],
        "alignment": None if geometry.alignment is None else geometry.alignment.to_dict(),
        "original_size": list(geometry.original_size or geometry.size),
        "faces": faces,
    }


def render_json(geometry: ContourGeometry) -> bytes:
    return json.dumps(geometry_to_dict(geometry), separators=(",", ":")).encode("utf-8")


def geometry_from_dict(doc: dict) -> ContourGeometry:
    """Inverse of `geometry_to_dict` (for cache storage; trusts its input)."""
    faces = []
    for f in doc["faces"]:
        shapes = tuple(
            RegionShape(
                name, tuple(Ring(np.asarray(r["points"], np.float64).reshape(-1, 2), r["hole"]) for r in body["rings"])
            )
            for name, body in f["regions"].items()
        )
        lm = np.asarray(f["landmarks"], np.float64) if "landmarks" in f else None
        box = tuple(f["box"]) if "box" in f else None
        faces.append(FaceContours(f["index"], shapes, lm, box))
    al = doc["alignment"]
    alignment = None
    if al is not None:
        box = al["crop_box"]
        alignment = Alignment(
            al["angle_deg"],
            (box["x"], box["y"], box["width"], box["height"]),
            np.asarray(al["matrix"], np.float64),
            np.asarray(al["inverse"], np.float64),
        )
    return ContourGeometry(
        Space(doc["space"]),
        (doc["width"], doc["height"]),
        Source(doc["source"]),
        tuple(faces),
        alignment,
        tuple(doc["original_size"]),
    )
