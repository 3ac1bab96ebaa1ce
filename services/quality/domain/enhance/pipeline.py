"""Run planned enhancement steps, checking each with the service's own metrics, backing off.

Guarantee: no targeted aspect's score (0-100) ends more than SCORE_TOLERANCE below its score
before enhancement.  How:
- steps run in order on a *canvas*; after each, the light measurements are taken and every
  targeted aspect that no later step serves is checked against the start (so denoising may cost
  sharpness that the sharpening step then has to win back, but sharpening may not leave the noise
  worse); a failing step is retried at half and quarter strength, then skipped;
- fast path: the canvas is the measurement tiles (sampling.tiles) of the image, and the accepted
  steps, with the parameters fitted there, are then applied once to the full image, which is
  measured and checked; slow path (only if that final check fails, or for images small enough to
  be their own single tile): the same search on the full image;
- if the end result still fails (an aspect an early step was allowed to lower was not won back),
  the steps that can hurt it are halved and the search repeated; as a last resort the input is
  returned unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..cancel import ProgressFn, StopFn, checkpoint
from ..measure import Measurements, SampledViews, measure, measure_views
from ..parallel import banded, submit
from ..sampling import stride_for, strided, tile_boxes, tiles
from ..scoring import aspect_scores
from ..working_image import WorkingImage, luma
from .params import EnhanceParams, ReferenceStats, reference_stats
from .plan import CAN_HURT, StepPlan, plan_steps
from .steps import apply_step, fit_step

SCORE_TOLERANCE = 0.5  # points on the 0-100 aspect scale
STEP_FACTORS = (1.0, 0.5, 0.25)
RERUNS = 2
# rows of context each band of the full image carries when the accepted steps are applied band by band: at
# least every step's reach together (denoising, then sharpening; the other steps are per pixel) - 8 rows
# here: services/quality/tests/test_parallel.py asserts bit-equality with the whole image and fails below 8 -
# with a 2x margin; even (see parallel.band_rows)
APPLY_HALO = 16


@dataclass(frozen=True)
class AppliedStep:
    """A step that ran: its name, the aspect it served, its strength (0..1) and setting
    (noise sigma removed for denoise, unsharp amount for sharpen, else 0)."""

    name: str
    aspect: str
    strength: float
    setting: float


@dataclass(frozen=True, eq=False)
class EnhancementResult:
    """rgb: float32 HxWx3 in [0, 1]; alpha: the input's alpha (unchanged) or None.

    steps: the steps applied; notes: what was weakened or skipped and why;
    before / after: light measurements (no BRISQUE/NIQE) used for the no-regression check (after a search on
    the full image, `after` has no blockiness either: 0, as compression is never an enhancement target);
    output: enhance_working's `output` of rgb when steps were applied and an `output` was given, else None.
    """

    rgb: np.ndarray
    alpha: np.ndarray | None
    steps: tuple[AppliedStep, ...]
    notes: tuple[str, ...]
    before: Measurements
    after: Measurements
    output: Any = None


@dataclass(frozen=True, eq=False)
class _Accepted:
    step: StepPlan
    params: Any
    strength: float
    setting: float


def _rgb_block(block: np.ndarray, is_gray: bool) -> np.ndarray:
    rgb = cv2.cvtColor(np.ascontiguousarray(block), cv2.COLOR_YCrCb2RGB)
    np.clip(rgb, 0.0, 1.0, out=rgb)
    if is_gray:
        y = np.ascontiguousarray(rgb[..., 0])
        rgb = cv2.merge([y, y, y])
    return rgb


def _gray_of(rgb: np.ndarray, is_gray: bool) -> np.ndarray:
    return np.ascontiguousarray(rgb[..., 0]) if is_gray else luma(rgb)


def _views(rgb_tiles: list[np.ndarray], rgb_sample: np.ndarray, is_gray: bool, *, subsampled: bool) -> SampledViews:
    return SampledViews(
        gray_tiles=[_gray_of(t, is_gray) for t in rgb_tiles],
        rgb_tiles=None if is_gray else rgb_tiles,
        gray_sample=_gray_of(rgb_sample, is_gray),
        rgb_sample=None if is_gray else rgb_sample,
        tiled=len(rgb_tiles) > 1,
        subsampled=subsampled,
    )


def _full_views(canvas: list[np.ndarray], is_gray: bool) -> SampledViews:
    """Views of a full YCrCb image, converting only the sampled pixels (same as sampled_views)."""
    ycc = canvas[0]
    h, w = ycc.shape[:2]
    k = stride_for(h, w)
    rgb_tiles = [_rgb_block(ycc[r, c], is_gray) for r, c in tile_boxes(h, w)]
    return _views(rgb_tiles, _rgb_block(ycc[::k, ::k], is_gray), is_gray, subsampled=k > 1)


def _rgb_views(rgb: np.ndarray, is_gray: bool) -> SampledViews:
    """Views of a full RGB result: the same tiles and strided sample _full_views reads (the sample gathered
    once into a contiguous array: luma and colourfulness both read it)."""
    sample = strided(rgb)
    return _views(tiles(rgb), np.ascontiguousarray(sample), is_gray, subsampled=sample is not rgb)


def _apply_all(image: WorkingImage, accepted: list[_Accepted]) -> np.ndarray:
    """The accepted steps applied to the whole image, as RGB: converted, filtered and converted back band
    by band on the machine's cores (each band with APPLY_HALO rows of context, so the seams match)."""
    is_gray = image.is_grayscale

    def chain(rgb_band: np.ndarray) -> np.ndarray:
        ycc = cv2.cvtColor(rgb_band, cv2.COLOR_RGB2YCrCb)
        for a in accepted:
            ycc = apply_step(a.step.name, ycc, a.params, a.strength, is_grayscale=is_gray)
        return _rgb_block(ycc, is_gray)

    return banded(chain, image.rgb, APPLY_HALO)


