"""assess(): one image in, a QualityReport out."""

from __future__ import annotations

import numpy as np

from .cancel import ProgressFn, StopFn, checkpoint
from .measure import measure
from .report import QualityReport
from .scoring import build_report
from .working_image import WorkingImage, to_working_image


def assess_working(
    image: WorkingImage, *, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None
) -> QualityReport:
    """Assess an already-normalised image."""
    checkpoint(0.0, "measuring", on_progress, should_stop)
    m = measure(image)
    checkpoint(0.9, "scoring", on_progress, should_stop)
    report = build_report(m, width=image.width, height=image.height, is_grayscale=image.is_grayscale)
    checkpoint(1.0, "done", on_progress, should_stop)
    return report


def assess(
    pixels: np.ndarray, *, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None
) -> QualityReport:
    """Assess decoded pixels (gray/RGB/RGBA, 8/16-bit or float; see working_image)."""
    return assess_working(to_working_image(pixels), on_progress=on_progress, should_stop=should_stop)
