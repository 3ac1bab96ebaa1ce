"""Benchmark the depthframe domain: parse, resize, colormap, PNG, against naive baselines in the same run.

    PYTHONPATH=libs:. python bench/depthframe_domain.py [--rows 5461 100000] [--repeat 5]

Prints one table (best and median of --repeat runs, milliseconds) and the tracemalloc peak of parsing
and ingesting the largest file (the input bytes are allocated before tracing starts).
Threads are pinned to 1 (shared machine).
"""

# ruff: noqa: E402  (thread pinning must happen before numpy/cv2 load)
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import csv
import gc
import io
import statistics
import time
import tracemalloc

import cv2
import numpy as np

from services.depthframe.domain import (
    ColorScale,
    apply_colormap,
    ingest_csv,
    parse_depth_csv,
    render_frames,
    render_strip,
    resize_rows,
    resolve_colormap,
    scaled_lut,
)
from services.depthframe.sample_data.depth_log import make_depth_csv

cv2.setNumThreads(1)


def timed(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def baseline_csv_module(data: bytes) -> np.ndarray:
    """Row by row with the csv module (what most public solutions do, minus pandas)."""
    reader = csv.reader(io.StringIO(data.decode()))
    next(reader)
    rows = []
    for row in reader:
        if not any(row):
            continue
        rows.append([float(v) for v in row])
    return np.array(rows)


def baseline_loadtxt(data: bytes) -> np.ndarray:
    """numpy's C loadtxt (no per-line errors, no NaN-row handling: the last row is cut off)."""
    lines = data.count(b"\n")
    return np.loadtxt(io.BytesIO(data), delimiter=",", skiprows=1, max_rows=lines - 2)


def baseline_resize(pixels: np.ndarray, width: int) -> np.ndarray:
    """Area average as a float64 matrix product (exact weights)."""
    n = pixels.shape[1]
    i, j = np.arange(n)[:, None], np.arange(width)[None, :]
    overlap = np.clip(np.minimum((i + 1) * width, (j + 1) * n) - np.maximum(i * width, j * n), 0, None)
    return np.rint(pixels @ (overlap / n)).astype(np.uint8)


def baseline_frames_cv2(rgb: np.ndarray) -> list[bytes]:
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1]
    return [cv2.imencode(".png", np.ascontiguousarray(row[None, :, ::-1]), params)[1].tobytes() for row in rgb]


def run(rows: int, repeat: int, baselines: bool) -> list[tuple[str, str, float, float]]:
    data = make_depth_csv(rows=rows)
    label = f"{rows:,} rows ({len(data) / 1e6:.1f} MB)"
    results = []

    def add(name, function, times=repeat):
        best, median = timed(function, times)
        results.append((label, name, best, median))

    add("parse: parse_depth_csv (ours)", lambda: parse_depth_csv(data))
    if baselines:
        add("parse: csv module row by row (baseline)", lambda: baseline_csv_module(data), max(1, repeat // 3))
        add("parse: np.loadtxt (baseline, no checks)", lambda: baseline_loadtxt(data), max(1, repeat // 3))
    parsed = parse_depth_csv(data)
    add("resize 200->150: cv2 INTER_AREA (ours)", lambda: resize_rows(parsed.pixels, 150))
    add("resize 200->150: float64 matmul (baseline)", lambda: baseline_resize(parsed.pixels, 150))
    resized = resize_rows(parsed.pixels, 150)
    scale, colormap = ColorScale.from_pixels(resized), resolve_colormap(None)
    add("colormap: apply_colormap, cv2.LUT (ours)", lambda: apply_colormap(resized, colormap, scale))
    add("colormap: numpy table[pixels] gather (baseline)", lambda: scaled_lut(colormap, scale)[resized])
    rgb = scaled_lut(colormap, scale)[resized]
    add("strip PNG: palette PNG, zlib 1 (ours)", lambda: render_strip(resized, colormap, scale))
    add(
        "strip PNG: cv2.imencode RGB, level 1 (baseline)",
        lambda: cv2.imencode(".png", rgb[..., ::-1].copy(), [cv2.IMWRITE_PNG_COMPRESSION, 1]),
    )
    if rows <= 10_000:
        add("all frames PNG: render_frames (ours)", lambda: render_frames(parsed.depths, resized, colormap, scale))
        add("all frames PNG: cv2.imencode per row (baseline)", lambda: baseline_frames_cv2(rgb))
        first_100 = slice(0, 100)
        add(
            "100 frames PNG: render_frames (ours)",
            lambda: render_frames(parsed.depths[first_100], resized[first_100], colormap, scale),
        )
    add("ingest: parse + resize + scale", lambda: ingest_csv(data))
    return results


def peak_memory(rows: int) -> None:
    data = make_depth_csv(rows=rows)
    for name, function in (("parse_depth_csv", parse_depth_csv), ("ingest_csv", ingest_csv)):
        gc.collect()
        tracemalloc.start()
        result = function(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        parsed = getattr(result, "parsed", result)
        arrays = parsed.pixels.nbytes + parsed.depths.nbytes + getattr(result, "resized", np.zeros(0)).nbytes
        print(
            f"peak memory {name} {rows:,} rows: {peak / 1e6:.1f} MB traced "
            f"(input {len(data) / 1e6:.1f} MB not traced; result arrays {arrays / 1e6:.1f} MB)"
        )
        del result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[5461, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-baselines-above", type=int, default=200_000)
    args = parser.parse_args()
    table = []
    for rows in args.rows:
        table += run(rows, args.repeat, rows <= args.no_baselines_above)
    print(f"{'input':<24} {'step':<50} {'best ms':>9} {'median ms':>10}")
    for label, name, best, median in table:
        print(f"{label:<24} {name:<50} {best:9.1f} {median:10.1f}")
    peak_memory(max(args.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
