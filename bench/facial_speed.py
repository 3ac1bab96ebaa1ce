"""Facial contour speed on a ~1-megapixel image (astronaut upscaled to 1024x1024), single thread.

Run: PYTHONPATH=libs:. python bench/facial_speed.py [repeats]
Rows compare each path with a baseline in the same run:
  - given landmarks: contours + SVG + JSON (+ PNG masks), from an array and from JPEG bytes;
  - automatic landmarks: HOG on a copy scaled to 640 px (ours) vs HOG on full resolution (baseline);
  - cache hit on a re-encoded copy vs the cold computation.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics
import sys
import time

import cv2
from skimage import data

from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.domain.cache import InMemoryLruStore, PerceptualCache
from services.facial.domain.image_io import decode_image
from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import ContourInput, compute_contours, compute_contours_cached

cv2.setNumThreads(1)


def timed(fn, repeats: int) -> tuple[float, float, float]:
    """(wall p50, wall p90, CPU p50) in ms; CPU time is less disturbed by other load on the box."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[min(len(wall) - 1, int(len(wall) * 0.9))], statistics.median(cpu)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    image = cv2.resize(data.astronaut(), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    _, jpeg = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    jpeg = jpeg.tobytes()
    _, jpeg80 = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    jpeg80 = jpeg80.tobytes()
    det = shared_detector()
    default = ContourParams.create()  # all regions, SVG + JSON
    with_png = ContourParams.create(output_formats=["svg", "json", "png"])
    full_res = ContourParams.create(detection_max_side=1024)
    lm = compute_contours(ContourInput(image), default, det).geometry.faces[0].landmarks

    rows = [
        ("given landmarks, SVG+JSON", lambda: compute_contours(ContourInput(image, lm), default), 50),
        ("given landmarks, SVG+JSON+PNG", lambda: compute_contours(ContourInput(image, lm), with_png), 50),
        (
            "given landmarks, from JPEG bytes",
            lambda: compute_contours(ContourInput(decode_image(jpeg), lm), default),
            50,
        ),
        ("auto landmarks, HOG at 640 px (ours)", lambda: compute_contours(ContourInput(image), default, det), 300),
        ("auto landmarks, HOG full res (baseline)", lambda: compute_contours(ContourInput(image), full_res, det), None),
        (
            "auto landmarks, from JPEG bytes",
            lambda: compute_contours(ContourInput(decode_image(jpeg), None), default, det),
            300,
        ),
    ]
    cache = PerceptualCache(InMemoryLruStore())
    compute_contours_cached(ContourInput(image), default, cache, det)
    decoded80 = decode_image(jpeg80)
    rows.append(
        (
            "cache hit, re-encoded q80 (array in)",
            lambda: compute_contours_cached(ContourInput(decoded80), default, cache, det),
            10,
        )
    )
    rows.append(
        (
            "cache hit, re-encoded q80 (JPEG in)",
            lambda: compute_contours_cached(ContourInput(decode_image(jpeg80)), default, cache, det),
            None,
        )
    )

    print(
        f"image {image.shape[1]}x{image.shape[0]} ({image.shape[0] * image.shape[1] / 1e6:.2f} MP), "
        f"{repeats} runs each, 1 thread"
    )
    print(f"{'path':42s} {'p50 ms':>8s} {'p90 ms':>8s} {'cpu p50':>8s} {'target':>7s}")
    for name, fn, target in rows:
        p50, p90, cpu = timed(fn, repeats)
        print(f"{name:42s} {p50:8.1f} {p90:8.1f} {cpu:8.1f} {('<=' + str(target)) if target else '':>7s}")
    print(f"cache hits {cache.hits}, misses {cache.misses}")


if __name__ == "__main__":
    main()
