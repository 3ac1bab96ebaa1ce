"""Masks built from 68-point (iBUG) landmarks: face, skin, eyes, mouth; feathering."""

from __future__ import annotations

import cv2
import numpy as np

from services.restoration.domain.detection import Box, Face

JAW = range(17)
BROWS = range(17, 27)
RIGHT_EYE = range(36, 42)
LEFT_EYE = range(42, 48)
MOUTH = range(48, 60)


def _points(face: Face, idx: range) -> np.ndarray:
    return np.array([face.landmarks68[i] for i in idx], np.float32)


def _fill_hull(mask: np.ndarray, points: np.ndarray) -> None:
    hull = cv2.convexHull(np.round(points).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1.0)


def face_size(face: Face) -> float:
    """A length scale for the face (box diagonal / sqrt 2)."""
    return float(np.hypot(face.box.width, face.box.height) / np.sqrt(2.0))


def face_mask(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Binary float mask of the face: jaw line plus brows lifted into the forehead (or the box ellipse)."""
    mask = np.zeros(shape, np.float32)
    if len(face.landmarks68) == 68:
        jaw, brows = _points(face, JAW), _points(face, BROWS)
        lift = 0.25 * (jaw[:, 1].max() - brows[:, 1].min())
        _fill_hull(mask, np.vstack([jaw, brows - [0.0, lift]]))
    else:
        box = face.box
        center = (int(box.x + box.width / 2), int(box.y + box.height / 2))
        axes = (max(1, int(box.width / 2)), max(1, int(box.height * 0.6)))
        cv2.ellipse(mask, center, axes, 0, 0, 360, 1.0, -1)
    return mask


def feature_mask(shape: tuple[int, int], face: Face, grow: float = 0.35) -> np.ndarray:
    """Eyes and mouth, each grown by `grow` x its own size (empty without 68 landmarks)."""
    mask = np.zeros(shape, np.float32)
    if len(face.landmarks68) != 68:
        return mask
    for idx in (RIGHT_EYE, LEFT_EYE, MOUTH):
        pts = _points(face, idx)
        center = pts.mean(axis=0)
        _fill_hull(mask, center + (pts - center) * (1.0 + grow))
        size = max(2, int(grow * np.ptp(pts[:, 0])))
        mask = np.maximum(mask, cv2.dilate(mask, np.ones((size, size), np.uint8)))
    return mask


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    """Soft edges: Gaussian blur with sigma = radius / 2 (radius in pixels)."""
    sigma = max(0.5, radius / 2.0)
    return cv2.GaussianBlur(mask, (0, 0), sigma)


def region_around(face: Face, width: int, height: int, margin: float = 0.35) -> Box:
    """The face box grown by `margin` on each side, clipped to the image (integer pixels)."""
    b = face.box
    grown = Box(
        b.x - margin * b.width, b.y - margin * b.height * 1.3, b.width * (1 + 2 * margin), b.height * (1 + 2.3 * margin)
    )
    c = grown.clipped(width, height)
    return Box(int(c.x), int(c.y), int(np.ceil(c.width)), int(np.ceil(c.height)))
