"""CHARCOAL: soft carbon on rough paper.

BASIC: smudged, contrasty tone + dark edges on white rough paper.
ADVANCED: edge-preserving tone; charcoal darks and white chalk highlights on toned paper.
ARTISTIC: streaky strokes dragged along the local direction + bold contours.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..edges import blur, dog_lines, flow_angle, xdog
from ..filters import directional_smear, edge_preserving
from ..media import darkness_gamma, dry_medium_on_tooth, laid_paper, paper
from ..pipeline import Canvas, fit_pixels, relative_scale, to_float
from ..textures import spectral_noise, tile_over
from ..tone import grey_to_rgb, levels, smoothstep

CHARCOAL_BLACK = 0.08
WHITE_PAPER = (0.97, 0.96, 0.93)


def grey(c: Canvas) -> None:
    c.layers["grey"] = to_float(cv2.cvtColor(c.source, cv2.COLOR_RGB2GRAY))


# ---------------------------------------------------------------- BASIC


def smudged_tone(c: Canvas) -> None:
    tone = blur(c.layers["grey"], c.px(1.0 + 7.0 * c.params["smudge"]))
    c.layers["ink"] = 1.0 - levels(tone, 0.15, 0.8, gamma=1.3)


def dark_edges(c: Canvas) -> None:
    lines = dog_lines(c.layers["grey"], c.px(1.5), strength=1.4)
    c.layers["ink"] = np.maximum(c.layers["ink"], 1.0 - lines)


def charcoal_on_rough_paper(c: Canvas) -> None:
    ink = darkness_gamma(c.layers["ink"], c.params["darkness"])
    ink = dry_medium_on_tooth(ink, laid_paper(c), c.params["paper_grain"])
    c.image = grey_to_rgb(1.0 - (1.0 - CHARCOAL_BLACK) * ink, WHITE_PAPER)


# ---------------------------------------------------------------- ADVANCED


def flattened_tone(c: Canvas) -> None:
    c.layers["tone"] = blur(edge_preserving(c.layers["grey"], 0.9), c.px(1.0))


def charcoal_and_chalk(c: Canvas) -> None:
    tone = c.layers["tone"]
    dark = smoothstep(0.6, 0.08, tone)
    dark = np.maximum(dark, 1.0 - dog_lines(c.layers["grey"], c.px(1.5), strength=1.2))
    c.layers["ink"] = darkness_gamma(dark, c.params["darkness"])
    c.layers["chalk"] = smoothstep(0.62, 0.95, tone) * np.float32(c.params["chalk_highlights"])


def on_toned_paper(c: Canvas) -> None:
    tooth = paper(c, 0.9)
    grain = c.params["paper_grain"]
    ink = dry_medium_on_tooth(c.layers["ink"], tooth, grain)
    chalk = dry_medium_on_tooth(c.layers["chalk"], 1.0 - tooth, grain)
    base = np.float32(c.params["paper_tone"])
    paper_rgb = np.array([base * 1.0, base * 0.93, base * 0.80], np.float32)
    out = np.broadcast_to(paper_rgb, (c.height, c.width, 3)).astype(np.float32)
    out = out * (1.0 - ink[..., None]) + CHARCOAL_BLACK * ink[..., None]
    c.image = out * (1.0 - chalk[..., None]) + 0.97 * chalk[..., None]


# ---------------------------------------------------------------- ARTISTIC


def stroke_field(c: Canvas) -> None:
    small = fit_pixels(c.layers["grey"], 400_000)
    s = relative_scale(small)
    angle = flow_angle(small, 4.0 * s)
    tone = blur(small, 2.0 * s)
    noise = tile_over(spectral_noise(c.seed + 40, 0.2), *small.shape)
    dark = 1.0 - levels(tone, 0.1, 0.85, gamma=1.3)
    raw = np.clip(dark * 1.3 + (noise - 0.5) * 0.9, 0.0, 1.0)
    streaks = directional_smear(raw, angle, c.params["stroke_length"] * s)
    c.layers["ink"] = c.full_size(levels(streaks, 0.15, 0.85))


def bold_contours(c: Canvas) -> None:
    lines = xdog(c.layers["grey"], c.px(1.3) * c.params["line_weight"], phi=25.0, eps=-0.01)
    c.layers["ink"] = np.maximum(c.layers["ink"], (1.0 - lines) * 0.95)


def charcoal_strokes_on_paper(c: Canvas) -> None:
    ink = darkness_gamma(c.layers["ink"], c.params["darkness"])
    ink = dry_medium_on_tooth(ink, laid_paper(c), 0.55)
    c.image = grey_to_rgb(1.0 - (1.0 - CHARCOAL_BLACK) * ink, WHITE_PAPER)


PIPELINES = {
    "BASIC": [grey, smudged_tone, dark_edges, charcoal_on_rough_paper],
    "ADVANCED": [grey, flattened_tone, charcoal_and_chalk, on_toned_paper],
    "ARTISTIC": [grey, stroke_field, bold_contours, charcoal_strokes_on_paper],
}
