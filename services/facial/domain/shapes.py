"""Region geometry: closed rings (outer boundaries and holes) in pixel coordinates.

Coordinates are (x, y) floats with the pixel-centre convention: pixel (i, j) covers
[i - 0.5, i + 0.5] x [j - 0.5, j + 0.5], so x = 0 is the centre of the first column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ring:
    """One closed polygon (last point not repeated). `hole` rings cut out of the shape."""

    points: np.ndarray  # (N, 2) float64, x then y
    hole: bool = False

    def area(self) -> float:
        """Unsigned area in square pixels."""
        return abs(signed_area(self.points))


@dataclass(frozen=True)
class RegionShape:
    """A region as outer rings and hole rings; filled with the even-odd rule."""

    region: str
    rings: tuple[Ring, ...]

    @property
    def has_holes(self) -> bool:
        return any(r.hole for r in self.rings)

    def area(self) -> float:
        """Outer area minus hole area (holes assumed inside their outer ring)."""
        return sum(-r.area() if r.hole else r.area() for r in self.rings)

    def transformed(self, matrix: np.ndarray) -> RegionShape:
        """The shape mapped by a 2x3 affine matrix."""
        return RegionShape(self.region, tuple(Ring(apply_affine(matrix, r.points), r.hole) for r in self.rings))


def signed_area(points: np.ndarray) -> float:
    """Shoelace area; its sign gives the ring's orientation."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine matrix to (N, 2) points."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ matrix[:, :2].T + matrix[:, 2]


def catmull_rom_closed(points: np.ndarray, samples_per_segment: int = 8, alpha: float = 0.5) -> np.ndarray:
    """A closed centripetal (alpha=0.5) Catmull-Rom spline through `points`.

    Centripetal parametrisation avoids cusps and self-intersections on unevenly spaced
    landmarks. Returns (N * samples_per_segment, 2) points that include the input points.
    """
    p = np.asarray(points, dtype=np.float64)
    n = len(p)
    if n < 3:
        return p.copy()
    # drop consecutive duplicates (they would make a zero-length knot interval)
    keep = np.linalg.norm(p - np.roll(p, 1, axis=0), axis=1) > 1e-9
    p = p[keep]
    n = len(p)
    if n < 3:
        return p.copy()
    p0, p1, p2, p3 = np.roll(p, 1, axis=0), p, np.roll(p, -1, axis=0), np.roll(p, -2, axis=0)
    d01 = np.maximum(np.linalg.norm(p1 - p0, axis=1) ** alpha, 1e-9)[:, None, None]
    d12 = np.maximum(np.linalg.norm(p2 - p1, axis=1) ** alpha, 1e-9)[:, None, None]
    d23 = np.maximum(np.linalg.norm(p3 - p2, axis=1) ** alpha, 1e-9)[:, None, None]
    t0 = np.zeros_like(d01)
    t1 = t0 + d01
    t2 = t1 + d12
    t3 = t2 + d23
    u = np.linspace(0.0, 1.0, samples_per_segment, endpoint=False)[None, :, None]
    t = t1 + u * (t2 - t1)  # (n, s, 1)
    P0, P1, P2, P3 = (q[:, None, :] for q in (p0, p1, p2, p3))
    a1 = (t1 - t) / (t1 - t0) * P0 + (t - t0) / (t1 - t0) * P1
    a2 = (t2 - t) / (t2 - t1) * P1 + (t - t1) / (t2 - t1) * P2
    a3 = (t3 - t) / (t3 - t2) * P2 + (t - t2) / (t3 - t2) * P3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    c = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2
    return c.reshape(-1, 2)


def offset_ring(points: np.ndarray, distance: float, outward: bool = True) -> np.ndarray:
    """Move every vertex `distance` pixels along its mitred normal (outward or inward).

    Miter lengths are clamped to 2 x distance so sharp corners do not spike.
    """
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 3 or distance == 0:
        return p.copy()
    sign = 1.0 if signed_area(p) > 0 else -1.0
    if not outward:
        sign = -sign
    prev_edge = p - np.roll(p, 1, axis=0)
    next_edge = np.roll(p, -1, axis=0) - p
    n1 = _unit(np.stack([prev_edge[:, 1], -prev_edge[:, 0]], axis=1)) * sign
    n2 = _unit(np.stack([next_edge[:, 1], -next_edge[:, 0]], axis=1)) * sign
    bis = _unit(n1 + n2)
    cos_half = np.clip(np.sum(bis * n1, axis=1), 0.5, 1.0)
    return p + bis * (distance / cos_half)[:, None]


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    return np.where(norm > 1e-12, v / np.maximum(norm, 1e-12), 0.0)
