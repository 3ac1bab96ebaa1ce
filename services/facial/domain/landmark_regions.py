"""Region contours from 68 landmarks: smooth closed curves (centripetal Catmull-Rom).

Each builder takes the (68, 2) landmarks and returns the control points of one closed
ring; `region_shapes_from_landmarks` smooths them and assembles the requested regions.
Sizes that are not landmarks (eyebrow thickness, nose width, forehead height) are
estimated from the inter-ocular distance and the rule of facial thirds.
"""

from __future__ import annotations

import numpy as np

from .scheme import Region, group_indices
from .shapes import RegionShape, Ring, catmull_rom_closed, offset_ring

SAMPLES_PER_SEGMENT = 8
#: the contour of a point-like region passes this far (pixels) outside its landmarks
LANDMARK_MARGIN_PX = 0.75


def eye_centers(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right eye centre, left eye centre): subject's right = image left in frontal photos."""
    return lm[36:42].mean(axis=0), lm[42:48].mean(axis=0)


def _frame(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Unit vector along the eye line (image left -> right), unit 'up' vector, inter-ocular distance."""
    right, left = eye_centers(lm)
    along = left - right
    iod = float(np.linalg.norm(along))
    along = along / max(iod, 1e-9)
    up = np.array([along[1], -along[0]])  # rotate 90 deg towards the forehead (image y grows down)
    return along, up, max(iod, 1e-6)


def eyebrow_ring(lm: np.ndarray, indices: list[int]) -> np.ndarray:
    """The brow landmarks run along the brow's upper edge: thicken downwards, taper the ends."""
    _, up, iod = _frame(lm)
    top = lm[indices]
    thickness = 0.12 * iod
    inner_taper = np.array([0.35, 0.8, 1.0, 0.8, 0.35])[:, None]
    upper = top + up * LANDMARK_MARGIN_PX * 2
    lower = top - up * thickness * inner_taper
    return np.vstack([upper, lower[::-1]])


def eye_ring(lm: np.ndarray, indices: list[int]) -> np.ndarray:
    return lm[indices]


def nose_ring(lm: np.ndarray) -> np.ndarray:
    """Bridge (27-30) widened sideways, closed by the lower nose edge (31-35)."""
    along, _, iod = _frame(lm)
    top_half = 0.08 * iod
    mid_half = 0.14 * iod
    return np.vstack(
        [
            lm[27] - along * top_half,
            lm[29] - along * mid_half,
            lm[31],
            lm[32],
            lm[33],
            lm[34],
            lm[35],
            lm[29] + along * mid_half,
            lm[27] + along * top_half,
        ]
    )


def upper_lip_ring(lm: np.ndarray) -> np.ndarray:
    return np.vstack([lm[48:55], lm[[64, 63, 62, 61, 60]]])


def lower_lip_ring(lm: np.ndarray) -> np.ndarray:
    return np.vstack([lm[[54, 55, 56, 57, 58, 59, 48]], lm[[60, 67, 66, 65, 64]]])


def mouth_ring(lm: np.ndarray) -> np.ndarray:
    return lm[48:60]


def face_outline_ring(lm: np.ndarray) -> np.ndarray:
    """Jaw line (0-16) closed over the forehead by a half-ellipse estimated from the brows.

    Forehead height above the brows ~ brow-to-nose-base distance x 0.75 (rule of thirds,
    shortened because the hairline is usually hidden).
    """
    along, up, iod = _frame(lm)
    jaw = lm[group_indices("jaw")]
    a_end, b_end = jaw[0], jaw[-1]  # image-left and image-right ends
    centre = (a_end + b_end) / 2
    half_width = float(np.linalg.norm(b_end - a_end)) / 2
    brows = lm[17:27]
    brow_height = float(np.max((brows - centre) @ up))
    nose_base_drop = float((brows.mean(axis=0) - lm[33]) @ up)
    height = brow_height + 0.75 * max(nose_base_drop, 0.3 * iod)
    # make sure every brow point lies inside the ellipse (u = position across, v = height)
    u = np.clip(((brows - centre) @ along) / max(half_width, 1e-6), -0.98, 0.98)
    v = (brows - centre) @ up
    height = max(height, float(np.max(v / np.sqrt(1 - u**2))) * 1.08)
    theta = np.linspace(0.0, np.pi, 13)[1:-1]  # from image-right end over the top to the left end
    arc = centre + np.outer(np.cos(theta), along) * half_width + np.outer(np.sin(theta), up) * height
    return np.vstack([jaw, arc])


def smooth(ring: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Spline through the control points, optionally pushed `margin` px outwards."""
    curve = catmull_rom_closed(ring, SAMPLES_PER_SEGMENT)
    return offset_ring(curve, margin) if margin else curve


def region_shapes_from_landmarks(lm: np.ndarray, regions: tuple[Region, ...]) -> dict[Region, RegionShape]:
    """Closed smooth contours for the requested regions, in the landmarks' coordinate space."""
    rings: dict[Region, np.ndarray] = {}

    def ring(region: Region) -> np.ndarray:
        if region not in rings:
            rings[region] = smooth(_BUILDERS[region](lm), LANDMARK_MARGIN_PX)
        return rings[region]

    out: dict[Region, RegionShape] = {}
    for region in regions:
        if region is Region.FACE_OVAL:
            holes = [
                ring(r) for r in (Region.RIGHT_EYEBROW, Region.LEFT_EYEBROW, Region.RIGHT_EYE, Region.LEFT_EYE)
            ] + [ring(Region.NOSE), ring(Region.MOUTH)]
            shape = RegionShape(region.value, (Ring(ring(Region.WHOLE_FACE)),) + tuple(Ring(h, True) for h in holes))
        else:
            shape = RegionShape(region.value, (Ring(ring(region)),))
        out[region] = shape
    return out


_BUILDERS = {
    Region.WHOLE_FACE: face_outline_ring,
    Region.LEFT_EYEBROW: lambda lm: eyebrow_ring(lm, group_indices("left_eyebrow")),
    Region.RIGHT_EYEBROW: lambda lm: eyebrow_ring(lm, group_indices("right_eyebrow")),
    Region.LEFT_EYE: lambda lm: eye_ring(lm, group_indices("left_eye")),
    Region.RIGHT_EYE: lambda lm: eye_ring(lm, group_indices("right_eye")),
    Region.NOSE: nose_ring,
    Region.UPPER_LIP: upper_lip_ring,
    Region.LOWER_LIP: lower_lip_ring,
    Region.MOUTH: mouth_ring,
}
