"""Decide which enhancement steps to run, and how strongly, from the measured aspects."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..measure import Measurements
from ..scoring import score_contrast, score_exposure
from .denoise import noise_to_remove
from .params import EnhanceParams, ReferenceStats
from .tone import MIN_HISTOGRAM_DISTANCE

BLIND_NOISE_TARGET = 3.0  # clean photos read 1-4 (texture); only noise above this is removed
MIN_NOISE_TO_REMOVE = 1.5
BLIND_SHARPNESS_TARGET = 8.0  # sharp photos read 10-13; blind sharpening aims at most here ...
BLIND_SHARPNESS_GAIN = 1.5  # ... and at most 1.5x the image's own sharpness (some scenes are smooth)
MAX_NOISE_TO_SHARPEN = 6.0  # sharpening a still-noisy image mostly sharpens the noise


@dataclass(frozen=True)
class StepPlan:
    """One step to run: `name` (denoise, match_histogram, auto_levels, exposure, color, sharpen),
    the aspect it serves, `strength` in [0, 1] (blend with its input) and `setting` (the noise
    sigma to remove, or the target sharpness; 0 when unused).  `deblur`: a sharpen step that
    undoes the blur explaining the gap to a same-size reference's sharpness (sharpen.deblur_amount)
    rather than searching for the amount that reaches the target."""

    name: str
    aspect: str
    strength: float
    setting: float = 0.0
    deblur: bool = False

    def weaker(self, factor: float = 0.5) -> StepPlan:
        """The same step at a fraction of its strength."""
        return replace(self, strength=self.strength * factor)


# which steps can make which measured aspect worse (used to back off)
CAN_HURT = {
    "noise": ("sharpen", "auto_levels", "match_histogram", "color", "exposure"),
    "sharpness": ("denoise", "match_histogram", "exposure"),
    "contrast": ("denoise", "match_histogram", "exposure", "auto_levels"),
    "exposure": ("match_histogram", "auto_levels", "exposure", "sharpen"),
    "colorfulness": ("denoise", "color", "match_histogram", "exposure"),
}


def histograms_agree(own: ReferenceStats, ref: ReferenceStats) -> bool:
    """Luma histograms within a Wasserstein-1 distance of 0.01 (mean |quantile difference|)."""
    return float(np.mean(np.abs(own.luma_quantiles - ref.luma_quantiles))) < MIN_HISTOGRAM_DISTANCE


def chroma_agrees(own: ReferenceStats, ref: ReferenceStats) -> bool:
    """Chroma means within 0.004 and stds within 5%."""
    return all(
        abs(own.chroma_mean[i] - ref.chroma_mean[i]) < 0.004
        and abs(own.chroma_std[i] - ref.chroma_std[i]) <= 0.05 * max(ref.chroma_std[i], 1e-6)
        for i in range(2)
    )


def _wants_tone_match(before: Measurements, ref: ReferenceStats) -> bool:
    own = (
        score_contrast(before.contrast).score
        + score_exposure(before.brightness, before.clipped_shadows, before.clipped_highlights).score
    )
    theirs = score_contrast(ref.contrast).score + score_exposure(ref.brightness, 0.0, 0.0).score
    differs = abs(before.contrast - ref.contrast) > 0.01 or abs(before.brightness - ref.brightness) > 0.02
    return differs and theirs >= own


def plan_steps(
    before: Measurements,
    params: EnhanceParams,
    *,
    is_grayscale: bool,
    reference: ReferenceStats | None,
    same_size_reference: bool,
    own_stats: ReferenceStats | None = None,
) -> list[StepPlan]:
    """The ordered steps: denoise, tone (histogram match or auto-levels/exposure), colour, sharpen
    (without a reference, a colour step restoring what denoising took follows the denoising; with a
    same-size reference and nothing to denoise, sharpening - deblurring - comes first).

    own_stats: the image's own statistics (as reference_stats computes them); with them, the
    histogram and colour steps are left out when the image already matches the reference.
    """
    level, aspects = params.level, params.aspects
    steps: list[StepPlan] = []
    if "noise" in aspects:
        target = reference.noise_sigma if reference is not None else BLIND_NOISE_TARGET
        remove = noise_to_remove(before.noise_sigma, max(target, 0.5))
        if remove >= MIN_NOISE_TO_REMOVE:
            steps.append(StepPlan("denoise", "noise", level, remove))
            if reference is None and "colorfulness" in aspects and not is_grayscale:
                # denoising smooths chroma variations below the noise level away (faint coloured
                # stars, fine colour texture): win back the colourfulness the noisy image was
                # measured to have (its noise-corrected value), by a chroma gain
                steps.append(StepPlan("color", "colorfulness", level))
    tone_aspects = {"contrast", "exposure"} & set(aspects)
    if tone_aspects and reference is not None:
        if _wants_tone_match(before, reference) and not (own_stats and histograms_agree(own_stats, reference)):
            steps.append(StepPlan("match_histogram", min(tone_aspects), level))
    elif tone_aspects:
        if "contrast" in tone_aspects:
            steps.append(StepPlan("auto_levels", "contrast", level))
        if "exposure" in tone_aspects:
            steps.append(StepPlan("exposure", "exposure", level))
    if (
        "colorfulness" in aspects
        and reference is not None
        and not reference.is_grayscale
        and not is_grayscale
        and not (own_stats and chroma_agrees(own_stats, reference))
    ):
        steps.append(StepPlan("color", "colorfulness", level))
    if "sharpness" in aspects:
        target = min(BLIND_SHARPNESS_TARGET, BLIND_SHARPNESS_GAIN * before.sharpness)
        if reference is not None and same_size_reference:
            target = reference.sharpness
        # the level scales how far beyond the current sharpness we aim; winning back the detail
        # denoising costs is not scaled (the image must end at least as sharp as it started)
        target = before.sharpness + level * max(target - before.sharpness, 0.0)
        # with a same-size reference and no denoising, the sharpness gap is blur: undo it first,
        # before the tone and colour steps, which would otherwise read the contrast and colour a
        # blur takes (a star field loses most of both) as a tone difference and "restore" them by
        # a point-wise curve; after deblurring they correct what is left
        deblur = reference is not None and same_size_reference and not any(s.name == "denoise" for s in steps)
        sharpen_step = StepPlan("sharpen", "sharpness", 1.0, target, deblur=deblur)
        if deblur:
            steps.insert(0, sharpen_step)
        else:
            steps.append(sharpen_step)
    return steps
