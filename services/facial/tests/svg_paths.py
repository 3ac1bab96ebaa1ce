"""Test helper: read the rings back out of an SVG path's d attribute (M x y L x y ... Z)."""

from __future__ import annotations

import numpy as np


def path_rings(d: str) -> list[np.ndarray]:
    rings = []
    for chunk in d.split("Z"):
        nums = chunk.replace("M", " ").replace("L", " ").split()
        if nums:
            rings.append(np.array([float(v) for v in nums]).reshape(-1, 2))
    return rings


def inside_evenodd(rings: list[np.ndarray], point: tuple[float, float], tolerance: float = 1.0) -> bool:
    """Even-odd point test that treats points within `tolerance` px of an edge as inside."""
    import cv2

    crossings = 0
    for ring in rings:
        contour = ring.astype(np.float32).reshape(-1, 1, 2)
        dist = cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), True)
        if abs(dist) <= tolerance:
            return True
        crossings += dist > 0
    return crossings % 2 == 1
