"""The result geometry: region shapes per face in one output space, and how to move it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from .alignment import Alignment
from .shapes import RegionShape, apply_affine


class Space(StrEnum):
    """Coordinate space of the outputs."""

    ORIGINAL = "original"  # pixels of the input image
    ALIGNED = "aligned"  # pixels of the aligned crop (eyes level); see Alignment


class Source(StrEnum):
    LANDMARKS = "landmarks"
    SEGMENTATION_MAP = "segmentation_map"


@dataclass(frozen=True)
class FaceContours:
    """One face: its detector box (original space, None when landmarks were given), landmarks, regions."""

    index: int
    shapes: tuple[RegionShape, ...]
    landmarks: np.ndarray | None  # (68, 2) in the output space
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class ContourGeometry:
    """All faces' region shapes in one output space of `size` (width, height)."""

    space: Space
    size: tuple[int, int]
    source: Source
    faces: tuple[FaceContours, ...]
    alignment: Alignment | None = None
    original_size: tuple[int, int] | None = None  # (width, height) of the input image

    def transformed(self, matrix: np.ndarray, size: tuple[int, int], space: Space) -> ContourGeometry:
        """Map every shape and landmark by a 2x3 affine into a new space."""
        faces = tuple(
            replace(
                f,
                shapes=tuple(s.transformed(matrix) for s in f.shapes),
                landmarks=None if f.landmarks is None else apply_affine(matrix, f.landmarks),
            )
            for f in self.faces
        )
        return replace(self, faces=faces, size=size, space=space)

    def rescaled(self, new_original_size: tuple[int, int]) -> ContourGeometry:
        """The same result for a resized copy of the original image (used by perceptual cache hits).

        Exact for ORIGINAL space; for ALIGNED space the mean of the x and y scale is used.
        """
        ow, oh = self._original_size()
        sx, sy = new_original_size[0] / ow, new_original_size[1] / oh
        scale = np.array([[sx, 0, 0.5 * (sx - 1)], [0, sy, 0.5 * (sy - 1)]])  # pixel-centre convention
        alignment = self.alignment
        if alignment is not None:
            s = (sx + sy) / 2
            x, y, w, h = alignment.crop_box
            matrix = alignment.matrix.copy()
            matrix[:, 2] = matrix[:, 2] * s
            inv = np.linalg.inv(np.vstack([matrix, [0, 0, 1]]))[:2]
            alignment = Alignment(
                alignment.angle_deg,
                (round(x * s), round(y * s), max(1, round(w * s)), max(1, round(h * s))),
                matrix,
                inv,
            )
        faces_matrix = (
            scale if self.space is Space.ORIGINAL else np.array([[(sx + sy) / 2, 0, 0], [0, (sx + sy) / 2, 0]])
        )
        size = new_original_size if self.space is Space.ORIGINAL else alignment.size
        moved = self.transformed(faces_matrix, size, self.space)
        faces = tuple(
            replace(f, box=None if f.box is None else (f.box[0] * sx, f.box[1] * sy, f.box[2] * sx, f.box[3] * sy))
            for f in moved.faces
        )
        return replace(moved, faces=faces, alignment=alignment, original_size=new_original_size)

    def _original_size(self) -> tuple[int, int]:
        return self.original_size if self.original_size is not None else self.size
