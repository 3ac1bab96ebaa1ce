"""compare(): reference (image1) vs candidate (image2), with optional enhancement of the candidate.

Semantics (issue 5): image1 is the reference, image2 the candidate.  Both are assessed; PSNR and
SSIM are computed between them (the candidate resized to the reference's size when they differ,
which the result says); the candidate is enhanced toward the reference's *statistics* (histogram,
noise level, sharpness, chroma mean/std - never its pixels) at `enhancement_level` (0 = unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from .cancel import ProgressFn, StopFn, checkpoint
from .enhance.params import enhance_params, reference_stats
from .enhance.pipeline import AppliedStep, enhance_working
from .fidelity import psnr, ssim
from .measure import Measurements, measure, with_natural_scene
from .parallel import submit
from .report import QualityReport
from .scoring import build_report
from .working_image import WorkingImage, luma, to_pixels, to_working_image


@dataclass(frozen=True)
class AspectDifference:
    """candidate minus reference, for the value and for the 0-100 score of one aspect."""

    name: str
    reference_value: float
    candidate_value: float
    value_difference: float
    score_difference: float


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """report1: reference; report2: candidate.

    psnr (dB, RGB, inf when identical) and ssim (luma, Wang et al. settings; see fidelity) of the
    candidate against the reference; resized / size_note: whether and how the candidate was resized
    for them.  differences: per aspect, candidate - reference.  enhancements_applied / enhancement_notes:
    what enhancement did; enhanced_pixels: the enhanced candidate in its own layout (None when the
    level is 0 or nothing could be improved safely); enhanced_encoded: `encode(enhanced_pixels)` when
    compare_assessed was given an encoder (made while the enhancement's final check runs).
    processing_time_ms: wall time of compare().
    """

    report1: QualityReport
    report2: QualityReport
    psnr: float
    ssim: float
    resized: bool
    size_note: str
    differences: tuple[AspectDifference, ...]
    enhancements_applied: tuple[AppliedStep, ...]
    enhancement_notes: tuple[str, ...]
    enhanced_pixels: np.ndarray | None
    processing_time_ms: float
    enhanced_encoded: Any = None


def resize_to(image: WorkingImage, width: int, height: int) -> WorkingImage:
    """The image resized (area averaging when shrinking, bicubic when enlarging)."""
    shrink = width * height < image.width * image.height
    interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    rgb = np.clip(cv2.resize(image.rgb, (width, height), interpolation=interp), 0.0, 1.0)
    gray = np.ascontiguousarray(rgb[..., 0]) if image.is_grayscale else luma(rgb)
    return WorkingImage(rgb=rgb, gray=gray, alpha=None, is_grayscale=image.is_grayscale, bit_depth=image.bit_depth)


def _differences(ref: QualityReport, cand: QualityReport) -> tuple[AspectDifference, ...]:
    out = []
    for a in ref.aspects:
        b = cand.aspect(a.name)
        out.append(AspectDifference(a.name, a.value, b.value, b.value - a.value, b.score - a.score))
    out.append(
        AspectDifference("overall", ref.overall, cand.overall, cand.overall - ref.overall, cand.overall - ref.overall)
    )
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Assessed:
    """One side of a comparison, ready to compare: the normalised image and its light measurements (all but
    BRISQUE and NIQE, which compare_assessed takes on the pool while it enhances: nothing before the reports
    needs them)."""

    image: WorkingImage
    measurements: Measurements


def assessed(pixels: np.ndarray, field: str) -> Assessed:
    """Normalise and measure one side (InvalidArgument naming `field` when the pixels are unusable)."""
    image = to_working_image(pixels, field=field)
    return Assessed(image, measure(image, natural_scene=False))


def _report(side: Assessed, m: Measurements) -> QualityReport:
    image = side.image
    return build_report(m, width=image.width, height=image.height, is_grayscale=image.is_grayscale)


def compare(
    reference_pixels: np.ndarray,
    candidate_pixels: np.ndarray,
    enhancement_level: float = 0.0,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ComparisonResult:
    """Compare two decoded images (see the module docstring); both are assessed side by side."""
    started = time.perf_counter()
    params = enhance_params(enhancement_level)
    checkpoint(0.05, "assessing both images", on_progress, should_stop)
    reference_side = submit(assessed, reference_pixels, "image1")
    try:
        candidate = assessed(candidate_pixels, "image2")
    finally:
        reference = reference_side.result()  # image1's error first when both are bad
    return compare_assessed(
        reference, candidate, params.level, on_progress=on_progress, should_stop=should_stop, started=started
    )


def compare_assessed(
    reference: Assessed,
    candidate: Assessed,
    enhancement_level: float = 0.0,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    started: float | None = None,
    encode: Callable[[np.ndarray], Any] | None = None,
) -> ComparisonResult:
    """Compare two already assessed sides (the service assesses each as soon as it is decoded). `encode`: the
    caller's encoder for the enhanced pixels (the service's PNG writer), run while the final check runs."""
    started = time.perf_counter() if started is None else started
    params = enhance_params(enhancement_level)
    ref, cand, cand_m = reference.image, candidate.image, candidate.measurements
    checkpoint(0.5, "computing PSNR and SSIM", on_progress, should_stop)
    resized = (ref.width, ref.height) != (cand.width, cand.height)
    size_note = "same size"
    aligned = cand
    if resized:
        aligned = resize_to(cand, ref.width, ref.height)
        size_note = (
            f"candidate {cand.width}x{cand.height} resized to the reference's {ref.width}x{ref.height} "
            "for PSNR and SSIM"
        )

    # fidelity, then both sides' BRISQUE and NIQE, on the pool while the candidate is enhanced here (neither reads
    # what the other writes; one task, so that the two cores are not shared three ways)
    def beside_enhancement() -> tuple[float, float, Measurements, Measurements]:
        fidelity = psnr(ref.rgb, aligned.rgb), ssim(ref.gray, aligned.gray)
        return *fidelity, *(with_natural_scene(side.measurements, side.image) for side in (reference, candidate))

    background = submit(beside_enhancement)
    steps: tuple[AppliedStep, ...] = ()
    notes: tuple[str, ...] = ()
    enhanced = encoded = None
    if params.level > 0.0:
        checkpoint(0.6, "enhancing candidate", on_progress, should_stop)

        def output(rgb: np.ndarray) -> tuple[np.ndarray, Any]:
            pixels = to_pixels(rgb, cand.alpha, is_grayscale=cand.is_grayscale, bit_depth=cand.bit_depth)
            return pixels, None if encode is None else encode(pixels)

        result = enhance_working(
            cand,
            params,
            reference=reference_stats(ref, reference.measurements),
            before=cand_m,
            should_stop=should_stop,
            output=output,
        )
        steps, notes = result.steps, result.notes
        if steps:
            enhanced, encoded = result.output
    fidelity_psnr, fidelity_ssim, ref_m, cand_m = background.result()
    report1, report2 = _report(reference, ref_m), _report(candidate, cand_m)
    checkpoint(1.0, "done", on_progress, should_stop)
    return ComparisonResult(
        report1=report1,
        report2=report2,
        psnr=fidelity_psnr,
        ssim=fidelity_ssim,
        resized=resized,
        size_note=size_note,
        differences=_differences(report1, report2),
        enhancements_applied=steps,
        enhancement_notes=notes,
        enhanced_pixels=enhanced,
        processing_time_ms=(time.perf_counter() - started) * 1000.0,
        enhanced_encoded=encoded,
    )


__all__ = ["Assessed", "AspectDifference", "ComparisonResult", "assessed", "compare", "compare_assessed", "resize_to"]
