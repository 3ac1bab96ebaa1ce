"""CPU cost of one comparison, single-threaded: the number that the machine's speed swings disturb least.

    PYTHONPATH=libs:. .venv/bin/python bench/quality_cpu.py [--requests 8]

What a comparison request computes - decode the two PNGs, `compare()` at level 1, encode the enhanced result - on
one thread (OpenCV on one thread, the domain's pool off; only the PNG writer keeps its two slices), for the three
candidates of bench/quality_service.py; the median and min process CPU time per request. Storage, gRPC and Envoy
are not in it (bench/quality_service.py has the whole request). To compare two versions, run this in a worktree of
each, alternately, a few rounds (the machine's spells move both the same way within a minute); a worktree needs its
generated code and kernels (`make setup`):

    git worktree add -f /tmp/base <rev> --detach && make -C /tmp/base setup
    for i in 1 2 3; do for d in /tmp/base .; do
        (cd $d && PYTHONPATH=libs:libs/gen:. .venv/bin/python bench/quality_cpu.py); done; done

Steadier still: both at the same time, one per core (each is single-threaded), so that both see the same spell:

    for i in 1 2 3; do for d in /tmp/base .; do
        (cd $d && PYTHONPATH=libs:libs/gen:. .venv/bin/python bench/quality_cpu.py) & done; wait; done
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2
import numpy as np

from bench.quality_service import candidates, compare_in_process, encode, photo
from imagemesh_kit.memory import keep_large_buffers
from services.quality.domain import parallel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=8)
    args = parser.parse_args()
    keep_large_buffers()  # as the service runs
    cv2.setNumThreads(1)
    parallel.WORKERS = 1  # the domain's pool runs its tasks inline
    ref = photo((1633, 1225))
    ref_png = encode(ref, ".png", cv2.IMWRITE_PNG_COMPRESSION, 1)
    cells = []
    for label, cand in candidates(ref).items():
        cand_png = encode(cand, ".png", cv2.IMWRITE_PNG_COMPRESSION, 1)
        compare_in_process(ref_png, cand_png)  # warm-up
        cpu = []
        for _ in range(args.requests):
            t = time.process_time()
            compare_in_process(ref_png, cand_png)
            cpu.append((time.process_time() - t) * 1000.0)
        cells.append(f"{label} {np.median(cpu):.0f} (min {min(cpu):.0f})")
    print("single-threaded CPU ms per comparison, median (min): " + "; ".join(cells))


if __name__ == "__main__":
    main()
