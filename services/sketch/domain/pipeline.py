"""The canvas a pipeline works on, and the runner that calls its steps in order.

A pipeline is an ordered list of small step functions `step(canvas) -> None`; each reads what it needs
from the canvas (source, params, layers) and writes its output back. The runner reports progress after
every step and checks `should_stop()` before every step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from .errors import SketchCancelled
from .validation import ResolvedParams

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]
Step = Callable[["Canvas"], None]

REFERENCE_PIXELS = 1_000_000  # sizes in the catalogue are "pixels of a 1-MP image"


@dataclass
class Canvas:
    """Mutable working state of one render.

    `source` is the RGB uint8 input at full size; `image` is the current result (float32 0..1 RGB or
    grey, or uint8); `layers` holds named intermediate arrays shared between steps.
    """

    source: np.ndarray
    params: ResolvedParams
    image: np.ndarray | None = None
    layers: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return int(self.source.shape[0])

    @property
    def width(self) -> int:
        return int(self.source.shape[1])

    @property
    def scale(self) -> float:
        """Linear size of this image relative to a 1-MP image (sizes in params are multiplied by it)."""
        return math.sqrt(self.height * self.width / REFERENCE_PIXELS)

    @property
    def seed(self) -> int:
        return int(self.params["seed"])

    def px(self, size: float, *, at_scale: float | None = None) -> float:
        """A catalogue size (px at 1 MP) in pixels of an image whose relative scale is `at_scale`."""
        return size * (self.scale if at_scale is None else at_scale)

    def work_rgb(self, max_pixels: int) -> np.ndarray:
        """The source as float32 RGB 0..1, shrunk (area-averaged) to at most `max_pixels` (cached)."""
        key = f"work_rgb_{max_pixels}"
        if key not in self.layers:
            self.layers[key] = to_float(fit_pixels(self.source, max_pixels))
        return self.layers[key]

    def full_size(self, image: np.ndarray) -> np.ndarray:
        """Resize a work-resolution array back to the source's size (bilinear)."""
        if image.shape[:2] == (self.height, self.width):
            return image
        return cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_LINEAR)


def to_float(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) * np.float32(1.0 / 255.0)


def fit_pixels(image: np.ndarray, max_pixels: int) -> np.ndarray:
    """Shrink `image` (area interpolation) so it has at most `max_pixels`; never enlarge."""
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image
    f = math.sqrt(max_pixels / (h * w))
    return cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def relative_scale(image: np.ndarray) -> float:
    return math.sqrt(image.shape[0] * image.shape[1] / REFERENCE_PIXELS)


def run_steps(
    steps: Sequence[Step],
    canvas: Canvas,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> Canvas:
    """Run `steps` in order on `canvas`; progress goes 0.0 -> 1.0, one report per step."""
    total = len(steps)
    if on_progress:
        on_progress(0.0, "starting")
    for index, step in enumerate(steps):
        name = step.__name__.strip("_").replace("_", " ")
        if should_stop is not None and should_stop():
            raise SketchCancelled(name)
        step(canvas)
        if on_progress:
            on_progress((index + 1) / total, "done" if index + 1 == total else name)
    return canvas
