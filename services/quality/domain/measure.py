"""Raw measurements of a WorkingImage, with the sampling that keeps large images fast."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .metrics.blockiness import blockiness
from .metrics.brisque import brisque_score
from .metrics.colorfulness import colorfulness
from .metrics.contrast import rms_contrast
from .metrics.exposure import exposure
from .metrics.natural_scene import ANALYSIS_LONG_SIDE, analysis_scale
from .metrics.niqe import niqe_score
from .metrics.noise import noise_levels
from .metrics.sharpness import sharpness
from .sampling import stride_for, tiles
from .working_image import WorkingImage


@dataclass(frozen=True)
class Measurements:
    """Raw metric values (units as in report.QualityReport); NSS scores are None when skipped."""

    sharpness: float
    contrast: float
    noise_sigma: float
    luma_noise_sigma: float
    colorfulness: float
    brightness: float
    clipped_shadows: float
    clipped_highlights: float
    blockiness: float
    brisque: float | None
    niqe: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SampledViews:
    """The parts of an image the light measurements read: native-resolution tiles and a strided
    pixel sample (gray and, for colour images, RGB).  See sampling."""

    gray_tiles: list[np.ndarray]
    rgb_tiles: list[np.ndarray] | None
    gray_sample: np.ndarray
    rgb_sample: np.ndarray | None
    tiled: bool
    subsampled: bool


def sampled_views(image: WorkingImage) -> SampledViews:
    """Tiles and strided sample of a working image."""
    gray_tiles = tiles(image.gray)
    return SampledViews(
        gray_tiles=gray_tiles,
        rgb_tiles=None if image.is_grayscale else tiles(image.rgb),
        gray_sample=image.gray_sample,
        rgb_sample=None if image.is_grayscale else image.rgb_sample,
        tiled=len(gray_tiles) > 1,
        subsampled=stride_for(image.height, image.width) > 1,
    )


def measure_views(views: SampledViews, *, compression: bool = True) -> Measurements:
    """The light measurements (all but BRISQUE and NIQE: see with_natural_scene) from sampled views.
    compression=False leaves blockiness out (reported as 0): for enhancement's trial measurements, which
    never target it."""
    notes: list[str] = []
    if views.tiled:
        notes.append(f"noise, sharpness and blockiness measured on {len(views.gray_tiles)} native-resolution tiles")
    if views.subsampled:
        notes.append("brightness, clipping, contrast and colour measured on a strided pixel sample")
    noise = noise_levels(views.gray_tiles, views.rgb_tiles)
    exp = exposure(views.gray_sample)
    color = 0.0 if views.rgb_sample is None else colorfulness(views.rgb_sample, noise.rg, noise.yb)
    return Measurements(
        sharpness=sharpness(views.gray_tiles, noise.luma),
        contrast=rms_contrast(views.gray_sample, noise.luma),
        noise_sigma=noise.channel,
        luma_noise_sigma=noise.luma,
        colorfulness=color,
        brightness=exp.brightness,
        clipped_shadows=exp.clipped_shadows,
        clipped_highlights=exp.clipped_highlights,
        blockiness=blockiness(views.gray_tiles) if compression else 0.0,
        brisque=None,
        niqe=None,
        notes=tuple(notes),
    )


def with_natural_scene(m: Measurements, image: WorkingImage) -> Measurements:
    """Light measurements of `image` (measure(..., natural_scene=False)) completed by its BRISQUE and NIQE, taken
    at the analysis scale (the costly part of a measurement: a comparison takes it while it enhances)."""
    nss_gray = analysis_scale(image.gray)
    notes = m.notes
    if nss_gray is not image.gray:
        notes = (*notes, f"BRISQUE and NIQE measured at {ANALYSIS_LONG_SIDE} px on the long side")
    return replace(
        m, brisque=brisque_score(nss_gray, downscale=False), niqe=niqe_score(nss_gray, downscale=False), notes=notes
    )


def measure(image: WorkingImage, *, natural_scene: bool = True) -> Measurements:
    """Measure every aspect; natural_scene=False skips BRISQUE and NIQE (the costly ones)."""
    m = measure_views(sampled_views(image))
    return with_natural_scene(m, image) if natural_scene else m
