"""OIL: opaque paint on linen canvas.

BASIC: Kuwahara brush smoothing + saturation + canvas weave.
ADVANCED: two-scale Kuwahara (broad areas, fine detail at edges) + lit impasto relief + canvas.
ARTISTIC: individually painted strokes along the forms (coarse then fine) with thick impasto.
"""

from __future__ import annotations

import numpy as np

from ..edges import blur, flow_angle, gradient_magnitude
from ..filters import directional_smear, kuwahara
from ..media import canvas_weave
from ..pipeline import Canvas, relative_scale
from ..strokes import bump_light, paint_strokes
from ..textures import spectral_noise, tile_over
from ..tone import luminance, saturate

WORK_PIXELS = 500_000
STROKE_PIXELS = 450_000


def _on_canvas(c: Canvas, paint: np.ndarray, amount: float) -> np.ndarray:
    weave = canvas_weave(c)[..., None]
    return np.clip(paint * (1.0 + np.float32(0.45 * amount) * (weave - 0.6)), 0.0, 1.0)


# ---------------------------------------------------------------- BASIC


def brush_smoothing(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    radius = max(2, round(c.params["brush_size"] * relative_scale(work)))
    c.layers["paint"] = saturate(kuwahara(work, radius), c.params["saturation"])


def paint_on_canvas(c: Canvas) -> None:
    c.image = _on_canvas(c, c.full_size(c.layers["paint"]), c.params["canvas"])


# ---------------------------------------------------------------- ADVANCED


def two_scale_brushing(c: Canvas) -> None:
    work = c.work_rgb(WORK_PIXELS)
    s = relative_scale(work)
    size = c.params["brush_size"]
    broad = kuwahara(kuwahara(work, max(2, round(size * s))), max(2, round(size * s * 0.6)))
    fine = kuwahara(work, max(1, round(size * s * 0.35)))
    detail = np.clip(gradient_magnitude(blur(luminance(work), 2.0 * s)) * 3.0, 0.0, 1.0)
    detail = blur(detail, 3.0 * s)[..., None]
    c.layers["paint"] = saturate(broad * (1 - detail) + fine * detail, c.params["saturation"])


def impasto_relief(c: Canvas) -> None:
    paint = c.layers["paint"]
    s = relative_scale(paint)
    angle = flow_angle(luminance(paint), 4.0 * s)
    h, w = paint.shape[:2]
    bristles = tile_over(spectral_noise(c.seed + 90, 0.3), h, w)
    ridges = directional_smear(bristles, angle, c.params["brush_size"] * 3.0 * s)
    height = 0.6 * ridges + 0.4 * luminance(paint)
    shade = bump_light(height, 2.5 * c.params["impasto"], sigma=1.0 * s)
    c.layers["paint"] = np.clip(paint * shade[..., None], 0.0, 1.0)


def varnished_canvas(c: Canvas) -> None:
    c.image = _on_canvas(c, c.full_size(c.layers["paint"]), c.params["canvas"])


# ---------------------------------------------------------------- ARTISTIC


def underpainting(c: Canvas) -> None:
    work = c.work_rgb(STROKE_PIXELS)
    s = relative_scale(work)
    c.layers["reference"] = saturate(blur(work, 1.0 * s), c.params["saturation"])
    base = blur(c.layers["reference"], c.params["brush_size"] * 1.5 * s)
    c.layers["surface"] = np.dstack([base, np.full(work.shape[:2], 0.5, np.float32)])  # RGB + paint height
    c.layers["angle"] = flow_angle(luminance(work), 5.0 * s)


def coarse_strokes(c: Canvas) -> None:
    _stroke_layer(c, 1.0, None)


def fine_strokes(c: Canvas) -> None:
    ref = c.layers["reference"]
    s = relative_scale(ref)
    detail = gradient_magnitude(blur(luminance(ref), 1.0 * s)) > 0.35
    _stroke_layer(c, 0.5, detail)


def _stroke_layer(c: Canvas, size: float, mask: np.ndarray | None) -> None:
    ref = c.layers["reference"]
    s = relative_scale(ref)
    width = max(1.0, c.params["brush_size"] * s * size)
    rng = np.random.default_rng(c.seed + round(size * 100))
    paint_strokes(
        c.layers["surface"],
        ref,
        c.layers["angle"],
        mask,
        spacing=width * 1.0,
        length=width * 4.0,
        width=width,
        rng=rng,
        jitter=c.params["stroke_jitter"],
    )


def thick_impasto(c: Canvas) -> None:
    surface = c.layers["surface"]
    s = relative_scale(surface)
    shade = bump_light(np.ascontiguousarray(surface[..., 3]), 0.8 * c.params["impasto"], sigma=0.9 * s)
    c.image = _on_canvas(c, c.full_size(np.clip(surface[..., :3] * shade[..., None], 0, 1)), 0.25)


PIPELINES = {
    "BASIC": [brush_smoothing, paint_on_canvas],
    "ADVANCED": [two_scale_brushing, impasto_relief, varnished_canvas],
    "ARTISTIC": [underpainting, coarse_strokes, fine_strokes, thick_impasto],
}
