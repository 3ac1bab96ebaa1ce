"""Where a comparison leaves the machine's cores idle: busy cores over the request's time, through the real mesh.

    .venv/bin/python bench/quality_utilisation.py [--candidate noisy|blurred|low-contrast] [--requests 25]

Starts gateway + auth + storage + quality + Envoy (SQLite), uploads the 2 MP reference and one degraded
candidate of bench/quality_service.py, then sends comparisons (level 1) one at a time with a 150 ms pause
between them, while a thread samples the machine's CPU counters (/proc/stat, every 2 ms). For each 10 ms
since a request was sent it prints the median number of busy cores over the requests (machine-wide: the
quality and storage processes, Envoy, and this client) - a phase that shows fewer busy cores than the
machine has is work that runs alone. Linux only.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import numpy as np

from bench.quality_service import CANDIDATE_NAMES, candidates, photo, start_quality_mesh, upload_png

BIN_S = 0.010
SAMPLE_S = 0.002


class CpuSampler:
    """(time, idle ticks, total ticks) of the whole machine every SAMPLE_S, on a thread."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with open("/proc/stat") as f:
                ticks = list(map(int, f.readline().split()[1:9]))
            self.samples.append((time.perf_counter(), ticks[3] + ticks[4], sum(ticks)))
            time.sleep(SAMPLE_S)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def busy_cores(samples: list[tuple[float, int, int]], start: float, bins: int) -> np.ndarray:
    """Busy cores in each BIN_S after `start`, from the cumulative counters (linearly interpolated)."""
    s = np.array(samples, dtype=np.float64)
    edges = start + np.arange(bins + 1) * BIN_S
    idle = np.interp(edges, s[:, 0], s[:, 1])
    total = np.interp(edges, s[:, 0], s[:, 2])
    return (1.0 - np.diff(idle) / np.maximum(np.diff(total), 1e-9)) * (os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidate", choices=list(CANDIDATE_NAMES), default="noisy")
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    mesh = start_quality_mesh("bench-utilisation-")
    spans: list[tuple[float, float, float]] = []
    try:
        with httpx.Client(base_url=mesh.base_url, timeout=60) as client:
            client.post("/v1/auth/register", json={"email": "util@example.com", "password": "benchmark pw"})
            login = client.post("/v1/auth/login", json={"email": "util@example.com", "password": "benchmark pw"})
            headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}

            ref = photo((1633, 1225))
            candidate = candidates(ref)[CANDIDATE_NAMES[args.candidate]]
            ids = upload_png(client, headers, ref), upload_png(client, headers, candidate)
            body = {"image1Id": ids[0], "image2Id": ids[1], "enhancementLevel": 1.0}

            def call() -> float:
                r = client.post("/v1/comparisons", json=body, headers=headers)
                assert r.status_code == 200, r.text
                return r.json()["comparison"]["processingTimeMs"]

            for _ in range(3):
                call()  # warm-up
            with CpuSampler() as sampler:
                for _ in range(args.requests):
                    time.sleep(0.15)
                    sent = time.perf_counter()
                    server_ms = call()
                    spans.append((sent, time.perf_counter(), server_ms))
    finally:
        mesh.stop()
    typical = float(np.median([end - sent for sent, end, _ in spans]))
    bins = int(typical / BIN_S) + 2  # past the typical request, bins would mix in the pauses between requests
    profile = np.median([busy_cores(sampler.samples, sent, bins) for sent, _, _ in spans], axis=0)
    server = np.median([ms for _, _, ms in spans])
    client_ms = np.median([(end - sent) * 1000 for sent, end, _ in spans])
    cores = os.cpu_count()
    print(f"candidate {args.candidate}: {args.requests} comparisons, server processing_time_ms p50 {server:.0f}, "
          f"client p50 {client_ms:.0f}; busy cores of {cores}, median of the requests, per 10 ms:")  # fmt: skip
    for i, busy in enumerate(profile):
        print(f"{i * 10:4d}-{i * 10 + 10:4d} ms  {busy:4.2f}  {'#' * round(busy * 20)}")


if __name__ == "__main__":
    main()
