"""Raw measurements of a WorkingImage, with the sampling that keeps large images fast."""

from __future__ import annotations

from dataclasses import dataclass

from .metrics.brisque import brisque_score
from .metrics.colorfulness import colorfulness
from .metrics.contrast import rms_contrast
from .metrics.exposure import exposure
from .metrics.natural_scene import ANALYSIS_LONG_SIDE, analysis_scale
from .metrics.niqe import niqe_score
from .metrics.noise import noise_levels
from .metrics.sharpness import sharpness
from .sampling import strided, tiles
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
    brisque: float | None
    niqe: float | None
    notes: tuple[str, ...]


def measure(image: WorkingImage, *, natural_scene: bool = True) -> Measurements:
    """Measure every aspect; natural_scene=False skips BRISQUE and NIQE (the costly ones)."""
    notes: list[str] = []
    gray_tiles = tiles(image.gray)
    rgb_tiles = None if image.is_grayscale else tiles(image.rgb)
    if len(gray_tiles) > 1:
        notes.append(f"noise and sharpness measured on {len(gray_tiles)} native-resolution tiles")
    noise = noise_levels(gray_tiles, rgb_tiles)
    gray_sample = strided(image.gray)
    if gray_sample is not image.gray:
        notes.append("brightness, clipping, contrast and colour measured on a strided pixel sample")
    exp = exposure(gray_sample)
    brisque = niqe = None
    if natural_scene:
        nss_gray = analysis_scale(image.gray)
        if nss_gray is not image.gray:
            notes.append(f"BRISQUE and NIQE measured at {ANALYSIS_LONG_SIDE} px on the long side")
        brisque = brisque_score(nss_gray, downscale=False)
        niqe = niqe_score(nss_gray, downscale=False)
    return Measurements(
        sharpness=sharpness(gray_tiles, noise.luma),
        contrast=rms_contrast(gray_sample, noise.luma),
        noise_sigma=noise.channel,
        luma_noise_sigma=noise.luma,
        colorfulness=0.0 if image.is_grayscale else colorfulness(strided(image.rgb), noise.rg, noise.yb),
        brightness=exp.brightness,
        clipped_shadows=exp.clipped_shadows,
        clipped_highlights=exp.clipped_highlights,
        brisque=brisque,
        niqe=niqe,
        notes=tuple(notes),
    )
