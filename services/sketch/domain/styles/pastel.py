"""PASTEL: soft chalk pigment caught on the paper's grain.

BASIC: blended, light, high-key colour with soft contours; grain lets the cream paper through.
ADVANCED: short strokes following the forms on tinted paper; paper shows between strokes.
ARTISTIC: bright chalk on black paper - only the light is drawn.
"""

from __future__ import annotations

import numpy as np

from ..edges import blur, dog_lines, flow_angle
from ..filters import directional_smear, edge_preserving
from ..media import dry_medium_on_tooth, paper
from ..pipeline import Canvas, relative_scale
from ..textures import spectral_noise, tile_over
from ..tone import levels, luminance, saturate, smoothstep

WORK_PIXELS = 500_000
CREAM = np.array([0.96, 0.93, 0.86], np.float32)
TINTED = np.array([0.55, 0.58, 0.62], np.float32)
BLACK_PAPER = np.array([0.07, 0.07, 0.08], np.float32)


def _lay_on(paper_rgb: np.ndarray, pigment: np.ndarray, cover: np.ndarray) -> np.ndarray:
    cover = cover[..., None]
    return paper_rgb * (1.0 - cover) + pigment * cover


# ---------------------------------------------------------------- BASIC


def blended_colour(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    soft = blur(work, (1.0 + 6.0 * c.params["softness"]) * relative_scale(work))
    light = 0.3 + 0.7 * saturate(soft, c.params["saturation"])  # high-key: pastel is mixed with white
    c.layers["pigment"] = c.full_size(light)


def soft_contours(c: Canvas) -> None:
    grey = luminance(c.work_rgb(WORK_PIXELS))
    lines = dog_lines(grey, 1.5 * relative_scale(grey), strength=0.9)
    c.layers["pigment"] = c.layers["pigment"] * c.full_size(0.55 + 0.45 * lines)[..., None]


def chalk_on_cream_paper(c: Canvas) -> None:
    cover = np.full((c.height, c.width), 0.95, np.float32)
    cover = dry_medium_on_tooth(cover, paper(c, 0.9), c.params["paper_grain"])
    c.image = _lay_on(CREAM, c.layers["pigment"], cover)


# ---------------------------------------------------------------- ADVANCED


def smoothed_colour(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    c.layers["pigment"] = saturate(edge_preserving(work, 0.8, passes=2), c.params["saturation"])


def stroke_texture(c: Canvas) -> None:
    pigment = c.layers["pigment"]
    s = relative_scale(pigment)
    angle = flow_angle(luminance(pigment), 5.0 * s)
    h, w = pigment.shape[:2]
    noise = tile_over(spectral_noise(c.seed + 80, 0.0), h, w, max(1.0, 1.5 * s))
    streaks = directional_smear(noise, angle, c.params["stroke_length"] * s)
    streaks = levels(streaks, 0.35, 0.65)
    colour = directional_smear(pigment, angle, 0.5 * c.params["stroke_length"] * s)
    c.layers["pigment"] = c.full_size(colour)
    c.layers["strokes"] = c.full_size(streaks)


def strokes_on_tinted_paper(c: Canvas) -> None:
    cover = smoothstep(0.1, 0.6, c.layers["strokes"]) * 0.92 + 0.05
    cover = dry_medium_on_tooth(cover, paper(c, 0.9), c.params["paper_grain"])
    c.image = _lay_on(TINTED, c.layers["pigment"], cover)


# ---------------------------------------------------------------- ARTISTIC


def bright_chalk(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    soft = blur(work, 1.2 * relative_scale(work))
    vivid = saturate(soft, c.params["saturation"])
    peak = np.maximum(vivid.max(axis=2, keepdims=True), 0.05)
    c.layers["pigment"] = c.full_size(np.clip(0.95 * vivid / peak, 0.0, 1.0))  # chalk: pure, light colours
    lum = 0.5 * luminance(soft) + 0.5 * soft.max(axis=2)  # saturated colours catch chalk too, not only light
    lo, hi = np.percentile(lum, [2, 97])  # stretch: the lightest part of any photo becomes full chalk
    c.layers["light"] = c.full_size(levels(lum, min(float(lo), 0.2), max(float(hi), 0.6)))


def chalk_strokes(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    grey = luminance(work)
    angle = flow_angle(grey, 5.0 * s)
    h, w = grey.shape
    noise = tile_over(spectral_noise(c.seed + 85, 0.0), h, w, max(1.0, 1.5 * s))
    streaks = levels(directional_smear(noise, angle, 12.0 * s), 0.3, 0.7)
    gaps = dog_lines(grey, 1.2 * s, strength=1.5)  # black paper shows along edges
    c.layers["streaks"] = c.full_size(streaks)
    c.layers["light"] = c.layers["light"] * c.full_size(gaps)


def chalk_on_black_paper(c: Canvas) -> None:
    light = np.clip(c.layers["light"] * np.float32(c.params["brightness"]), 0.0, 1.0)
    grain = np.float32(c.params["paper_grain"])
    catch = (1.0 - grain) * 0.5 + grain * (0.5 * paper(c, 1.0) + 0.5 * c.layers["streaks"])
    threshold = 1.0 - np.power(light, np.float32(1.8))
    cover = smoothstep(threshold - 0.15, threshold + 0.15, catch)
    c.image = _lay_on(BLACK_PAPER, c.layers["pigment"], cover)


PIPELINES = {
    "BASIC": [blended_colour, soft_contours, chalk_on_cream_paper],
    "ADVANCED": [smoothed_colour, stroke_texture, strokes_on_tinted_paper],
    "ARTISTIC": [bright_chalk, chalk_strokes, chalk_on_black_paper],
}
