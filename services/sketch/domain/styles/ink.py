"""INK: black ink and its dilutions on paper.

BASIC: comic inking - thresholded XDoG contours and solid black shadows.
ADVANCED: sumi-e wash - a few feathered ink dilutions and brush contours on warm rice paper.
ARTISTIC: engraving - parallel lines bent by the forms whose width carries the tone.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..edges import blur, gradient_magnitude, xdog
from ..filters import edge_preserving, warp
from ..media import paper
from ..pipeline import Canvas, fit_pixels, relative_scale, to_float
from ..strokes import hatch_ink, hatch_pattern
from ..textures import spectral_noise, tile_over
from ..tone import grey_to_rgb, quantize, smoothstep

INK_BLACK = 0.04
RICE_PAPER = (0.96, 0.93, 0.86)


def grey(c: Canvas) -> None:
    c.layers["grey"] = to_float(cv2.cvtColor(c.source, cv2.COLOR_RGB2GRAY))


# ---------------------------------------------------------------- BASIC


def inked_contours(c: Canvas) -> None:
    detail = c.params["detail"]
    sigma = c.px(0.6 + 1.2 * (1.0 - detail)) * c.params["line_weight"]
    lines = xdog(c.layers["grey"], sigma, eps=-0.005 - 0.03 * (1.0 - detail), phi=200.0)
    c.layers["ink"] = (lines < 0.5).astype(np.float32)


def solid_shadows(c: Canvas) -> None:
    tone = blur(c.layers["grey"], c.px(1.5))
    t = c.params["shadow_threshold"]
    shadows = smoothstep(t + 0.02, t - 0.02, tone)
    c.layers["ink"] = np.maximum(c.layers["ink"], shadows)


def ink_on_white(c: Canvas) -> None:
    ink = cv2.GaussianBlur(c.layers["ink"], (0, 0), max(0.5, c.px(0.5)))
    c.image = grey_to_rgb(1.0 - (1.0 - INK_BLACK) * ink)


# ---------------------------------------------------------------- ADVANCED


def ink_dilutions(c: Canvas) -> None:
    small = fit_pixels(c.layers["grey"], 500_000)
    s = relative_scale(small)
    flat = edge_preserving(small, 1.0, passes=2)
    levels = int(c.params["wash_levels"])
    darkness = quantize(np.power(1.0 - flat, np.float32(1.6)), levels + 1, softness=0.2)
    bleed = c.params["bleed"]
    feathered = warp(darkness, c.seed + 5, (1.0 + 5.0 * bleed) * s, 25.0 * s)
    feathered = blur(feathered, (0.5 + 1.5 * bleed) * s)
    rim = np.clip(gradient_magnitude(feathered) * 0.6, 0.0, 0.15)  # ink pools where a wash dries
    c.layers["wash"] = c.full_size(np.clip(feathered * 0.75 + rim, 0.0, 1.0))


def brush_contours(c: Canvas) -> None:
    weight = tile_over(spectral_noise(c.seed + 70, 2.0), c.height, c.width, max(1.0, c.scale))
    sigma = c.px(1.1) * c.params["line_weight"]
    lines = xdog(c.layers["grey"], sigma, eps=-0.02, phi=30.0)
    ink = (1.0 - lines) * (0.7 + 0.9 * weight)
    c.layers["lines"] = np.clip(ink, 0.0, 1.0)


def ink_on_rice_paper(c: Canvas) -> None:
    fibres = paper(c, 0.2)
    ink = np.maximum(c.layers["wash"], c.layers["lines"])
    ink = ink * (0.9 + 0.2 * fibres)
    c.image = grey_to_rgb(np.clip(1.0 - (1.0 - INK_BLACK) * ink, 0.0, 1.0), RICE_PAPER)


# ---------------------------------------------------------------- ARTISTIC


def engraved_lines(c: Canvas) -> None:
    tone = blur(c.layers["grey"], c.px(1.2))
    spacing = float(c.params["line_spacing"]) * max(1.0, c.scale)
    bend = blur(c.layers["grey"], c.px(6.0)) * np.float32(2.5 * c.params["waviness"])
    main = hatch_pattern(c.height, c.width, np.pi / 5, spacing, c.seed, wobble=0.0, phase_warp=bend)
    dark = np.power(1.0 - tone, 1.35)
    ink = hatch_ink(main, dark, softness=0.06)
    cross = hatch_pattern(c.height, c.width, -np.pi / 3, spacing, c.seed + 1, wobble=0.0, phase_warp=bend)
    ink = np.maximum(ink, hatch_ink(cross, smoothstep(0.35, 0.0, tone) * 0.8, softness=0.06))
    c.layers["ink"] = ink


def engraved_contours(c: Canvas) -> None:
    lines = xdog(c.layers["grey"], c.px(0.8) * c.params["line_weight"], eps=-0.01, phi=120.0)
    c.layers["ink"] = np.maximum(c.layers["ink"], 1.0 - lines)


def print_on_paper(c: Canvas) -> None:
    c.image = grey_to_rgb(1.0 - (1.0 - INK_BLACK) * c.layers["ink"], (0.98, 0.97, 0.94))


PIPELINES = {
    "BASIC": [grey, inked_contours, solid_shadows, ink_on_white],
    "ADVANCED": [grey, ink_dilutions, brush_contours, ink_on_rice_paper],
    "ARTISTIC": [grey, engraved_lines, engraved_contours, print_on_paper],
}
