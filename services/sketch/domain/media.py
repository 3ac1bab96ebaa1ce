"""How dry and wet media sit on a support: paper tooth, paper colour, canvas. Shared by the styles."""

from __future__ import annotations

import numpy as np

from .pipeline import Canvas
from .textures import canvas_tile, cold_press_tile, laid_paper_tile, paper_tile, texture_scale, tile_over


def paper(c: Canvas, roughness: float = 0.5, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Drawing-paper height (0..1, 1 = high point) over the whole image (or `shape`)."""
    h, w = shape or (c.height, c.width)
    return tile_over(paper_tile(c.seed, round(roughness, 2)), h, w, texture_scale(c.height, c.width))


def cold_press(c: Canvas, shape: tuple[int, int] | None = None) -> np.ndarray:
    h, w = shape or (c.height, c.width)
    return tile_over(cold_press_tile(c.seed), h, w, texture_scale(c.height, c.width))


def laid_paper(c: Canvas) -> np.ndarray:
    """Charcoal paper with laid ribs (0..1, 1 = high point)."""
    return tile_over(laid_paper_tile(c.seed), c.height, c.width, texture_scale(c.height, c.width))


def canvas_weave(c: Canvas) -> np.ndarray:
    return tile_over(canvas_tile(c.seed), c.height, c.width, texture_scale(c.height, c.width))


def dry_medium_on_tooth(ink: np.ndarray, tooth: np.ndarray, grain: float) -> np.ndarray:
    """Dry pigment skips the paper's high points: reduce `ink` coverage (0..1) where `tooth` is high.

    Dense ink still fills the tooth; light strokes break up the most.
    """
    skip = np.float32(grain) * tooth * (1.0 - 0.5 * ink)
    return np.clip(ink * (1.0 - skip) - 0.15 * grain * (tooth - 0.5) * ink, 0.0, 1.0)


def darkness_gamma(ink: np.ndarray, darkness: float) -> np.ndarray:
    """Ink coverage pushed darker (`darkness` > 1) or lighter (< 1)."""
    return 1.0 - np.power(np.clip(1.0 - ink, 0.0, 1.0), np.float32(darkness))
