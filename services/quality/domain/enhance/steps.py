"""Enhancement steps as (fit, apply) pairs over YCrCb float32 arrays.

``fit_step`` derives a step's parameters once from a *canvas* (the image, or the tiles that
stand for it); ``apply_step`` applies those exact parameters to any array (each tile, or the full
image).  The pipeline tries steps on the tiles and applies the accepted ones to the full image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..measure import Measurements
from ..sampling import strided, tiles
from .color import apply_chroma_transfer, fit_chroma_restore, fit_chroma_transfer
from .denoise import denoise
from .params import ReferenceStats
from .plan import MAX_NOISE_TO_SHARPEN, StepPlan
from .sharpen import choose_amount, deblur_amount, sharpen
from .tone import apply_auto_levels, apply_curve, fit_auto_levels, fit_exposure, fit_histogram_match


def canvas_sample(canvas: list[np.ndarray]) -> np.ndarray:
    """Pixels of a canvas as an (N, 1, 3) array: the strided full image, or all tile pixels."""
    if len(canvas) == 1:
        return strided(canvas[0]).reshape(-1, 1, 3)
    return np.concatenate([t.reshape(-1, 3) for t in canvas])[:, None, :]


def fit_step(
    step: StepPlan,
    canvas: list[np.ndarray],
    ref: ReferenceStats | None,
    current: Measurements,
    start: Measurements,
) -> tuple[Any, float] | None:
    """(parameters, reported setting) of `step` for this canvas, or None when there is nothing to do.

    current: measurements of the canvas now; start: before any step.  Sharpening is skipped while
    the image is still noisy (noise above 6, or the reference's level) unless denoising has at
    least removed 40% of it: it would mostly sharpen the noise.  A deblurring sharpen step (see
    plan) takes its amount from the estimated blur (sharpen.deblur_amount); the colour step
    without a reference restores the colourfulness the image had before denoising.
    """
    if step.name == "denoise":
        return step.setting, step.setting
    if step.name == "sharpen":
        noise_floor = max(MAX_NOISE_TO_SHARPEN, ref.noise_sigma if ref is not None else 0.0)
        if current.noise_sigma > noise_floor and current.noise_sigma > 0.6 * start.noise_sigma:
            return None
        y_tiles = tiles(canvas[0][..., 0]) if len(canvas) == 1 else [c[..., 0] for c in canvas]
        if step.deblur and ref is not None:
            # sharpness scales with contrast: compare at the candidate's contrast, so a contrast
            # loss (restored by the tone step that follows) is not taken for blur
            target = step.setting * current.contrast / max(ref.contrast, 1e-6)
            amount = deblur_amount(y_tiles, current.sharpness, target)
        else:
            amount = choose_amount(y_tiles, current.sharpness, step.setting)
        return (amount, amount) if amount > 0.0 else None
    sample = canvas_sample(canvas)
    params: Any = None
    if step.name == "match_histogram" and ref is not None:
        params = fit_histogram_match(sample, ref.luma_quantiles)
    elif step.name == "auto_levels":
        params = fit_auto_levels(sample)
    elif step.name == "exposure":
        params = fit_exposure(sample)
    elif step.name == "color" and ref is not None:
        params = fit_chroma_transfer(sample, ref.chroma_mean, ref.chroma_std)
    elif step.name == "color":
        params = fit_chroma_restore(sample, start.colorfulness, current.colorfulness)
    return None if params is None else (params, 0.0)


def apply_step(name: str, ycc: np.ndarray, params: Any, strength: float, *, is_grayscale: bool) -> np.ndarray:
    """Apply fitted parameters of step `name` at `strength` to one YCrCb array."""
    if name == "denoise":
        return denoise(ycc, params, strength, is_grayscale=is_grayscale)
    if name == "sharpen":
        return sharpen(ycc, params * strength)
    if name in ("match_histogram", "exposure"):
        return apply_curve(ycc, params, strength)
    if name == "auto_levels":
        return apply_auto_levels(ycc, params, strength)
    if name == "color":
        return apply_chroma_transfer(ycc, params, strength)
    raise ValueError(f"unknown step {name}")
