"""Alignment: rotate so the eyes are level, crop around the face with a margin.

`Alignment.matrix` (2x3) maps ORIGINAL image pixels to ALIGNED-CROP pixels;
`Alignment.inverse` maps back. Pixel-centre coordinates in both spaces (see shapes.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .landmark_regions import eye_centers, face_outline_ring
from .shapes import apply_affine

MAX_MARGIN = 2.0


@dataclass(frozen=True)
class Alignment:
    """How the aligned crop was cut out of the original image."""

    angle_deg: float  # the crop is the original rotated by this (counter-clockwise as seen, i.e. eyes levelled)
    crop_box: tuple[int, int, int, int]  # (x, y, w, h) in the rotated, uncropped frame
    matrix: np.ndarray  # (2, 3) original -> aligned crop
    inverse: np.ndarray  # (2, 3) aligned crop -> original

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the aligned crop."""
        return self.crop_box[2], self.crop_box[3]

    def to_dict(self) -> dict:
        return {
            "angle_deg": round(self.angle_deg, 4),
            "crop_box": {
                "x": self.crop_box[0],
                "y": self.crop_box[1],
                "width": self.crop_box[2],
                "height": self.crop_box[3],
            },
            "matrix": [[round(float(v), 6) for v in row] for row in self.matrix],
            "inverse": [[round(float(v), 6) for v in row] for row in self.inverse],
        }


def eye_line_angle_deg(landmarks: np.ndarray) -> float:
    """Angle of the line from the image-left eye centre to the image-right eye centre (y down)."""
    right, left = eye_centers(landmarks)
    d = left - right
    return math.degrees(math.atan2(d[1], d[0]))


def compute_alignment(landmarks: np.ndarray, margin: float = 0.25) -> Alignment:
    """Level the eyes and crop the face outline plus `margin` x its size on every side.

    margin in [0, 2]; raises InvalidArgument(BAD_MARGIN) outside that range.
    """
    if not (isinstance(margin, (int, float)) and 0.0 <= float(margin) <= MAX_MARGIN):
        raise InvalidArgument.for_field("margin", f"must be between 0 and {MAX_MARGIN}", reason="BAD_MARGIN")
    angle = eye_line_angle_deg(landmarks)
    right, left = eye_centers(landmarks)
    centre = (right + left) / 2
    # cv2's positive angle rotates counter-clockwise on screen; rotating by the eye-line angle levels it
    rot = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    outline = apply_affine(rot, face_outline_ring(landmarks))
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    size = hi - lo
    lo = lo - size * margin
    hi = hi + size * margin
    x0, y0 = math.floor(lo[0]), math.floor(lo[1])
    w, h = max(1, math.ceil(hi[0]) - x0), max(1, math.ceil(hi[1]) - y0)
    matrix = rot.copy()
    matrix[:, 2] -= (x0, y0)
    inverse = cv2.invertAffineTransform(matrix)
    return Alignment(angle, (x0, y0, w, h), matrix, inverse)


def warp_to_aligned(image: np.ndarray, alignment: Alignment, border_value: int = 0) -> np.ndarray:
    """The aligned crop as an image (pixels outside the original filled with `border_value`)."""
    return cv2.warpAffine(
        image,
        alignment.matrix,
        alignment.size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border_value,
    )
