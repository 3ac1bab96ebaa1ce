"""The contour computation as an ordered list of small steps, with progress and cancellation.

    result = compute_contours(ContourInput(image, landmarks=None), ContourParams.create(), detector)

Steps: check inputs -> find landmarks -> trace regions -> align -> render outputs.
`compute_contours_cached` wraps it with the perceptual cache (cache.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from imagemesh_kit.errors import Cancelled as KitCancelled
from imagemesh_kit.errors import FailedPrecondition

from .alignment import compute_alignment
from .cache import CacheKey, PerceptualCache, params_hash
from .geometry import ContourGeometry, FaceContours, Source, Space
from .image_io import (
    MAX_PIXELS,
    check_image_array,
    decode_gray_for_hash,
    decode_image,
    decode_label_map,
    image_header_size,
    to_gray,
)
from .landmark_regions import region_shapes_from_landmarks
from .landmarks import DetectedFace, LandmarkDetector, select_faces, validate_landmarks
from .params import ContourParams, OutputFormat
from .phash import phash
from .render_json import render_json
from .render_masks import render_masks
from .render_svg import render_svg
from .segmentation import region_shapes_from_label_map, validate_label_map

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]


class Cancelled(KitCancelled):
    """The caller asked to stop (should_stop() returned True) between two steps (the kit's
    Cancelled: a job worker records the job as CANCELLED)."""


@dataclass(frozen=True)
class ContourInput:
    """image: uint8 gray/RGB/RGBA (H, W[, C]). landmarks: 68 (x, y) or None to detect.
    label_map: CelebAMask-HQ label ids (H, W) or None to use landmark contours."""

    image: np.ndarray
    landmarks: object | None = None
    label_map: np.ndarray | None = None


@dataclass(frozen=True)
class ContourResult:
    geometry: ContourGeometry
    svg: bytes | None
    masks: dict[str, bytes]  # region name -> PNG bytes (empty unless PNG was asked for); do not mutate
    polygons_json: bytes | None
    from_cache: bool = False


@dataclass
class _Run:
    """Mutable state passed from step to step."""

    inputs: ContourInput
    params: ContourParams
    detector: LandmarkDetector | None
    size: tuple[int, int] = (0, 0)
    landmarks: np.ndarray | None = None
    label_map: np.ndarray | None = None
    faces: list[DetectedFace] = field(default_factory=list)
    geometry: ContourGeometry | None = None
    result: ContourResult | None = None


def step_check_inputs(run: _Run) -> None:
    image = check_image_array(run.inputs.image)
    run.size = (image.shape[1], image.shape[0])
    if run.inputs.landmarks is not None:
        run.landmarks = validate_landmarks(run.inputs.landmarks, run.size)
    if run.inputs.label_map is not None:
        run.label_map = validate_label_map(run.inputs.label_map, run.size, run.params.label_scheme)


def step_find_landmarks(run: _Run) -> None:
    if run.landmarks is not None:
        run.faces = [DetectedFace(box=_landmark_box(run.landmarks), landmarks=run.landmarks)]
        return
    if run.label_map is not None and not run.params.align:
        return  # contours come from the map and nothing needs landmarks
    if run.detector is None:
        raise FailedPrecondition(
            "Automatic landmark detection is not available; send landmarks.", reason="DETECTOR_UNAVAILABLE"
        )
    found = run.detector.detect(to_gray(run.inputs.image), run.params.detection_max_side)
    run.faces = select_faces(found, run.params.faces)


def step_trace_regions(run: _Run) -> None:
    given = run.inputs.landmarks is not None
    if run.label_map is not None:
        shapes = region_shapes_from_label_map(run.label_map, run.params.regions)
        lm = run.faces[0].landmarks if run.faces else None
        faces = (FaceContours(0, tuple(shapes.values()), lm, None if given or not run.faces else run.faces[0].box),)
        source = Source.SEGMENTATION_MAP
    else:
        faces = tuple(
            FaceContours(
                i,
                tuple(region_shapes_from_landmarks(f.landmarks, run.params.regions).values()),
                f.landmarks,
                None if given else f.box,
            )
            for i, f in enumerate(run.faces)
        )
        source = Source.LANDMARKS
    run.geometry = ContourGeometry(Space.ORIGINAL, run.size, source, faces, None, run.size)


def step_align(run: _Run) -> None:
    if not run.params.align:
        return
    alignment = compute_alignment(run.faces[0].landmarks, run.params.margin)
    geometry = ContourGeometry(
        run.geometry.space, run.geometry.size, run.geometry.source, run.geometry.faces, alignment, run.size
    )
    if run.params.space is Space.ALIGNED:
        geometry = geometry.transformed(alignment.matrix, alignment.size, Space.ALIGNED)
    run.geometry = geometry


def step_render(run: _Run) -> None:
    run.result = render_result(run.geometry, run.params)


def render_result(geometry: ContourGeometry, params: ContourParams, from_cache: bool = False) -> ContourResult:
    """Produce the requested output documents from a geometry."""
    formats = params.output_formats
    return ContourResult(
        geometry=geometry,
        svg=render_svg(geometry) if OutputFormat.SVG in formats else None,
        masks=render_masks(geometry) if OutputFormat.PNG in formats else {},
        polygons_json=render_json(geometry) if OutputFormat.JSON in formats else None,
        from_cache=from_cache,
    )


STEPS: tuple[tuple[str, Callable[[_Run], None]], ...] = (
    ("checking inputs", step_check_inputs),
    ("finding landmarks", step_find_landmarks),
    ("tracing regions", step_trace_regions),
    ("aligning", step_align),
    ("rendering outputs", step_render),
)


def compute_contours(
    inputs: ContourInput,
    params: ContourParams,
    detector: LandmarkDetector | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ContourResult:
    """Run all steps. Raises InvalidArgument for bad input, FailedPrecondition when landmarks
    are needed but no detector is given, Cancelled when should_stop() says so."""
    run = _Run(inputs, params, detector)
    for i, (message, step) in enumerate(STEPS):
        if should_stop is not None and should_stop():
            raise Cancelled("The contour computation was cancelled.")
        if on_progress is not None:
            on_progress(i / len(STEPS), message)
        step(run)
    if on_progress is not None:
        on_progress(1.0, "done")
    return run.result


def cache_key(inputs: ContourInput, params: ContourParams) -> CacheKey:
    """The perceptual cache key of a request (validates the image first)."""
    image = check_image_array(inputs.image)
    size = (image.shape[1], image.shape[0])
    lm = None if inputs.landmarks is None else validate_landmarks(inputs.landmarks, size)
    labels = None if inputs.label_map is None else validate_label_map(inputs.label_map, size, params.label_scheme)
    return CacheKey(params_hash(params.to_dict(), lm, labels), phash(image), size)


def compute_contours_cached(
    inputs: ContourInput,
    params: ContourParams,
    cache: PerceptualCache,
    detector: LandmarkDetector | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ContourResult:
    """Like compute_contours, but a near-duplicate image with the same parameters is served
    from `cache` (from_cache=True); a hit for a resized copy is rescaled and re-rendered."""
    key = cache_key(inputs, params)
    hit = _served_from_cache(cache, key, params, on_progress)
    if hit is not None:
        return hit
    result = compute_contours(inputs, params, detector, on_progress, should_stop)
    cache.put(key, result)
    return result


def compute_contours_from_bytes(
    image: bytes,
    params: ContourParams,
    cache: PerceptualCache,
    landmarks: object | None = None,
    label_map: bytes | None = None,
    detector: LandmarkDetector | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    max_pixels: int = MAX_PIXELS,
) -> ContourResult:
    """compute_contours_cached for encoded bytes (what a service receives), cheaper on a hit: the
    size comes from the header and the pHash from a reduced grayscale decode; the full colour
    decode happens only on a miss. Keys match compute_contours_cached's within the pHash tolerance."""
    size = image_header_size(image, "image", max_pixels)
    labels = decode_label_map(label_map) if label_map else None
    lm = None if landmarks is None else validate_landmarks(landmarks, size)
    valid_labels = None if labels is None else validate_label_map(labels, size, params.label_scheme)
    key = CacheKey(params_hash(params.to_dict(), lm, valid_labels), phash(decode_gray_for_hash(image, size)), size)
    hit = _served_from_cache(cache, key, params, on_progress)
    if hit is not None:
        return hit
    decoded = decode_image(image, max_pixels)
    result = compute_contours(ContourInput(decoded, lm, labels), params, detector, on_progress, should_stop)
    cache.put(CacheKey(key.params_hash, key.phash, (decoded.shape[1], decoded.shape[0])), result)
    return result


def _served_from_cache(
    cache: PerceptualCache, key: CacheKey, params: ContourParams, on_progress: ProgressFn | None
) -> ContourResult | None:
    hit = cache.lookup(key)
    if hit is None:
        return None
    cached: ContourResult = hit.value
    if hit.key.image_size == key.image_size:
        result = ContourResult(cached.geometry, cached.svg, cached.masks, cached.polygons_json, True)
    else:
        result = render_result(cached.geometry.rescaled(key.image_size), params, from_cache=True)
    if on_progress is not None:
        on_progress(1.0, "served from cache")
    return result


def _landmark_box(lm: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = lm.min(axis=0), lm.max(axis=0)
    return (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))
