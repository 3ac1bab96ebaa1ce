"""The result types of an assessment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AspectScore:
    """One aspect: its measured value, a 0-100 score (100 = best) and a one-line reason.

    weight: its share of the overall score (0 when it does not apply, e.g. colour on gray images).
    """

    name: str
    value: float
    score: float
    reason: str
    weight: float


@dataclass(frozen=True)
class QualityReport:
    """Everything `assess` measures.  Units: see each metric module.

    sharpness: noise-compensated RMS Laplacian-of-Gaussian, 8-bit units (native resolution).
    contrast: RMS contrast (std of luma in [0, 1]), noise share removed.
    noise_sigma: per-channel noise std, 8-bit units.
    colorfulness: Hasler-Suesstrunk M (0 for gray), noise share removed.
    brightness: mean luma in [0, 1]; clipped_shadows / clipped_highlights: pixel fractions.
    blockiness: JPEG-style 8x8 block artefacts (~0 none, ~1 severe).
    brisque: BRISQUE score (lower is better, ~0-100); niqe: NIQE (lower is better).
    overall: weighted 0-100 score; aspects: per-aspect scores with reasons.
    notes: how the image was measured (e.g. sampling of large images).
    """

    width: int
    height: int
    sharpness: float
    contrast: float
    noise_sigma: float
    colorfulness: float
    brightness: float
    clipped_shadows: float
    clipped_highlights: float
    blockiness: float
    brisque: float
    niqe: float
    overall: float
    aspects: tuple[AspectScore, ...]
    notes: tuple[str, ...] = ()

    def aspect(self, name: str) -> AspectScore:
        """The aspect called `name` (KeyError if there is none)."""
        for a in self.aspects:
            if a.name == name:
                return a
        raise KeyError(name)


ASPECTS = ("sharpness", "noise", "contrast", "exposure", "colorfulness", "compression", "brisque", "niqe")
