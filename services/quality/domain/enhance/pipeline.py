"""Run planned enhancement steps, checking each with the service's own metrics, backing off.

Guarantee: no targeted aspect's score (0-100) ends more than SCORE_TOLERANCE below its score
before enhancement.  How:
- steps run in order; after each, the light measurements are taken and every targeted aspect
  that no later step serves is checked against the original (so denoising may cost sharpness that
  the sharpening step then has to win back, but sharpening may not leave the noise worse);
- a step that fails is retried at half and quarter strength, then skipped;
- if the end result still fails (an aspect an early step was allowed to lower was not won back),
  the steps that can hurt it are halved and the whole run repeated; as a last resort the input
  is returned unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..cancel import ProgressFn, StopFn, checkpoint
from ..measure import Measurements, SampledViews, measure, measure_views
from ..sampling import stride_for, tile_boxes
from ..scoring import aspect_scores
from ..working_image import WorkingImage, luma
from .color import transfer_chroma
from .denoise import denoise
from .params import EnhanceParams, ReferenceStats
from .plan import CAN_HURT, StepPlan, plan_steps
from .sharpen import choose_amount, sharpen
from .tone import auto_levels, correct_exposure, match_luma_histogram

SCORE_TOLERANCE = 0.5  # points on the 0-100 aspect scale
STEP_FACTORS = (1.0, 0.5, 0.25)
RERUNS = 2


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
    before / after: light measurements (no BRISQUE/NIQE) used for the no-regression check.
    """

    rgb: np.ndarray
    alpha: np.ndarray | None
    steps: tuple[AppliedStep, ...]
    notes: tuple[str, ...]
    before: Measurements
    after: Measurements


def _run_step(
    ycc: np.ndarray, step: StepPlan, ref: ReferenceStats | None, is_gray: bool, current: Measurements
) -> tuple[np.ndarray, float]:
    """Run one step; returns the input object itself when the step has nothing to do."""
    if step.name == "denoise":
        return denoise(ycc, step.setting, step.strength, is_grayscale=is_gray), step.setting
    if step.name == "match_histogram" and ref is not None:
        return match_luma_histogram(ycc, ref.luma_quantiles, step.strength), 0.0
    if step.name == "auto_levels":
        return auto_levels(ycc, step.strength, current.contrast), 0.0
    if step.name == "exposure":
        return correct_exposure(ycc, step.strength), 0.0
    if step.name == "color" and ref is not None:
        return transfer_chroma(ycc, ref.chroma_mean, ref.chroma_std, step.strength), 0.0
    if step.name == "sharpen":
        amount = choose_amount(np.ascontiguousarray(ycc[..., 0]), current.sharpness, step.setting) * step.strength
        return sharpen(ycc, amount), amount
    return ycc, 0.0


def _to_working(image: WorkingImage, ycc: np.ndarray) -> WorkingImage:
    rgb = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)
    np.clip(rgb, 0.0, 1.0, out=rgb)
    if image.is_grayscale:
        gray = np.ascontiguousarray(rgb[..., 0])
        rgb = cv2.merge([gray, gray, gray])
    else:
        gray = luma(rgb)
    return WorkingImage(rgb=rgb, gray=gray, alpha=image.alpha, is_grayscale=image.is_grayscale,
                        bit_depth=image.bit_depth)


def _rgb_block(block: np.ndarray, is_gray: bool) -> np.ndarray:
    rgb = cv2.cvtColor(np.ascontiguousarray(block), cv2.COLOR_YCrCb2RGB)
    np.clip(rgb, 0.0, 1.0, out=rgb)
    if is_gray:
        y = np.ascontiguousarray(rgb[..., 0])
        rgb = cv2.merge([y, y, y])
    return rgb


