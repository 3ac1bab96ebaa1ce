"""Landmark input: validation of given landmarks and the detector port for finding them.

A `LandmarkDetector` is any object with `detect(gray) -> list[DetectedFace]`; the dlib one
lives in `services/facial/adapters/dlib_landmarks.py`, tests may pass fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .scheme import LANDMARK_COUNT

#: how far (pixels) a given landmark may lie outside the image before it is rejected
OUTSIDE_TOLERANCE_PX = 0.5
#: given landmarks whose eye centres are closer than this are rejected (no usable face geometry)
MIN_EYE_DISTANCE_PX = 2.0


@dataclass(frozen=True)
class DetectedFace:
    """One face found by a detector: its box (x, y, w, h) in image pixels and 68 landmarks."""

    box: tuple[float, float, float, float]
    landmarks: np.ndarray  # (68, 2) float64 (x, y)
    score: float = 0.0

    @property
    def area(self) -> float:
        return float(self.box[2] * self.box[3])


class LandmarkDetector(Protocol):
    def detect(self, gray: np.ndarray, max_side: int = 640) -> list[DetectedFace]:
        """All faces in an 8-bit grayscale image, each with its 68 landmarks in full-resolution pixels.

        `max_side`: the detector may search a copy scaled down to this longest side.
        """
        ...


class FaceSelection(StrEnum):
    """Which detected faces to use."""

    LARGEST = "largest"
    ALL = "all"


def validate_landmarks(landmarks: object, image_size: tuple[int, int]) -> np.ndarray:
    """Check given landmarks and return them as a (68, 2) float64 array.

    Accepts an array-like of 68 (x, y) pairs or of 68 {"x": .., "y": ..} mappings.
    `image_size` is (width, height). Raises InvalidArgument for a wrong count
    (WRONG_LANDMARK_COUNT), non-numbers (BAD_LANDMARKS) or points outside the image
    (LANDMARKS_OUTSIDE_IMAGE) or eyes on top of each other (DEGENERATE_LANDMARKS).
    """
    if landmarks is None or isinstance(landmarks, (str, bytes, dict)):
        raise InvalidArgument.for_field("landmarks", "must be a list of 68 (x, y) points", reason="BAD_LANDMARKS")
    try:
        items = list(landmarks) if not isinstance(landmarks, np.ndarray) else landmarks
    except TypeError:
        raise InvalidArgument.for_field(
            "landmarks", "must be a list of 68 (x, y) points", reason="BAD_LANDMARKS"
        ) from None
    if not isinstance(items, np.ndarray) and items and isinstance(items[0], dict):
        try:
            items = [(p["x"], p["y"]) for p in items]
        except (KeyError, TypeError):
            raise InvalidArgument.for_field(
                "landmarks", "each landmark needs numeric x and y", reason="BAD_LANDMARKS"
            ) from None
    try:
        pts = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument.for_field(
            "landmarks", "each landmark needs numeric x and y", reason="BAD_LANDMARKS"
        ) from None
    if pts.ndim != 2 or pts.shape[1] != 2:
        if pts.ndim >= 1 and len(pts) != LANDMARK_COUNT:
            raise _wrong_count(len(pts))
        raise InvalidArgument.for_field("landmarks", "each landmark needs x and y", reason="BAD_LANDMARKS")
    if len(pts) != LANDMARK_COUNT:
        raise _wrong_count(len(pts))
    if not np.all(np.isfinite(pts)):
        raise InvalidArgument.for_field("landmarks", "landmarks must be finite numbers", reason="BAD_LANDMARKS")
    width, height = image_size
    tol = OUTSIDE_TOLERANCE_PX
    outside = (pts[:, 0] < -tol) | (pts[:, 1] < -tol) | (pts[:, 0] > width - 1 + tol) | (pts[:, 1] > height - 1 + tol)
    if np.any(outside):
        first = int(np.flatnonzero(outside)[0])
        raise InvalidArgument.for_field(
            "landmarks",
            f"{int(outside.sum())} landmark(s) lie outside the {width}x{height} image (first: index {first})",
            reason="LANDMARKS_OUTSIDE_IMAGE",
        )
    iod = float(np.linalg.norm(pts[36:42].mean(axis=0) - pts[42:48].mean(axis=0)))
    if iod < MIN_EYE_DISTANCE_PX:
        raise InvalidArgument.for_field(
            "landmarks", f"the eye centres are less than {MIN_EYE_DISTANCE_PX} px apart", reason="DEGENERATE_LANDMARKS"
        )
    return pts


def _wrong_count(count: int) -> InvalidArgument:
    return InvalidArgument.for_field(
        "landmarks",
        f"expected {LANDMARK_COUNT} landmarks (iBUG 300-W scheme), got {count}",
        reason="WRONG_LANDMARK_COUNT",
    )


def select_faces(faces: list[DetectedFace], selection: FaceSelection) -> list[DetectedFace]:
    """The largest face, or all faces largest first. Raises InvalidArgument(NO_FACE_FOUND)."""
    if not faces:
        raise InvalidArgument.for_field("image", "no face was found in the image", reason="NO_FACE_FOUND")
    ordered = sorted(faces, key=lambda f: f.area, reverse=True)
    return ordered if selection is FaceSelection.ALL else ordered[:1]