def _tile_views(canvas: list[np.ndarray], is_gray: bool) -> SampledViews:
    """Views of a tile canvas: the tiles, and all their pixels as the 'sample' (converted as one stack)."""
    heights = [t.shape[0] for t in canvas]
    rgb = _rgb_block(np.concatenate(canvas, axis=0) if len(canvas) > 1 else canvas[0], is_gray)
    gray = _gray_of(rgb, is_gray)
    edges = np.cumsum([0, *heights])
    rgb_tiles = [rgb[a:b] for a, b in zip(edges, edges[1:], strict=False)]
    return SampledViews(
        gray_tiles=[gray[a:b] for a, b in zip(edges, edges[1:], strict=False)],
        rgb_tiles=None if is_gray else rgb_tiles,
        gray_sample=gray.reshape(-1, 1),
        rgb_sample=None if is_gray else rgb.reshape(-1, 1, 3),
        tiled=True,
        subsampled=True,
    )


def worsened_aspects(before: Measurements, after: Measurements, checked, is_gray: bool) -> list[str]:
    """Aspects in `checked` whose score dropped by more than SCORE_TOLERANCE."""
    old = {a.name: a.score for a in aspect_scores(before, is_grayscale=is_gray)}
    new = {a.name: a.score for a in aspect_scores(after, is_grayscale=is_gray)}
    return [name for name in checked if name in old and new[name] < old[name] - SCORE_TOLERANCE]


def _search(
    canvas: list[np.ndarray],
    views: Callable[[list[np.ndarray], bool], SampledViews],
    steps: list[StepPlan],
    ref: ReferenceStats | None,
    start: Measurements,
    targeted: tuple[str, ...],
    is_gray: bool,
    notes: list[str],
    progress: Callable[[float, str], None],
) -> tuple[list[np.ndarray], list[_Accepted], Measurements]:
    """Greedy pass over the steps with per-step checks on `canvas`."""
    current_m = start
    accepted: list[_Accepted] = []
    for i, step in enumerate(steps):
        progress(i / max(len(steps), 1), step.name)
        if step.strength <= 0.0:
            continue
        fitted = fit_step(step, canvas, ref, current_m, start)
        if fitted is None:
            continue
        params, setting = fitted
        served_later = {s.aspect for s in steps[i + 1 :]}
        checked = [a for a in targeted if a not in served_later]
        worse: list[str] = []
        for factor in STEP_FACTORS:
            strength = step.strength * factor
            trial = [apply_step(step.name, c, params, strength, is_grayscale=is_gray) for c in canvas]
            trial_m = measure_views(views(trial, is_gray), compression=False)
            worse = worsened_aspects(start, trial_m, checked, is_gray)
            if not worse:
                canvas, current_m = trial, trial_m
                accepted.append(_Accepted(step, params, strength, setting))
                if factor < 1.0:
                    notes.append(f"{step.name} at {factor:.0%} strength (full strength would worsen)")
                break
        else:
            notes.append(f"{step.name} skipped (would worsen {', '.join(worse)})")
    return canvas, accepted, current_m


