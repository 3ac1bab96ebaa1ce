"""Measurements -> per-aspect 0-100 scores with one-line reasons, and the overall score.

The mappings are monotone and deliberately simple (documented anchor points, no learned model):

- sharpness s (RMS LoG, 8-bit):        100 (1 - exp(-s / 5))       s=12 -> 91, s=5 -> 63, s=2.5 -> 39
- noise: by visibility, i.e. sigma relative to the signal: r = sigma / (255 max(contrast, 0.02)),
  100 / (1 + (max(r - 0.02, 0) / 0.1)^2): at a typical contrast 0.25, sigma <= 1.3 -> 100 (below
  visibility and the estimator's texture floor), 4 -> 95, 8 -> 66, 15 -> 25.
  A contrast change scales signal and noise alike and leaves this score unchanged - down to RMS
  contrast 0.02, below which an image counts as flat (the floor only keeps the ratio finite).  The
  floor was 0.05, which broke that invariance for the flattest photos (the moon reads 0.052; a photo
  at 40% contrast 0.02-0.12): stretching their contrast back read as "more noise" to the
  enhancement's no-regression check, which then refused it.
- contrast c (RMS):                     100 (1 - exp(-c / 0.07))    0.2 -> 94, 0.05 -> 51
- exposure: 100 - 200 max(0, |brightness - 0.45| - 0.15) - 200 (clipping beyond 1% at each end)
- colourfulness M:                      100 min(1, M / 33)^0.5      (weight 0 for gray images)
- compression (blockiness b):           100 / (1 + (max(b - 0.03, 0) / 0.2)^2)   0.05 -> 99, 0.3 -> 35
- BRISQUE b:                            100 - b, clipped to 0..100
- NIQE n:                               100 exp(-max(n - 3, 0) / 12)

overall = weighted mean of the aspect scores (weights below; renormalised over aspects present).
"""

from __future__ import annotations

import math

from .measure import Measurements
from .report import AspectScore, QualityReport

NOISE_VISIBILITY = 0.02  # noise below 2% of the signal's RMS is not counted
MIN_SIGNAL_CONTRAST = 0.02  # RMS contrast floor of the noise score (scale-invariant above it)

WEIGHTS = {
    "sharpness": 0.20,
    "noise": 0.20,
    "contrast": 0.10,
    "exposure": 0.10,
    "colorfulness": 0.05,
    "compression": 0.10,
    "brisque": 0.125,
    "niqe": 0.125,
}


def _clamp(v: float) -> float:
    return float(min(max(v, 0.0), 100.0))


def score_sharpness(s: float) -> AspectScore:
    score = _clamp(100.0 * (1.0 - math.exp(-s / 5.0)))
    if s >= 8:
        why = "crisp fine detail"
    elif s >= 4:
        why = "slightly soft"
    else:
        why = "blurred: little fine detail"
    return AspectScore("sharpness", s, score, f"{why} (fine-detail energy {s:.1f})", WEIGHTS["sharpness"])


def score_noise(sigma: float, contrast: float) -> AspectScore:
    relative = sigma / (255.0 * max(contrast, MIN_SIGNAL_CONTRAST))
    score = _clamp(100.0 / (1.0 + (max(relative - NOISE_VISIBILITY, 0.0) / 0.1) ** 2))
    if sigma < 3:
        why = "clean, no visible noise"
    elif sigma < 8:
        why = "some noise or fine grain"
    else:
        why = "noisy"
    return AspectScore("noise", sigma, score, f"{why} (estimated sigma {sigma:.1f}/255)", WEIGHTS["noise"])


def score_contrast(c: float) -> AspectScore:
    score = _clamp(100.0 * (1.0 - math.exp(-c / 0.07)))
    if c < 0.05:
        why = "flat, very low contrast"
    elif c < 0.12:
        why = "low contrast"
    elif c <= 0.32:
        why = "good contrast"
    else:
        why = "very high contrast"
    return AspectScore("contrast", c, score, f"{why} (RMS contrast {c:.3f})", WEIGHTS["contrast"])


