"""enhance(): decoded pixels in, enhanced pixels (same layout) and before/after reports out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .assess import assess_working
from .cancel import ProgressFn, StopFn, checkpoint
from .enhance.params import ReferenceStats, enhance_params
from .enhance.pipeline import AppliedStep, enhance_working
from .report import QualityReport
from .working_image import to_pixels, to_working_image


@dataclass(frozen=True, eq=False)
class EnhancedImage:
    """pixels: same layout and depth as the input (identical to it at level 0).

    steps: what was applied; notes: what was weakened or skipped (and why);
    before / after: full quality reports of the input and the result.
    """

    pixels: np.ndarray
    steps: tuple[AppliedStep, ...]
    notes: tuple[str, ...]
    before: QualityReport
    after: QualityReport


def enhance(
    pixels: np.ndarray,
    level: float,
    aspects: Iterable[str] | None = None,
    *,
    reference: ReferenceStats | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> EnhancedImage:
    """Enhance an image: `level` 0..1 (0 = unchanged), `aspects` among noise, sharpness, contrast,
    exposure, colorfulness (all when empty); `reference` statistics to aim at (optional).

    Raises InvalidArgument for a bad level, aspect or image; Cancelled when should_stop() says so.
    """
    params = enhance_params(level, aspects)
    image = to_working_image(pixels)
    checkpoint(0.0, "assessing input", on_progress, should_stop)
    before = assess_working(image)
    if params.level == 0.0:
        checkpoint(1.0, "done", on_progress, should_stop)
        return EnhancedImage(pixels.copy(), (), (), before, before)

    def inner(fraction: float, message: str) -> None:
        if on_progress is not None:
            on_progress(0.3 + 0.5 * fraction, message)

    result = enhance_working(image, params, reference=reference, on_progress=inner, should_stop=should_stop)
    if not result.steps:
        checkpoint(1.0, "done", on_progress, should_stop)
        return EnhancedImage(pixels.copy(), (), result.notes, before, before)
    checkpoint(0.8, "assessing result", on_progress, should_stop)
    encoded = to_pixels(result.rgb, image.alpha, is_grayscale=image.is_grayscale, bit_depth=image.bit_depth)
    after = assess_working(to_working_image(encoded))  # the report describes the pixels delivered
    checkpoint(1.0, "done", on_progress, should_stop)
    return EnhancedImage(encoded, result.steps, result.notes, before, after)
