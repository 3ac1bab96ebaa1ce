"""Detection results: boxes, faces with landmarks, labelled objects (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels: left, top, width, height."""

    x: float
    y: float
    width: float
    height: float

    def clipped(self, image_width: int, image_height: int) -> Box:
        x0, y0 = max(0.0, self.x), max(0.0, self.y)
        x1 = min(float(image_width), self.x + self.width)
        y1 = min(float(image_height), self.y + self.height)
        return Box(x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x + self.width, other.x + other.width) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.height, other.y + other.height) - max(self.y, other.y))
        inter = ix * iy
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


Point = tuple[float, float]


@dataclass(frozen=True)
class Face:
    """A detected face: box, score and landmarks (5 points: eye corners + nose; 68: iBUG layout)."""

    box: Box
    score: float
    landmarks5: tuple[Point, ...] = ()
    landmarks68: tuple[Point, ...] = ()


@dataclass(frozen=True)
class DetectedObject:
    label: str
    box: Box
    score: float
