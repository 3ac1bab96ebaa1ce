"""Landmark-guided face enhancement, blended back with a feathered mask.

Per face, inside a crop around it: smooth the skin (bilateral filter outside eyes and mouth),
sharpen eyes and mouth (unsharp mask), stretch the face's lightness range and add vibrance,
then blend into the image with the feathered face mask scaled by `strength`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument
from services.restoration.domain import face_masks
from services.restoration.domain.detection import Face
from services.restoration.domain.images import as_rgb_uint8


@dataclass(frozen=True)
class FaceEnhanceParams:
    """All in [0, 1]. `strength` scales the whole effect; the others weight each operation."""

    strength: float = 0.8
    skin_smoothing: float = 0.6
    sharpen: float = 0.6
    contrast: float = 0.4
    color: float = 0.3

    def __post_init__(self) -> None:
        for name in ("strength", "skin_smoothing", "sharpen", "contrast", "color"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
                raise InvalidArgument.for_field(
                    f"face_enhance.{name}", "must be in [0, 1]", reason="INVALID_FACE_ENHANCE_PARAM"
                )


def _shift(face: Face, dx: float, dy: float) -> Face:
    def move(pts):
        return tuple((x - dx, y - dy) for x, y in pts)

    box = face.box
    return Face(
        box=type(box)(box.x - dx, box.y - dy, box.width, box.height),
        score=face.score,
        landmarks5=move(face.landmarks5),
        landmarks68=move(face.landmarks68),
    )


def _smooth_skin(crop: np.ndarray, size: float, amount: float) -> np.ndarray:
    d = int(np.clip(size / 25, 5, 15))
    smooth = cv2.bilateralFilter(crop, d, 20 + 40 * amount, d * 1.5)
    return smooth.astype(np.float32)


def _sharpen(crop: np.ndarray, size: float, amount: float) -> np.ndarray:
    sigma = max(0.8, size / 150)
    blur = cv2.GaussianBlur(crop, (0, 0), sigma)
    return crop + (1.2 * amount) * (crop - blur)


def _contrast_color(crop: np.ndarray, mask: np.ndarray, contrast: float, color: float) -> np.ndarray:
    """Stretch the face's lightness range (percentiles 2..98 inside `mask`) and add vibrance.

    A global stretch, not CLAHE: local contrast equalisation turns freckles and pores into blotches.
    """
    lab = cv2.cvtColor(np.clip(crop, 0, 255).astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float32)
    inside = lab[..., 0][mask > 0.5]
    if inside.size > 16 and contrast > 0:
        p_lo, p_hi = np.percentile(inside, [2, 98])
        if p_hi - p_lo > 8:
            lo, hi = p_lo * (1 - 0.5 * contrast), p_hi + (255 - p_hi) * 0.5 * contrast
            lab[..., 0] = np.clip(lo + (lab[..., 0] - p_lo) * (hi - lo) / (p_hi - p_lo), 0, 255)
    chroma = lab[..., 1:] - 128.0
    sat = np.hypot(chroma[..., 0], chroma[..., 1])[..., None]
    boost = 1.0 + 0.35 * color * np.clip(1.0 - sat / 60.0, 0.0, 1.0)  # vibrance: dull colours gain most
    lab[..., 1:] = 128.0 + chroma * boost
    return cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB).astype(np.float32)


def enhance_face(image: np.ndarray, face: Face, params: FaceEnhanceParams) -> np.ndarray:
    """Enhance one face in an RGB uint8 image (returns a new image)."""
    image = as_rgb_uint8(image)
    h, w = image.shape[:2]
    region = face_masks.region_around(face, w, h)
    x0, y0, x1, y1 = int(region.x), int(region.y), int(region.x + region.width), int(region.y + region.height)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return image.copy()
    local = _shift(face, x0, y0)
    crop = image[y0:y1, x0:x1]
    size = face_masks.face_size(face)
    shape = crop.shape[:2]
    face_m = face_masks.face_mask(shape, local)
    features = face_masks.feather(face_masks.feature_mask(shape, local), size / 20)
    skin = face_m * (1.0 - features)
    work = crop.astype(np.float32)
    if params.skin_smoothing > 0:
        smooth = _smooth_skin(crop, size, params.skin_smoothing)
        work += (params.skin_smoothing * skin)[..., None] * (smooth - work)
    if params.sharpen > 0:
        work += features[..., None] * (_sharpen(work, size, params.sharpen) - work)
    if params.contrast > 0 or params.color > 0:
        work = _contrast_color(work, face_m, params.contrast, params.color)
    blend = face_masks.feather(face_m, size / 8) * params.strength
    out = image.astype(np.float32)
    out[y0:y1, x0:x1] += blend[..., None] * (work - out[y0:y1, x0:x1])
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def enhance_faces(image: np.ndarray, faces: Sequence[Face], params: FaceEnhanceParams) -> np.ndarray:
    """Enhance every face, one after another."""
    out = as_rgb_uint8(image)
    for face in faces:
        out = enhance_face(out, face, params)
    return out
