"""Enhancement parameters, the reference statistics it may use, and their validation."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from imagemesh_kit.errors import InvalidArgument

from ..measure import Measurements
from ..metrics.contrast import percentile_spread
from ..sampling import quantiles
from ..working_image import WorkingImage

ENHANCE_ASPECTS = ("noise", "sharpness", "contrast", "exposure", "colorfulness")
HISTOGRAM_BINS = 1024


@dataclass(frozen=True)
class EnhanceParams:
    """level: 0 (identity, exactly) .. 1 (full correction); aspects: what to improve (all if empty)."""

    level: float
    aspects: tuple[str, ...] = ENHANCE_ASPECTS


def enhance_params(level: float, aspects: Iterable[str] | None = None) -> EnhanceParams:
    """Validate and build EnhanceParams (InvalidArgument on a bad level or an unknown aspect)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not math.isfinite(level):
        raise InvalidArgument.for_field("level", "must be a number between 0 and 1", reason="LEVEL_OUT_OF_RANGE")
    if not 0.0 <= float(level) <= 1.0:
        raise InvalidArgument.for_field("level", "must be between 0 and 1", reason="LEVEL_OUT_OF_RANGE")
    chosen = tuple(dict.fromkeys(aspects or ()))  # keep order, drop duplicates
    for name in chosen:
        if name not in ENHANCE_ASPECTS:
            raise InvalidArgument.for_field(
                "aspects", f"unknown aspect '{name}'; use {', '.join(ENHANCE_ASPECTS)}", reason="UNKNOWN_ASPECT"
            )
    return EnhanceParams(level=float(level), aspects=chosen or ENHANCE_ASPECTS)


@dataclass(frozen=True, eq=False)
class ReferenceStats:
    """What enhancement may know about a reference image: statistics only, never its pixels.

    luma_quantiles: YCrCb luma at HISTOGRAM_BINS evenly spaced probabilities (its histogram,
        as the inverse CDF).
    chroma_mean / chroma_std: mean and std of the (Cr, Cb) planes.
    sharpness / noise_sigma / contrast / brightness / colorfulness: the reference's measurements.
    width / height: its size (sharpness is only comparable at equal sizes).
    """

    luma_quantiles: np.ndarray
    chroma_mean: tuple[float, float]
    chroma_std: tuple[float, float]
    sharpness: float
    noise_sigma: float
    contrast: float
    spread: float
    brightness: float
    colorfulness: float
    is_grayscale: bool
    width: int
    height: int


def reference_stats(image: WorkingImage, m: Measurements) -> ReferenceStats:
    """Summarise a reference image into the statistics enhancement is allowed to use."""
    import cv2  # local: keeps this module's import light for validation-only callers

    ycc = cv2.cvtColor(image.rgb_sample, cv2.COLOR_RGB2YCrCb)
    probs = (np.arange(HISTOGRAM_BINS) + 0.5) / HISTOGRAM_BINS
    means, stds = cv2.meanStdDev(ycc)
    return ReferenceStats(
        luma_quantiles=quantiles(ycc[..., 0], probs).astype(np.float32),
        chroma_mean=(float(means[1, 0]), float(means[2, 0])),
        chroma_std=(float(stds[1, 0]), float(stds[2, 0])),
        sharpness=m.sharpness,
        noise_sigma=m.noise_sigma,
        contrast=m.contrast,
        spread=percentile_spread(image.gray_sample),
        brightness=m.brightness,
        colorfulness=m.colorfulness,
        is_grayscale=image.is_grayscale,
        width=image.width,
        height=image.height,
    )