def _to_rgb(image: WorkingImage, ycc: np.ndarray, accepted: list[_Accepted]) -> np.ndarray:
    """The result in RGB; the input's own pixels when no step was accepted (no colour round trip)."""
    return _rgb_block(ycc, image.is_grayscale) if accepted else image.rgb


def _applied(accepted: list[_Accepted]) -> tuple[AppliedStep, ...]:
    return tuple(AppliedStep(a.step.name, a.step.aspect, a.strength, a.setting) for a in accepted)


def enhance_working(
    image: WorkingImage,
    params: EnhanceParams,
    *,
    reference: ReferenceStats | None = None,
    before: Measurements | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    output: Callable[[np.ndarray], Any] | None = None,
) -> EnhancementResult:
    """Enhance `image` (level, aspects from `params`), optionally toward `reference` statistics.

    `before`: the image's measurements if already taken (saves a measurement). `output`: what the caller makes
    of the enhanced RGB (its 8-bit pixels, their file), made on the calling thread while the final check runs on
    the pool, and returned as EnhancementResult.output (only when steps were applied).
    """
    checkpoint(0.0, "measuring", on_progress, should_stop)
    before = before or measure(image, natural_scene=False)
    if params.level == 0.0:
        return EnhancementResult(image.rgb, image.alpha, (), (), before, before)
    same_size = reference is not None and (reference.width, reference.height) == (image.width, image.height)
    own = reference_stats(image, before) if reference is not None else None
    steps = plan_steps(
        before,
        params,
        is_grayscale=image.is_grayscale,
        reference=reference,
        same_size_reference=same_size,
        own_stats=own,
    )
    is_gray = image.is_grayscale
    boxes = tile_boxes(image.height, image.width)
    notes: list[str] = []

    def progress_for(run: int) -> Callable[[float, str], None]:
        def progress(f: float, name: str) -> None:
            checkpoint(0.05 + 0.9 * (run + f) / (RERUNS + 2), name, on_progress, should_stop)

        return progress

    # fast path: search on the tiles, apply once to the whole image, verify there
    if len(boxes) > 1:
        ycc_tiles = [cv2.cvtColor(np.ascontiguousarray(image.rgb[r, c]), cv2.COLOR_RGB2YCrCb) for r, c in boxes]
        tile_start = measure_views(_tile_views(ycc_tiles, is_gray), compression=False)
        _, accepted, _ = _search(
            ycc_tiles, _tile_views, steps, reference, tile_start, params.aspects, is_gray, notes, progress_for(0)
        )
        rgb = _apply_all(image, accepted) if accepted else image.rgb
        if not accepted:
            checkpoint(1.0, "done", on_progress, should_stop)
            return EnhancementResult(rgb, image.alpha, (), tuple(notes), before, before)
        # with an output to make: the final check on the pool while this thread makes it (the result's pixels, its
        # file), kept if the check passes - as it almost always does; without one, the check right here
        made = None
        if output is None:
            after = measure_views(_rgb_views(rgb, is_gray))
        else:
            check = submit(lambda: measure_views(_rgb_views(rgb, is_gray)))
            made = output(rgb)
            after = check.result()
        if not worsened_aspects(before, after, params.aspects, is_gray):
            checkpoint(1.0, "done", on_progress, should_stop)
            return EnhancementResult(rgb, image.alpha, _applied(accepted), tuple(notes), before, after, made)
        notes.append("tile search disagreed with the full image: searched on the full image")

    # slow path: the same search on the full image, with re-runs
    full = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2YCrCb)
    for run in range(RERUNS + 1):
        canvas, accepted, after = _search(
            [full], _full_views, steps, reference, before, params.aspects, is_gray, notes, progress_for(run + 1)
        )
        worse = worsened_aspects(before, after, params.aspects, is_gray)
        if not worse:
            checkpoint(1.0, "done", on_progress, should_stop)
            rgb = _to_rgb(image, canvas[0], accepted)
            made = output(rgb) if output is not None and accepted else None
            return EnhancementResult(rgb, image.alpha, _applied(accepted), tuple(notes), before, after, made)
        culprits = {name for aspect in worse for name in CAN_HURT.get(aspect, ())}
        notes.append(f"re-running with weaker {', '.join(sorted(culprits))} (would worsen {', '.join(worse)})")
        steps = [s.weaker() if s.name in culprits else s for s in steps]
    notes.append("no safe enhancement found: image returned unchanged")
    return EnhancementResult(image.rgb, image.alpha, (), tuple(notes), before, before)
