"""Super-resolution: upscale an RGB image x2 or x4 with a registered model.

Luma models (color_space "y") upscale Y; chroma is upscaled bicubically. RGB/BGR models do all three.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument
from services.restoration.domain.images import as_rgb_uint8, rgb_to_ycbcr, to_float, to_uint8, ycbcr_to_rgb
from services.restoration.domain.inference import run_image_model
from services.restoration.domain.ports import ModelRunner
from services.restoration.domain.tiling import ProgressFn, StopFn

FACTORS = (2, 4)


@dataclass(frozen=True)
class UpscaleParams:
    """factor: 2 or 4."""

    factor: int = 2

    def __post_init__(self) -> None:
        if self.factor not in FACTORS:
            raise InvalidArgument.for_field("upscale.factor", "must be 2 or 4", reason="INVALID_SCALE_FACTOR")


def bicubic_upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """The baseline: OpenCV INTER_CUBIC."""
    h, w = image.shape[:2]
    return cv2.resize(image, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC)


def upscale_with_model(
    image: np.ndarray,
    runner: ModelRunner,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Upscale an RGB uint8 image by the model's own scale; returns RGB uint8."""
    image = as_rgb_uint8(image)
    scale = runner.metadata.scale
    rgb = to_float(image)
    if runner.metadata.color_space == "y":
        ycc = rgb_to_ycbcr(rgb)
        y = run_image_model(runner, ycc[None, ..., 0], on_progress=on_progress, should_stop=should_stop)[0]
        h, w = y.shape
        chroma = cv2.resize(ycc[..., 1:], (w, h), interpolation=cv2.INTER_CUBIC)
        out = ycbcr_to_rgb(np.dstack([y, chroma]))
    else:
        chw = run_image_model(runner, rgb.transpose(2, 0, 1), on_progress=on_progress, should_stop=should_stop)
        out = chw.transpose(1, 2, 0)
    if out.shape[:2] != (image.shape[0] * scale, image.shape[1] * scale):
        raise ValueError("the super-resolution model returned an unexpected size")
    return to_uint8(out)


def upscale(
    image: np.ndarray,
    params: UpscaleParams,
    runners: list[ModelRunner],
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Upscale by `params.factor` running `runners` in order (one xF model, or e.g. x2 twice)."""
    total = 1
    for runner in runners:
        total *= runner.metadata.scale
    if total != params.factor:
        raise ValueError("the chosen models do not multiply to the requested factor")
    n = len(runners)
    for i, runner in enumerate(runners):

        def sub_progress(fraction: float, message: str, i: int = i) -> None:
            if on_progress:
                on_progress((i + fraction) / n, message)

        image = upscale_with_model(image, runner, on_progress=sub_progress, should_stop=should_stop)
    return image
