"""Facial domain: region contours (SVG / PNG / JSON) from 68 landmarks or a face-parsing map,
eye-level alignment and a perceptual result cache. Pure logic: numpy, OpenCV, Pillow; no I/O.

Typical use by a servicer or job worker:

    params = ContourParams.create(regions=[...], output_formats=["svg", "json"], align=True)
    image = decode_image(request_bytes)
    result = compute_contours_cached(ContourInput(image, landmarks, label_map), params, cache, detector,
                                     on_progress=..., should_stop=...)
"""

from .alignment import Alignment, compute_alignment, eye_line_angle_deg, warp_to_aligned
from .cache import (
    CacheEntry,
    CacheKey,
    CacheStore,
    InMemoryLruStore,
    LayeredStore,
    PerceptualCache,
    params_hash,
)
from .geometry import ContourGeometry, FaceContours, Source, Space
from .image_io import decode_image, decode_label_map, image_header_size
from .landmarks import DetectedFace, FaceSelection, LandmarkDetector, select_faces, validate_landmarks
from .params import ContourParams, OutputFormat
from .phash import hamming, phash
from .pipeline import (
    Cancelled,
    ContourInput,
    ContourResult,
    cache_key,
    compute_contours,
    compute_contours_cached,
    compute_contours_from_bytes,
)
from .scheme import LANDMARK_GROUPS, REGION_LANDMARKS, Region
from .segmentation import LabelScheme

__all__ = [
    "LANDMARK_GROUPS",
    "REGION_LANDMARKS",
    "Alignment",
    "CacheEntry",
    "CacheKey",
    "CacheStore",
    "Cancelled",
    "ContourGeometry",
    "ContourInput",
    "ContourParams",
    "ContourResult",
    "DetectedFace",
    "FaceContours",
    "FaceSelection",
    "InMemoryLruStore",
    "LabelScheme",
    "LayeredStore",
    "LandmarkDetector",
    "OutputFormat",
    "PerceptualCache",
    "Region",
    "Source",
    "Space",
    "cache_key",
    "compute_alignment",
    "compute_contours",
    "compute_contours_cached",
    "compute_contours_from_bytes",
    "decode_image",
    "decode_label_map",
    "eye_line_angle_deg",
    "hamming",
    "image_header_size",
    "params_hash",
    "phash",
    "select_faces",
    "validate_landmarks",
    "warp_to_aligned",
]