def _views(ycc: np.ndarray, is_gray: bool) -> SampledViews:
    """The sampled views of the image a YCrCb array holds, converting only the sampled pixels."""
    h, w = ycc.shape[:2]
    boxes = tile_boxes(h, w)
    k = stride_for(h, w)
    rgb_tiles = [_rgb_block(ycc[r, c], is_gray) for r, c in boxes]
    rgb_sample = _rgb_block(ycc[::k, ::k], is_gray)

    def gray_of(rgb: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(rgb[..., 0]) if is_gray else luma(rgb)

    return SampledViews(
        gray_tiles=[gray_of(t) for t in rgb_tiles],
        rgb_tiles=None if is_gray else rgb_tiles,
        gray_sample=gray_of(rgb_sample),
        rgb_sample=None if is_gray else rgb_sample,
        tiled=len(boxes) > 1,
        subsampled=k > 1,
    )


def worsened_aspects(before: Measurements, after: Measurements, checked, is_gray: bool) -> list[str]:
    """Aspects in `checked` whose score dropped by more than SCORE_TOLERANCE."""
    old = {a.name: a.score for a in aspect_scores(before, is_grayscale=is_gray)}
    new = {a.name: a.score for a in aspect_scores(after, is_grayscale=is_gray)}
    return [name for name in checked if name in old and new[name] < old[name] - SCORE_TOLERANCE]


def _greedy(image, steps, ref, before, targeted, notes, progress):
    """One pass over the steps with per-step checks -> (working image, applied, measurements)."""
    ycc = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2YCrCb)
    current_m = before
    applied: list[AppliedStep] = []
    for i, step in enumerate(steps):
        progress(i / max(len(steps), 1), step.name)
        served_later = {s.aspect for s in steps[i + 1 :]}
        checked = [a for a in targeted if a not in served_later]
        for factor in STEP_FACTORS:
            trial = step.weaker(factor)
            new_ycc, setting = _run_step(ycc, trial, ref, image.is_grayscale, current_m)
            if new_ycc is ycc:
                break  # nothing to do for this step
            cand_m = measure_views(_views(new_ycc, image.is_grayscale))
            worse = worsened_aspects(before, cand_m, checked, image.is_grayscale)
            if not worse:
                ycc, current_m = new_ycc, cand_m
                applied.append(AppliedStep(step.name, step.aspect, trial.strength, setting))
                if factor < 1.0:
                    notes.append(f"{step.name} at {factor:.0%} strength (full strength would worsen)")
                break
        else:
            notes.append(f"{step.name} skipped (would worsen {', '.join(worse)})")
    return (_to_working(image, ycc) if applied else image), applied, current_m


def enhance_working(
    image: WorkingImage,
    params: EnhanceParams,
    *,
    reference: ReferenceStats | None = None,
    before: Measurements | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> EnhancementResult:
    """Enhance `image` (level, aspects from `params`), optionally toward `reference` statistics."""
    checkpoint(0.0, "measuring", on_progress, should_stop)
    before = before or measure(image, natural_scene=False)
    if params.level == 0.0:
        return EnhancementResult(image.rgb, image.alpha, (), (), before, before)
    same_size = reference is not None and (reference.width, reference.height) == (image.width, image.height)
    steps = plan_steps(before, params, is_grayscale=image.is_grayscale, reference=reference,
                       same_size_reference=same_size)
    notes: list[str] = []
    for run in range(RERUNS + 1):
        def progress(f: float, name: str, run: int = run) -> None:
            checkpoint(0.05 + 0.9 * (run + f) / (RERUNS + 1), name, on_progress, should_stop)

        result, applied, after = _greedy(image, steps, reference, before, params.aspects, notes, progress)
        worse = worsened_aspects(before, after, params.aspects, image.is_grayscale)
        if not worse:
            checkpoint(1.0, "done", on_progress, should_stop)
            return EnhancementResult(result.rgb, image.alpha, tuple(applied), tuple(notes), before, after)
        culprits = {name for aspect in worse for name in CAN_HURT.get(aspect, ())}
        notes.append(f"re-running with weaker {', '.join(sorted(culprits))} (would worsen {', '.join(worse)})")
        steps = [s.weaker() if s.name in culprits else s for s in steps]
    notes.append("no safe enhancement found: image returned unchanged")
    return EnhancementResult(image.rgb, image.alpha, (), tuple(notes), before, before)
