"""ACRYLIC: flat, opaque, saturated paint.

BASIC: smoothed colour posterised per channel: flat fields with crisp edges.
ADVANCED: palette-knife - a mixed palette of k colours, each region streaked in its own knife direction.
ARTISTIC: pop art - very few saturated colours and bold black outlines.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..edges import xdog
from ..filters import directional_smear, edge_preserving, kuwahara, nearest_colour_index, palette
from ..pipeline import Canvas, fit_pixels, relative_scale, to_float
from ..textures import spectral_noise, tile_over
from ..tone import levels, luminance, quantize, saturate

WORK_PIXELS = 600_000


# ---------------------------------------------------------------- BASIC


def flatten(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    smooth = edge_preserving(work, c.params["smoothing"], passes=2)
    c.layers["paint"] = saturate(c.full_size(smooth), c.params["saturation"])


def posterise(c: Canvas) -> None:
    c.image = quantize(c.layers["paint"], int(c.params["levels"]))


# ---------------------------------------------------------------- ADVANCED


def mix_palette(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    flat = kuwahara(work, max(2, round(4 * s)))
    lab = cv2.cvtColor(flat, cv2.COLOR_RGB2Lab)  # cluster perceptually: skin and grey stay apart
    centres = palette(lab, int(c.params["colors"]), c.seed)
    index = nearest_colour_index(lab, centres)
    colours = cv2.cvtColor(centres[None].astype(np.float32), cv2.COLOR_Lab2RGB)[0]
    colours = saturate(np.clip(colours, 0.0, 1.0)[None], c.params["saturation"])[0]
    index = cv2.medianBlur(index.astype(np.uint8), 5)
    c.layers["index"] = index
    c.layers["paint"] = colours[index]


def knife_streaks(c: Canvas) -> None:
    index = c.layers["index"]
    h, w = index.shape
    s = relative_scale(index)
    rng = np.random.default_rng(c.seed + 100)
    region_angle = rng.uniform(0, np.pi, int(index.max()) + 1).astype(np.float32)
    angle = region_angle[index]
    noise = tile_over(spectral_noise(c.seed + 101, 1.0), h, w, max(1.0, 3.0 * s))
    streaks = levels(directional_smear(noise, angle, 60.0 * s, bins=6), 0.3, 0.7)
    amount = np.float32(c.params["knife_texture"])
    paint = c.layers["paint"] * (1.0 + amount * 0.2 * (streaks - 0.5))[..., None]
    ridges = np.abs(cv2.Sobel(streaks, cv2.CV_32F, 0, 1, ksize=3)) + np.abs(cv2.Sobel(streaks, cv2.CV_32F, 1, 0))
    shade = 1.0 + amount * 0.6 * np.clip(ridges * 4.0, 0.0, 1.0) * (np.sign(streaks - 0.5) * 0.5)
    c.layers["paint"] = np.clip(paint * shade[..., None], 0.0, 1.0)


def matte_finish(c: Canvas) -> None:
    c.image = c.full_size(c.layers["paint"])


# ---------------------------------------------------------------- ARTISTIC


def pop_palette(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    flat = edge_preserving(work, 1.0, passes=3)
    colours = palette(flat, int(c.params["colors"]), c.seed)
    vivid = saturate(colours[None], c.params["saturation"] * 1.4)[0]
    vivid = np.clip((vivid - 0.5) * 1.15 + 0.5, 0.0, 1.0)  # a little more contrast, as poster paint
    index = cv2.medianBlur(nearest_colour_index(flat, colours).astype(np.uint8), max(3, round(5 * s) | 1))
    c.layers["index"] = index
    c.layers["paint"] = c.full_size(vivid[index])


def bold_outlines(c: Canvas) -> None:
    index = cv2.resize(c.layers["index"], (c.width, c.height), interpolation=cv2.INTER_NEAREST)
    borders = cv2.morphologyEx(index, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    grey = luminance(to_float(fit_pixels(c.source, 4_000_000)))
    lines = cv2.resize(xdog(grey, 1.2 * relative_scale(grey), eps=-0.01, phi=80.0), (c.width, c.height))
    ink = np.maximum(borders.astype(np.float32), (lines < 0.5).astype(np.float32))
    width = max(1, round(c.px(1.5) * c.params["line_weight"]))
    ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width)))
    ink = cv2.GaussianBlur(ink, (0, 0), 0.7)
    c.image = c.layers["paint"] * (1.0 - ink)[..., None] + 0.03 * ink[..., None]


PIPELINES = {
    "BASIC": [flatten, posterise],
    "ADVANCED": [mix_palette, knife_streaks, matte_finish],
    "ARTISTIC": [pop_palette, bold_outlines],
}
