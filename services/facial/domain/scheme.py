"""The 68-point iBUG 300-W landmark scheme and the facial regions built on it.

Indices are 0-based (the iBUG annotation files count from 1; subtract 1).

Left and right are the SUBJECT's left and right (as in the iBUG/dlib convention and in
CelebAMask-HQ's `l_`/`r_` labels): the subject's right eye (points 36-41) appears on the
IMAGE's left in a frontal, non-mirrored photo.
"""

from __future__ import annotations

from enum import StrEnum

from imagemesh_kit.errors import InvalidArgument

LANDMARK_COUNT = 68

#: name -> (first index, last index), both inclusive, 0-based.
LANDMARK_GROUPS: dict[str, tuple[int, int]] = {
    "jaw": (0, 16),  # from the subject's right ear-line (image left) over the chin to the left
    "right_eyebrow": (17, 21),  # subject's right, image left; outer end (17) to inner end (21)
    "left_eyebrow": (22, 26),  # subject's left, image right; inner end (22) to outer end (26)
    "nose_bridge": (27, 30),  # between the eyes (27) down to the tip (30)
    "nose_lower": (31, 35),  # lower nose edge, image left (31) to image right (35); 33 = below the tip
    "right_eye": (36, 41),  # 36 outer corner, 39 inner corner, clockwise in the image
    "left_eye": (42, 47),  # 42 inner corner, 45 outer corner, clockwise in the image
    "outer_lip": (48, 59),  # 48 right mouth corner (image left), 54 left corner, 51 top, 57 bottom
    "inner_lip": (60, 67),  # 60 right inner corner, 64 left inner corner, 62 top, 66 bottom
}


def group_indices(name: str) -> list[int]:
    """The landmark indices of one group of `LANDMARK_GROUPS`."""
    first, last = LANDMARK_GROUPS[name]
    return list(range(first, last + 1))


class Region(StrEnum):
    """Facial regions that contours can be produced for."""

    FACE_OVAL = "face_oval"  # facial skin inside the face outline: brows, eyes, nose, mouth cut out as holes
    LEFT_EYEBROW = "left_eyebrow"  # subject's left
    RIGHT_EYEBROW = "right_eyebrow"  # subject's right
    LEFT_EYE = "left_eye"
    RIGHT_EYE = "right_eye"
    NOSE = "nose"
    UPPER_LIP = "upper_lip"
    LOWER_LIP = "lower_lip"
    MOUTH = "mouth"  # the whole mouth: both lips and the opening between them
    WHOLE_FACE = "whole_face"  # the filled face outline (jaw line closed over the forehead)


ALL_REGIONS: tuple[Region, ...] = tuple(Region)

#: Landmarks each region's contour must enclose (or pass through), for checks and docs.
REGION_LANDMARKS: dict[Region, list[int]] = {
    Region.FACE_OVAL: group_indices("jaw"),
    Region.LEFT_EYEBROW: group_indices("left_eyebrow"),
    Region.RIGHT_EYEBROW: group_indices("right_eyebrow"),
    Region.LEFT_EYE: group_indices("left_eye"),
    Region.RIGHT_EYE: group_indices("right_eye"),
    Region.NOSE: group_indices("nose_bridge") + group_indices("nose_lower"),
    Region.UPPER_LIP: [48, 49, 50, 51, 52, 53, 54, 60, 61, 62, 63, 64],
    Region.LOWER_LIP: [54, 55, 56, 57, 58, 59, 48, 60, 64, 65, 66, 67],
    Region.MOUTH: group_indices("outer_lip") + group_indices("inner_lip"),
    Region.WHOLE_FACE: list(range(LANDMARK_COUNT)),
}


def parse_regions(names: list[str] | tuple[str, ...] | None) -> tuple[Region, ...]:
    """Region names -> Regions in the canonical order; None or empty means all regions.

    Raises InvalidArgument(UNKNOWN_REGION) for a name that is not a region.
    """
    if not names:
        return ALL_REGIONS
    wanted = set()
    for name in names:
        try:
            wanted.add(Region(str(name).strip().lower()))
        except ValueError:
            valid = ", ".join(r.value for r in Region)
            raise InvalidArgument.for_field(
                "regions", f"unknown region {str(name)[:40]!r}; expected one of: {valid}", reason="UNKNOWN_REGION"
            ) from None
    return tuple(r for r in ALL_REGIONS if r in wanted)
