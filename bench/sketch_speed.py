"""Sketch speed: our PENCIL/BASIC vs OpenCV's cv2.pencilSketch on the same photos, and every combination.

Run: PYTHONPATH=libs:. python bench/sketch_speed.py [--repeats N]
Timings are processing only (the image is already decoded in memory), best of N, OpenCV on 1 thread.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np
from skimage import data

from services.sketch.domain import Method, Style, render_sketch

TARGET_12MP_PENCIL_BASIC_S = 0.3
TARGET_2MP_ANY_S = 1.5


def photo(megapixels: float, source: np.ndarray) -> np.ndarray:
    """A real photograph enlarged (bicubic) to about `megapixels` at its own aspect ratio."""
    h, w = source.shape[:2]
    f = (megapixels * 1e6 / (h * w)) ** 0.5
    return cv2.resize(source, (round(w * f), round(h * f)), interpolation=cv2.INTER_CUBIC)


def best_of(repeats: int, fn) -> float:
    """Best wall time of `repeats` runs: on a shared machine the minimum is the least disturbed run."""
    return timed(repeats, fn)[0]


def timed(repeats: int, fn) -> tuple[float, float]:
    """(best wall s, best CPU s of this process) over `repeats` runs. Everything runs on one thread, so
    on an idle machine the two agree; on a shared one CPU time leaves out the waits for a core."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also time every combination once on 12 MP")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(
        f"# {platform.node()} {platform.processor() or platform.machine()}, cv2 {cv2.__version__}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, load {load_average()}, "
        f"OpenCV threads=1, best of {args.repeats}"
    )

    print("\n## PENCIL/BASIC vs cv2.pencilSketch (grey output)")
    print(f"{'image':24s} {'ours s':>8s} {'ours cpu':>9s} {'pencilSketch s':>15s} {'speed-up':>9s} {'target':>8s}")
    for name, mp, src in (
        ("coffee 2 MP", 2.0, data.coffee()),
        ("astronaut 2 MP", 2.0, data.astronaut()),
        ("coffee 12 MP", 12.0, data.coffee()),
        ("astronaut 12 MP", 12.0, data.astronaut()),
    ):
        img = photo(mp, src)
        render_sketch(img, Style.PENCIL, Method.BASIC)  # warm the texture cache
        ours, ours_cpu = timed(args.repeats, lambda img=img: render_sketch(img, Style.PENCIL, Method.BASIC))
        theirs = best_of(
            max(1, args.repeats // 3 if mp > 4 else args.repeats),
            lambda img=img: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.05),
        )
        target = f"<= {TARGET_12MP_PENCIL_BASIC_S}" if mp > 4 else ""
        print(
            f"{name + ' ' + 'x'.join(map(str, img.shape[1::-1])):24s} {ours:8.3f} {ours_cpu:9.3f} {theirs:15.3f} "
            f"{theirs / ours:8.1f}x {target:>8s}"
        )

    print(f"\n## every combination on a 2 MP photo (coffee), target <= {TARGET_2MP_ANY_S} s")
    img = photo(2.0, data.coffee())
    print("wall s (cpu s)")
    print(f"{'style':10s} {'BASIC':>15s} {'ADVANCED':>15s} {'ARTISTIC':>15s}")
    worst = worst_cpu = 0.0
    for style in Style:
        row = []
        for method in Method:
            render_sketch(img, style, method)
            t, cpu = timed(args.repeats, lambda style=style, method=method: render_sketch(img, style, method))
            worst, worst_cpu = max(worst, t), max(worst_cpu, cpu)
            row.append(f"{t:6.3f} ({cpu:5.3f})")
        print(f"{style.value:10s} {row[0]:>15s} {row[1]:>15s} {row[2]:>15s}")
    verdict = "OK" if worst <= TARGET_2MP_ANY_S else "OVER TARGET"
    print(f"slowest combination: wall {worst:.3f} s ({verdict}), cpu {worst_cpu:.3f} s; load now {load_average()}")
    if args.large:
        print("\n## every combination once on a 12 MP photo (coffee), no target, for sizing job workers")
        print("wall s (cpu s); float pipelines draw at 6 MP and enlarge (render.DETAIL_MAX_PIXELS)")
        img = photo(12.0, data.coffee())
        for style in Style:
            row = []
            for method in Method:
                t, cpu = timed(1, lambda style=style, method=method: render_sketch(img, style, method))
                row.append(f"{t:6.2f} ({cpu:5.2f})")
            print(f"{style.value:10s} {row[0]:>15s} {row[1]:>15s} {row[2]:>15s}")
        print(f"load now {load_average()}")


if __name__ == "__main__":
    main()
