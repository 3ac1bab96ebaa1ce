"""WATERCOLOR: transparent pigment washes on cold-press paper.

Colour is handled as pigment density (1 - colour): washes thin it, wet edges and granulation add to it.
BASIC: simplified colour + wet-edge darkening + granulation.
ADVANCED: edge-preserving flat tonal layers, colour bleeding across edges, granulation.
ARTISTIC: wet-in-wet runs and blooms over a crisp pencil under-drawing.
"""

from __future__ import annotations

import numpy as np

from ..edges import blur, dog_lines, gradient_magnitude
from ..filters import edge_preserving, warp
from ..media import cold_press
from ..pipeline import Canvas, relative_scale
from ..textures import spectral_noise, tile_over
from ..tone import levels, luminance, quantize, saturate, smoothstep

WORK_PIXELS = 500_000
MAX_DENSITY = 0.82  # watercolour never reaches black


def _density(rgb: np.ndarray, wash: float) -> np.ndarray:
    """Pigment density of a colour, thinned by `wash` (0..1)."""
    return np.power(1.0 - rgb, np.float32(1.25)) * np.float32(1.0 - 0.85 * wash) * MAX_DENSITY


def _wet_edges(density: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """Pigment pools where a wash's density changes: add density along those edges."""
    edge = gradient_magnitude(blur(luminance(1.0 - density), sigma))
    edge = np.clip(edge * 1.5, 0.0, 1.0)[..., None]
    return np.minimum(density * (1.0 + 0.9 * amount * edge), MAX_DENSITY)


# ---------------------------------------------------------------- BASIC


def simplified_colour(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    c.layers["paint"] = blur(edge_preserving(work, 0.7, passes=1), 2.0 * s)


def thin_washes(c: Canvas) -> None:
    c.layers["density"] = _density(saturate(c.layers["paint"], 1.2), c.params["wash"])


def wet_edge_darkening(c: Canvas) -> None:
    s = relative_scale(c.layers["density"])
    c.layers["density"] = _wet_edges(c.layers["density"], c.params["edge_darkening"], 1.0 * s)


def _on_cold_press(c: Canvas, granulation: float) -> np.ndarray:
    d = c.full_size(c.layers["density"])
    grain = cold_press(c)[..., None]
    flow = tile_over(spectral_noise(c.seed + 50, 2.0), c.height, c.width, max(1.0, c.scale))[..., None]
    d = d * (1.0 + np.float32(granulation) * 0.9 * (0.5 - grain)) * (0.85 + 0.3 * flow)
    return np.clip(1.0 - d, 0.0, 1.0) * np.array([1.0, 0.99, 0.96], np.float32)


def granulate_on_paper(c: Canvas) -> None:
    c.image = _on_cold_press(c, c.params["granulation"])


# ---------------------------------------------------------------- ADVANCED


def edge_preserving_layers(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    smooth = edge_preserving(work, 1.0, passes=3)
    lum = luminance(smooth)[..., None]
    stepped = quantize(lum, int(c.params["levels"]), softness=0.12)
    c.layers["paint"] = np.clip(smooth * (stepped / np.maximum(lum, 1e-3)), 0.0, 1.0)


def bleed_colour(c: Canvas) -> None:
    s = relative_scale(c.layers["paint"])
    bleed = c.params["bleed"]
    moved = warp(c.layers["paint"], c.seed, (2.0 + 10.0 * bleed) * s, 90.0 * s)
    c.layers["paint"] = blur(moved, (0.5 + 2.5 * bleed) * s)


def washes_with_white_paper(c: Canvas) -> None:
    paint = saturate(c.layers["paint"], 1.15)
    d = _density(paint, c.params["wash"])
    white = smoothstep(0.78, 0.92, luminance(paint))[..., None]
    d = d * (1.0 - white)
    c.layers["density"] = _wet_edges(d, 0.6, 0.8 * relative_scale(d))


# ---------------------------------------------------------------- ARTISTIC


def loose_colour(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    bleed = c.params["bleed"]
    colour = saturate(blur(work, (2.0 + 5.0 * bleed) * s), 1.35)
    c.layers["paint"] = warp(colour, c.seed + 3, (4.0 + 22.0 * bleed) * s, 160.0 * s)


def blooms(c: Canvas) -> None:
    paint = c.layers["paint"]
    h, w = paint.shape[:2]
    s = relative_scale(paint)
    blobs = tile_over(spectral_noise(c.seed + 60, 2.4), h, w, max(1.0, 2.0 * s))
    ring = smoothstep(0.025, 0.0, np.abs(blobs - 0.55)) * np.float32(c.params["blooms"])
    inside = smoothstep(0.55, 0.62, blobs) * np.float32(c.params["blooms"])
    d = _density(paint, c.params["wash"])
    d = d * (1.0 - 0.35 * inside[..., None]) + d * 0.25 * ring[..., None]
    c.layers["density"] = _wet_edges(d, 0.5, 1.5 * s)


def pencil_underdrawing(c: Canvas) -> None:
    grey = luminance(c.source.astype(np.float32) / 255.0)
    lines = dog_lines(grey, c.px(1.2), strength=1.3)
    c.layers["pencil"] = 1.0 - (1.0 - levels(lines, 0.2, 1.0)) * np.float32(c.params["pencil_lines"])


def watercolour_over_pencil(c: Canvas) -> None:
    paint = _on_cold_press(c, 0.3)
    graphite = 1.0 - 0.6 * (1.0 - c.layers["pencil"])
    c.image = paint * graphite[..., None]


PIPELINES = {
    "BASIC": [simplified_colour, thin_washes, wet_edge_darkening, granulate_on_paper],
    "ADVANCED": [edge_preserving_layers, bleed_colour, washes_with_white_paper, granulate_on_paper],
    "ARTISTIC": [loose_colour, blooms, pencil_underdrawing, watercolour_over_pencil],
}