def score_exposure(brightness: float, shadows: float, highlights: float) -> AspectScore:
    penalty = 200.0 * max(0.0, abs(brightness - 0.45) - 0.15)
    penalty += 200.0 * max(0.0, shadows - 0.01) + 200.0 * max(0.0, highlights - 0.01)
    score = _clamp(100.0 - penalty)
    if brightness < 0.25:
        why = "underexposed (dark)"
    elif brightness > 0.70:
        why = "overexposed (bright)"
    else:
        why = "well exposed"
    if shadows > 0.01 or highlights > 0.01:
        why += f", clipped shadows {shadows:.1%} / highlights {highlights:.1%}"
    return AspectScore("exposure", brightness, score, f"{why} (mean brightness {brightness:.2f})", WEIGHTS["exposure"])


def score_colorfulness(m: float, is_grayscale: bool) -> AspectScore:
    if is_grayscale:
        return AspectScore("colorfulness", 0.0, 100.0, "grayscale image: colour not rated", 0.0)
    score = _clamp(100.0 * min(1.0, m / 33.0) ** 0.5)
    why = "dull colours" if m < 15 else "moderate colours" if m < 45 else "vivid colours"
    return AspectScore("colorfulness", m, score, f"{why} (Hasler-Suesstrunk {m:.1f})", WEIGHTS["colorfulness"])


def score_compression(b: float) -> AspectScore:
    score = _clamp(100.0 / (1.0 + (max(b - 0.03, 0.0) / 0.2) ** 2))
    why = "no visible compression blocks" if b < 0.1 else "some block artefacts" if b < 0.3 else "blocky"
    return AspectScore("compression", b, score, f"{why} (blockiness {b:.2f})", WEIGHTS["compression"])


def score_brisque(b: float) -> AspectScore:
    why = "natural-looking" if b < 30 else "some visible distortion" if b < 50 else "strongly distorted"
    return AspectScore("brisque", b, _clamp(100.0 - b), f"{why} (BRISQUE {b:.1f}, lower is better)", WEIGHTS["brisque"])


def score_niqe(n: float) -> AspectScore:
    score = _clamp(100.0 * math.exp(-max(n - 3.0, 0.0) / 12.0))
    why = "close to pristine statistics" if n < 8 else "unnatural statistics" if n < 20 else "far from natural"
    return AspectScore("niqe", n, score, f"{why} (NIQE {n:.1f}, lower is better)", WEIGHTS["niqe"])


def aspect_scores(m: Measurements, *, is_grayscale: bool) -> tuple[AspectScore, ...]:
    """Score every measured aspect (BRISQUE/NIQE only when they were measured)."""
    aspects = [
        score_sharpness(m.sharpness),
        score_noise(m.noise_sigma, m.contrast),
        score_contrast(m.contrast),
        score_exposure(m.brightness, m.clipped_shadows, m.clipped_highlights),
        score_colorfulness(m.colorfulness, is_grayscale),
        score_compression(m.blockiness),
    ]
    if m.brisque is not None:
        aspects.append(score_brisque(m.brisque))
    if m.niqe is not None:
        aspects.append(score_niqe(m.niqe))
    return tuple(aspects)


def overall_score(aspects: tuple[AspectScore, ...]) -> float:
    """Weighted mean of the aspect scores."""
    total = sum(a.weight for a in aspects)
    return _clamp(sum(a.score * a.weight for a in aspects) / total) if total else 0.0


def build_report(m: Measurements, *, width: int, height: int, is_grayscale: bool) -> QualityReport:
    """Assemble a QualityReport from raw measurements (NSS scores must be present)."""
    aspects = aspect_scores(m, is_grayscale=is_grayscale)
    return QualityReport(
        width=width,
        height=height,
        sharpness=m.sharpness,
        contrast=m.contrast,
        noise_sigma=m.noise_sigma,
        colorfulness=m.colorfulness,
        brightness=m.brightness,
        clipped_shadows=m.clipped_shadows,
        clipped_highlights=m.clipped_highlights,
        blockiness=m.blockiness,
        brisque=float(m.brisque if m.brisque is not None else math.nan),
        niqe=float(m.niqe if m.niqe is not None else math.nan),
        overall=overall_score(aspects),
        aspects=aspects,
        notes=m.notes,
    )
