"""PENCIL: graphite on white paper.

BASIC: colour-dodge shading (uint8 fast path, the 12-MP speed target) on paper grain.
ADVANCED: edge-preserving shading + hatching patches that follow the local direction + paper tooth.
ARTISTIC: coloured-pencil cross-hatching in three tonal layers + XDoG contours.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..edges import blur, flow_angle, xdog
from ..filters import edge_preserving
from ..media import darkness_gamma, dry_medium_on_tooth, paper
from ..pipeline import Canvas, fit_pixels, relative_scale, to_float
from ..strokes import hatch_ink, hatch_pattern
from ..textures import paper_tile, texture_scale, tile_over
from ..tone import luminance, saturate, smoothstep

# ---------------------------------------------------------------- BASIC (uint8, fast)


def grey_u8(c: Canvas) -> None:
    c.layers["grey_u8"] = cv2.cvtColor(c.source, cv2.COLOR_RGB2GRAY)


def dodge_u8(c: Canvas) -> None:
    grey = c.layers["grey_u8"]
    sigma = c.px(2.0 + 14.0 * c.params["softness"])
    blurred = blur(cv2.bitwise_not(grey), sigma)
    c.image = cv2.divide(grey, cv2.bitwise_not(blurred), scale=256)


def darken_u8(c: Canvas) -> None:
    x = np.arange(256, dtype=np.float32) / 255.0
    lut = np.power(x, 1.4 * c.params["darkness"])
    c.image = cv2.LUT(c.image, np.clip(lut * 255 + 0.5, 0, 255).astype(np.uint8))


def paper_u8(c: Canvas) -> None:
    grain = c.params["paper_grain"]
    tile = paper_tile(c.seed, 0.6)
    mult = np.clip(255.0 * (1.0 - grain * 0.35 * (1.0 - tile)) + 0.5, 0, 255).astype(np.uint8)
    layer = tile_over(mult, c.height, c.width, texture_scale(c.height, c.width))
    c.image = cv2.multiply(c.image, layer, scale=1.0 / 255.0)


# ---------------------------------------------------------------- ADVANCED


def smoothed_grey(c: Canvas) -> None:
    grey = to_float(cv2.cvtColor(c.source, cv2.COLOR_RGB2GRAY))
    c.layers["grey"] = edge_preserving(grey, c.params["smoothing"], passes=1)


def dodge_shading(c: Canvas) -> None:
    grey = c.layers["grey"]
    blurred = blur(1.0 - grey, c.px(6.0))
    c.layers["shade"] = np.clip(grey / np.maximum(1.0 - blurred, 1e-3), 0.0, 1.0)
    c.layers["tone"] = blur(grey, c.px(3.0))


def hatching_along_forms(c: Canvas) -> None:
    small = fit_pixels(c.layers["grey"], 250_000)
    angle = flow_angle(small, 16.0 * relative_scale(small))  # broad, calm hatching patches
    angle = cv2.resize(angle, (c.width, c.height), interpolation=cv2.INTER_NEAREST)
    bins = np.floor(angle / (np.pi / 4) + 0.5).astype(np.int32) % 4
    patch_angle = (bins * np.float32(np.pi / 4) + np.float32(0.3)).astype(np.float32)  # 4 directions
    spacing = max(4.0, c.px(6.0))
    dark = smoothstep(0.6, 0.08, c.layers["tone"]) * np.float32(c.params["hatch_density"])
    ink = hatch_ink(hatch_pattern(c.height, c.width, patch_angle, spacing, c.seed, wobble=0.4), dark)
    tonal = 0.3 * np.power(1.0 - c.layers["tone"], np.float32(1.5))  # soft graphite rubbed into shadows
    c.layers["ink"] = np.clip((1.0 - c.layers["shade"]) * 1.2 + 0.45 * ink + tonal, 0.0, 1.0)


def graphite_on_tooth(c: Canvas) -> None:
    ink = darkness_gamma(c.layers["ink"], c.params["darkness"])
    ink = dry_medium_on_tooth(ink, paper(c, 0.7), c.params["paper_grain"])
    c.image = (1.0 - 0.92 * ink).astype(np.float32)


# ---------------------------------------------------------------- ARTISTIC


def tone_and_colour(c: Canvas) -> None:
    rgb = to_float(c.source)
    c.layers["tone"] = blur(luminance(rgb), c.px(2.0))
    pigment = saturate(rgb, 1.5) * 0.85
    graphite = np.full_like(pigment, 0.28)
    a = np.float32(c.params["color_amount"])
    c.layers["pigment"] = pigment * a + graphite * (1 - a)


def cross_hatching(c: Canvas) -> None:
    tone = c.layers["tone"]
    spacing = float(c.params["hatch_spacing"]) * max(1.0, c.scale)
    bare = np.ones((c.height, c.width), np.float32)  # paper left bare by every layer so far
    layers = ((np.pi / 4, 0.85, 0.4), (-np.pi / 4, 0.6, 0.15), (0.05, 0.4, -0.05))
    for i, (angle, start, end) in enumerate(layers):
        dark = smoothstep(start, end, tone) * 0.65
        ink = hatch_ink(hatch_pattern(c.height, c.width, angle, spacing, c.seed + 10 + i, wobble=0.8), dark)
        bare *= 1.0 - ink
    # overlapping strokes of the same pencil build up colour like multiplied layers
    c.image = 1.0 - ((1.0 - bare) * (1.0 + 0.35 * (1.0 - bare)))[..., None] * (1.0 - c.layers["pigment"])


def contour_lines(c: Canvas) -> None:
    grey = luminance(to_float(c.source))
    lines = xdog(grey, c.px(1.0) * c.params["line_weight"], phi=40.0)
    strength = 1.0 - (1.0 - lines) * 0.85
    c.image = c.image * strength[..., None]


def coloured_pencil_tooth(c: Canvas) -> None:
    ink = 1.0 - c.image
    ink = darkness_gamma(ink, c.params["darkness"])
    tooth = paper(c, 0.8)
    ink = dry_medium_on_tooth(ink, tooth[..., None], 0.6)
    c.image = 1.0 - ink


FULL_SIZE_METHODS = ("BASIC",)  # fast enough to always draw at the source's full size

PIPELINES = {
    "BASIC": [grey_u8, dodge_u8, darken_u8, paper_u8],
    "ADVANCED": [smoothed_grey, dodge_shading, hatching_along_forms, graphite_on_tooth],
    "ARTISTIC": [tone_and_colour, cross_hatching, contour_lines, coloured_pencil_tooth],
}
