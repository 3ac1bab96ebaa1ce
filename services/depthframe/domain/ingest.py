"""The ingest pipeline: CSV bytes -> parsed rows -> resized rows -> fixed color scale.

An ordered list of small steps over one context; ``on_progress`` hears about each step (the parse
step reports per chunk) and ``should_stop`` is checked between steps and between parse chunks.
What the result holds is exactly what a store should persist for a dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .color_scale import ColorScale
from .csv_header import parse_header
from .csv_parse import parse_depth_csv
from .dataset import ParsedDataset
from .progress import ProgressCallback, StopCheck, check_stop, report
from .resize import DEFAULT_WIDTH, resize_rows, validate_width


@dataclass(frozen=True, eq=False)
class IngestedDataset:
    """A dataset ready to store: source rows, rows resized to ``width``, and its color scale."""

    parsed: ParsedDataset
    resized: np.ndarray  # uint8[rows, width], read-only
    width: int
    color_scale: ColorScale

    @property
    def rows(self) -> int:
        return self.parsed.rows

    @property
    def source_width(self) -> int:
        return self.parsed.source_width

    @property
    def depth_min(self) -> float:
        return self.parsed.depth_min

    @property
    def depth_max(self) -> float:
        return self.parsed.depth_max

    @property
    def skipped_rows(self) -> tuple:
        return self.parsed.skipped_rows


@dataclass
class _Context:
    data: bytes | bytearray | memoryview
    width: int
    on_progress: ProgressCallback | None
    should_stop: StopCheck | None
    parsed: ParsedDataset | None = None
    resized: np.ndarray | None = None
    scale: ColorScale | None = None


def _check_width_against_header(ctx: _Context) -> None:
    head = bytes(memoryview(ctx.data)[: 1 << 20])
    end = head.find(b"\n")
    line = head if end < 0 else head[:end]
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if line.strip():  # an empty file is reported by the parse step
        validate_width(ctx.width, len(parse_header(line)) - 1)


def _parse(ctx: _Context) -> None:
    def chunk_progress(fraction: float, message: str) -> None:
        report(ctx.on_progress, 0.05 + 0.75 * fraction, message)

    ctx.parsed = parse_depth_csv(ctx.data, on_progress=chunk_progress, should_stop=ctx.should_stop)


def _resize(ctx: _Context) -> None:
    resized = resize_rows(ctx.parsed.pixels, ctx.width)
    resized.flags.writeable = False
    ctx.resized = resized


def _color_scale(ctx: _Context) -> None:
    ctx.scale = ColorScale.from_pixels(ctx.resized)


STEPS: list[tuple[str, float, Callable[[_Context], None]]] = [
    ("checking header and width", 0.05, _check_width_against_header),
    ("parsing CSV", 0.80, _parse),
    ("resizing rows", 0.95, _resize),
    ("computing color scale", 1.0, _color_scale),
]


def ingest_csv(
    data: bytes | bytearray | memoryview,
    *,
    width: int = DEFAULT_WIDTH,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> IngestedDataset:
    """Run the ingest steps; raises InvalidArgument for bad input, Cancelled when asked to stop."""
    ctx = _Context(data=data, width=width, on_progress=on_progress, should_stop=should_stop)
    validate_width(width)
    for message, done, step in STEPS:
        check_stop(should_stop)
        step(ctx)
        report(on_progress, done, message)
    return IngestedDataset(parsed=ctx.parsed, resized=ctx.resized, width=width, color_scale=ctx.scale)
