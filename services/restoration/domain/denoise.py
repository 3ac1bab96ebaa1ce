"""Denoising with a registered model, plus a fast noise-level estimate.

`strength` (0..1) blends the model's result with the input (1 = full denoising). The noise level
(sigma, 0..255 scale) is estimated from the image unless given; models with `noise_level_input`
receive it as an extra channel (FFDNet style), blind models ignore it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from imagemesh_kit.errors import InvalidArgument
from services.restoration.domain.images import as_rgb_uint8, to_float, to_uint8
from services.restoration.domain.inference import run_image_model
from services.restoration.domain.ports import ModelRunner
from services.restoration.domain.tiling import ProgressFn, StopFn


@dataclass(frozen=True)
class DenoiseParams:
    """strength in [0, 1]; sigma in [0, 255] or None to estimate it from the image."""

    strength: float = 1.0
    sigma: float | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.strength, int | float) and 0.0 <= self.strength <= 1.0):
            raise InvalidArgument.for_field("denoise.strength", "must be in [0, 1]", reason="INVALID_STRENGTH")
        if self.sigma is not None and not (isinstance(self.sigma, int | float) and 0.0 <= self.sigma <= 255.0):
            raise InvalidArgument.for_field("denoise.sigma", "must be in [0, 255]", reason="INVALID_NOISE_LEVEL")


_LAPLACE_DIFF = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def estimate_noise_sigma(image: np.ndarray) -> float:
    """Gaussian noise sigma (0..255) by Immerkaer's method, per channel, median over channels.

    Edges and texture inflate the raw estimate, so only the flattest 80 % of responses count. Large
    images are sampled on a grid (about 250k responses per channel), which keeps this cheap.
    """
    image = as_rgb_uint8(image)
    step = max(1, int(math.sqrt(image.shape[0] * image.shape[1] / 250_000)))
    estimates = []
    for c in range(3):
        response = np.abs(cv2.filter2D(image[..., c].astype(np.float32), -1, _LAPLACE_DIFF)[1:-1:step, 1:-1:step])
        if response.size == 0:
            return 0.0
        cut = np.partition(response.ravel(), int(0.8 * (response.size - 1)))[int(0.8 * (response.size - 1))]
        flat = response[response <= cut]
        mean = float(flat.mean()) if flat.size else 0.0
        # the truncated mean of |N(0, 36 s^2)| below its 80th percentile is 0.700 x the full one
        estimates.append(math.sqrt(math.pi / 2) * mean / 6.0 / 0.700)
    return float(np.median(estimates))


def denoise(
    image: np.ndarray,
    params: DenoiseParams,
    runner: ModelRunner,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Denoise an RGB uint8 image; returns RGB uint8 of the same size."""
    image = as_rgb_uint8(image)
    meta = runner.metadata
    sigma = estimate_noise_sigma(image) if params.sigma is None else float(params.sigma)
    sigma = min(sigma, meta.max_noise_sigma)
    rgb = to_float(image).transpose(2, 0, 1)
    extra = None
    if meta.noise_level_input:
        extra = np.full((1, *rgb.shape[1:]), sigma / 255.0, np.float32)
    out = run_image_model(runner, rgb, extra_channels=extra, on_progress=on_progress, should_stop=should_stop)
    out = out[:3].transpose(1, 2, 0)
    if params.strength < 1.0:
        out = rgb.transpose(1, 2, 0) + params.strength * (out - rgb.transpose(1, 2, 0))
    return to_uint8(out)
