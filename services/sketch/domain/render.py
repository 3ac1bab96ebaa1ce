"""render_sketch: the one entry point a servicer or job worker calls."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import cv2
import numpy as np

from .catalogue_types import Method, Style
from .pipeline import Canvas, ProgressFn, Step, StopFn, fit_pixels, run_steps
from .styles import acrylic, charcoal, ink, oil, pastel, pencil, watercolor
from .tone import to_uint8
from .validation import check_image, parse_method, parse_style, resolve_params

_STYLE_MODULES: dict[Style, ModuleType] = {
    Style.PENCIL: pencil,
    Style.CHARCOAL: charcoal,
    Style.WATERCOLOR: watercolor,
    Style.INK: ink,
    Style.PASTEL: pastel,
    Style.OIL: oil,
    Style.ACRYLIC: acrylic,
}


# Above this size the float pipelines work on a shrunk copy and the result is enlarged back: the look is
# scale-relative anyway, and a 12-MP render then costs seconds instead of tens of seconds (see docs).
DETAIL_MAX_PIXELS = 6_000_000


def pipeline_steps(style: Style, method: Method) -> list[Step]:
    """The ordered step functions of one combination (for inspection and tests)."""
    return list(_STYLE_MODULES[style].PIPELINES[method.value])


def render_sketch(
    image: np.ndarray,
    style: Style | str,
    method: Method | str,
    params: Mapping[str, object] | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    *,
    detail_max_pixels: int = DETAIL_MAX_PIXELS,
) -> np.ndarray:
    """Render `image` in `style` with `method`; returns a uint8 image of the same height and width.

    `image`: uint8 HxW (grey), HxWx1, HxWx3 (RGB) or HxWx4 (RGBA). The result is RGB (HxWx3), or RGBA
    with the source's alpha kept when the source is RGBA. `params` are checked against the catalogue
    (`InvalidArgument` naming the parameter); missing ones take their defaults. The output is a
    deterministic function of (image, style, method, params) - `seed` picks the paper/canvas texture.

    `on_progress(fraction, message)` is called with 0.0 first, then after every step, ending at 1.0.
    `should_stop()` is checked before every step; when it returns True `SketchCancelled` is raised.

    Pictures larger than `detail_max_pixels` are drawn at that size and enlarged (bicubic) to the
    source's size, except by pipelines fast enough at full size (PENCIL/BASIC).
    """
    image = check_image(image)
    style, method = parse_style(style), parse_method(method)
    resolved = resolve_params(style, method, params)
    source = _as_rgb(image)
    if method.value not in getattr(_STYLE_MODULES[style], "FULL_SIZE_METHODS", ()):
        source = fit_pixels(source, detail_max_pixels)
    canvas = Canvas(source=source, params=resolved)
    run_steps(pipeline_steps(style, method), canvas, on_progress, should_stop)
    return _restore_layout(canvas.image, image)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.cvtColor(image.reshape(image.shape[:2]), cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        rgb = image[..., :3].astype(np.uint16)
        alpha = image[..., 3:].astype(np.uint16)
        # composite over white paper so transparent areas read as blank paper
        return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(image)


def _restore_layout(result: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = to_uint8(result)
    h, w = source.shape[:2]
    if out.shape[:2] != (h, w):
        out = cv2.resize(out, (w, h), interpolation=cv2.INTER_CUBIC)
    if out.ndim == 2:
        out = cv2.cvtColor(out, cv2.COLOR_GRAY2RGB)
    if source.ndim == 3 and source.shape[2] == 4:
        out = np.dstack([out, source[..., 3]])
    return out
