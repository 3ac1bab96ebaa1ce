"""Region contours from a face-parsing label map (the 19 CelebAMask-HQ classes).

Two numberings of the same 19 classes are in use; `LabelScheme` picks one:
 FACE_PARSING (default; zllrunning/face-parsing.PyTorch BiSeNet and most pretrained parsers):
  0 background, 1 skin, 2 l_brow, 3 r_brow, 4 l_eye, 5 r_eye, 6 eye_g (glasses), 7 l_ear, 8 r_ear,
  9 ear_r (earring), 10 nose, 11 mouth (inside, between the lips), 12 u_lip, 13 l_lip, 14 neck,
  15 neck_l (necklace), 16 cloth, 17 hair, 18 hat.
 CELEBAMASK_HQ (the dataset repository's own label list, switchablenorms/CelebAMask-HQ):
  0 background, 1 skin, 2 nose, 3 eye_g, 4 l_eye, 5 r_eye, 6 l_brow, 7 r_brow, 8 l_ear, 9 r_ear,
  10 mouth, 11 u_lip, 12 l_lip, 13 hair, 14 hat, 15 ear_r, 16 neck_l, 17 neck, 18 cloth.
Maps in the CELEBAMASK_HQ numbering are translated to FACE_PARSING ids first.
`l_`/`r_` are taken as the subject's left/right, as for the landmark regions. Contours are traced
with cv2.findContours(RETR_CCOMP): outer boundaries and their holes, pushed half a pixel outwards
so that polygon areas equal pixel counts.
"""

from __future__ import annotations

from enum import StrEnum

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument

from .scheme import Region
from .shapes import RegionShape, Ring, offset_ring

FACE_PARSING_LABELS: dict[int, str] = {
    0: "background",
    1: "skin",
    2: "l_brow",
    3: "r_brow",
    4: "l_eye",
    5: "r_eye",
    6: "eye_g",
    7: "l_ear",
    8: "r_ear",
    9: "ear_r",
    10: "nose",
    11: "mouth",
    12: "u_lip",
    13: "l_lip",
    14: "neck",
    15: "neck_l",
    16: "cloth",
    17: "hair",
    18: "hat",
}
MAX_LABEL = max(FACE_PARSING_LABELS)


class LabelScheme(StrEnum):
    FACE_PARSING = "face_parsing"
    CELEBAMASK_HQ = "celebamask_hq"


CELEBAMASK_HQ_NAMES = (
    "background",
    "skin",
    "nose",
    "eye_g",
    "l_eye",
    "r_eye",
    "l_brow",
    "r_brow",
    "l_ear",
    "r_ear",
    "mouth",
    "u_lip",
    "l_lip",
    "hair",
    "hat",
    "ear_r",
    "neck_l",
    "neck",
    "cloth",
)
_NAME_TO_FACE_PARSING = {name: i for i, name in FACE_PARSING_LABELS.items()}
#: lookup table: CelebAMask-HQ id -> face-parsing id
CELEBAMASK_HQ_TO_FACE_PARSING = np.array([_NAME_TO_FACE_PARSING[n] for n in CELEBAMASK_HQ_NAMES], np.uint8)

#: which labels (FACE_PARSING ids) make up each region
REGION_LABELS: dict[Region, tuple[int, ...]] = {
    Region.FACE_OVAL: (1,),
    Region.LEFT_EYEBROW: (2,),
    Region.RIGHT_EYEBROW: (3,),
    Region.LEFT_EYE: (4,),
    Region.RIGHT_EYE: (5,),
    Region.NOSE: (10,),
    Region.UPPER_LIP: (12,),
    Region.LOWER_LIP: (13,),
    Region.MOUTH: (11, 12, 13),
    Region.WHOLE_FACE: (1, 2, 3, 4, 5, 6, 10, 11, 12, 13),
}


def validate_label_map(
    label_map: np.ndarray, image_size: tuple[int, int], scheme: LabelScheme = LabelScheme.FACE_PARSING
) -> np.ndarray:
    """Check a label map against the image (width, height) and the label scheme; return it as
    uint8 in FACE_PARSING ids (CELEBAMASK_HQ maps are translated).

    Raises InvalidArgument: SEGMENTATION_MAP_SIZE_MISMATCH, BAD_SEGMENTATION_MAP, UNKNOWN_LABELS.
    """
    arr = np.asarray(label_map)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        rgb = arr[:, :, :3]
        if not (np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 0], rgb[:, :, 2])):
            raise InvalidArgument.for_field(
                "segmentation_map", "must be a single-channel label image", reason="BAD_SEGMENTATION_MAP"
            )
        arr = rgb[:, :, 0]
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidArgument.for_field(
            "segmentation_map", "must be a single-channel integer label image", reason="BAD_SEGMENTATION_MAP"
        )
    height, width = arr.shape
    if (width, height) != tuple(image_size):
        raise InvalidArgument.for_field(
            "segmentation_map",
            f"is {width}x{height} but the image is {image_size[0]}x{image_size[1]}",
            reason="SEGMENTATION_MAP_SIZE_MISMATCH",
        )
    unknown = np.unique(arr[(arr < 0) | (arr > MAX_LABEL)])
    if unknown.size:
        shown = ", ".join(str(int(v)) for v in unknown[:5])
        raise InvalidArgument.for_field(
            "segmentation_map",
            f"has labels outside 0..{MAX_LABEL} (CelebAMask-HQ scheme): {shown}",
            reason="UNKNOWN_LABELS",
        )
    arr = arr.astype(np.uint8)
    return CELEBAMASK_HQ_TO_FACE_PARSING[arr] if scheme is LabelScheme.CELEBAMASK_HQ else arr


def mask_rings(mask: np.ndarray) -> tuple[Ring, ...]:
    """Outer boundaries and holes of a binary mask (RETR_CCOMP), half a pixel outside the pixel centres."""
    contours, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return ()
    rings = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        pts = contour[:, 0, :].astype(np.float64)
        hole = bool(parent >= 0)
        if len(pts) < 3:  # a single pixel or a one-pixel line: use its pixel footprint
            lo, hi = pts.min(axis=0) - 0.5, pts.max(axis=0) + 0.5
            pts = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
        else:
            # outer rings grow, hole rings shrink their hole: both move away from the filled pixels
            pts = offset_ring(pts, 0.5, outward=not hole)
        rings.append(Ring(pts, hole))
    return tuple(rings)


def region_shapes_from_label_map(label_map: np.ndarray, regions: tuple[Region, ...]) -> dict[Region, RegionShape]:
    """Contours of the requested regions from a validated label map (regions absent -> no rings)."""
    out = {}
    for region in regions:
        mask = np.isin(label_map, REGION_LABELS[region]).astype(np.uint8)
        out[region] = RegionShape(region.value, mask_rings(mask))
    return out
