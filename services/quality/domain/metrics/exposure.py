"""Exposure: mean brightness and the fractions of clipped shadows and highlights."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SHADOW_LEVEL = 1.0 / 255.0  # at or below: crushed to black
HIGHLIGHT_LEVEL = 254.0 / 255.0  # at or above: blown to white


@dataclass(frozen=True)
class Exposure:
    """brightness: mean luma in [0, 1]; clipped_*: fraction of pixels at the ends of the range."""

    brightness: float
    clipped_shadows: float
    clipped_highlights: float


def exposure(gray: np.ndarray) -> Exposure:
    """Measure the exposure of a [0, 1] luma image."""
    n = float(gray.size)
    return Exposure(
        brightness=float(cv2.mean(gray)[0]),
        clipped_shadows=float(np.count_nonzero(gray <= SHADOW_LEVEL)) / n,
        clipped_highlights=float(np.count_nonzero(gray >= HIGHLIGHT_LEVEL)) / n,
    )
