"""Issue 4 benchmark, the service part: a 2 MP sketch end to end through Envoy (upload, create, watch to the
end, download), and throughput with 8 sketches in flight; each next to the bare render of the same image in
this process (the baseline, measured in the same run).

    python bench/sketch_e2e.py [--repeats 5] [--combos PENCIL/BASIC,WATERCOLOR/ADVANCED] [--flight 8]

The whole mesh (auth, gateway, storage, sketch, Envoy --concurrency 1; SQLite) is started by the launcher on
free ports. Prints Markdown for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import httpx
import numpy as np
from PIL import Image
from skimage import data as skdata

from bench.storage_roundtrip import login, start_mesh
from services.sketch.domain import render_sketch

TWO_MP = 2_000_000


def photo_2mp() -> np.ndarray:
    image = skdata.coffee()
    scale = (TWO_MP / (image.shape[0] * image.shape[1])) ** 0.5
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)


def jpeg(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=90)
    return out.getvalue()


def bare_render(pixels: np.ndarray, style: str, method: str) -> float:
    t0 = time.perf_counter()
    render_sketch(pixels, style, method)
    return time.perf_counter() - t0


def one_sketch(client: httpx.Client, headers: dict, data: bytes, style: str, method: str) -> dict:
    """Upload, create, watch to the final state, download: phase times in seconds."""
    t0 = time.perf_counter()
    r = client.post("/v1/images", content=data, headers={**headers, "Content-Type": "image/jpeg"})
    r.raise_for_status()
    image_id = r.json()["image"]["id"]
    t1 = time.perf_counter()
    r = client.post("/v1/sketches", json={"imageId": image_id, "style": style, "method": method}, headers=headers)
    r.raise_for_status()
    sketch_id = r.json()["sketch"]["id"]
    t2 = time.perf_counter()
    last = None
    with client.stream("GET", f"/v1/sketches/{sketch_id}:watch", headers=headers) as stream:
        for line in stream.iter_lines():
            if line.strip():
                last = json.loads(line)["sketch"]
    t3 = time.perf_counter()
    assert last and last["status"]["state"] == "JOB_STATE_SUCCEEDED", last
    body = client.get(f"/v1/images/{last['resultImageId']}/content", headers=headers)
    body.raise_for_status()
    t4 = time.perf_counter()
    return {
        "upload": t1 - t0,
        "create": t2 - t1,
        "watch": t3 - t2,
        "download": t4 - t3,
        "total": t4 - t0,
        "id": sketch_id,
        "result": last["resultImageId"],
        "bytes": len(body.content),
    }


def in_flight(base_url: str, headers: dict, data: bytes, style: str, method: str, n: int) -> tuple[float, list[dict]]:
    def run(_: int) -> dict:
        with httpx.Client(base_url=base_url, timeout=600) as client:
            return one_sketch(client, headers, data, style, method)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(run, range(n)))
    return time.perf_counter() - t0, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--combos", default="PENCIL/BASIC,WATERCOLOR/ADVANCED")
    parser.add_argument("--flight", type=int, default=8)
    parser.add_argument("--flight-combo", default="INK/BASIC")
    args = parser.parse_args()
    pixels = photo_2mp()
    data = jpeg(pixels)
    combos = [tuple(c.split("/")) for c in args.combos.split(",")]
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sketch-") as tmp:
        mesh = start_mesh(Path(tmp), {})
        try:
            token = login(mesh)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=mesh.base_url, timeout=600) as client:
                one_sketch(client, headers, data, "PENCIL", "BASIC")  # warm-up (imports, caches, connections)
                for style, method in combos:
                    bare = [bare_render(pixels, style, method) for _ in range(args.repeats)]
                    runs = [one_sketch(client, headers, data, style, method) for _ in range(args.repeats)]
                    rows.append((f"{style}/{method}", bare, runs))
            style, method = args.flight_combo.split("/")
            bare_flight = [bare_render(pixels, style, method) for _ in range(3)]
            elapsed, results = in_flight(mesh.base_url, headers, data, style, method, args.flight)
            with httpx.Client(base_url=mesh.base_url, timeout=60) as client:
                listed = client.get("/v1/sketches", params={"page_size": 200}, headers=headers).json()["sketches"]
                images = client.get("/v1/images", params={"page_size": 200}, headers=headers).json()["images"]
        finally:
            mesh.stop()
    load_after = os.getloadavg()

    med = statistics.median
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} vCPUs **shared**, Python {platform.python_version()}, "
        f"{started:%Y-%m-%d %H:%M} UTC; load average {load_before[0]:.1f} before / {load_after[0]:.1f} after. "
        f"Image: skimage coffee at {pixels.shape[1]}x{pixels.shape[0]} ({pixels.shape[0] * pixels.shape[1] / 1e6:.1f}"
        f" MP), JPEG q90 {len(data) / 1e6:.2f} MB; SQLite; sketch worker concurrency = cores.\n"
    )
    print(f"### End to end through Envoy, {args.repeats} runs each (p50, min in brackets)\n")
    print(
        "| combination | bare render s (baseline) | upload s | create s | watch to end s | download s | total p50 s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, bare, runs in rows:
        cols = [f"{med([r[k] for r in runs]):.3f}" for k in ("upload", "create", "watch", "download")]
        total = [r["total"] for r in runs]
        print(
            f"| {name} | {med(bare):.3f} ({min(bare):.3f}) | {' | '.join(cols)} "
            f"| **{med(total):.3f}** ({min(total):.3f}) |"
        )
    ids = {r["id"] for r in results}
    result_ids = {r["result"] for r in results}
    finals = [s for s in listed if s["id"] in ids]
    sketches_stored = [i for i in images if i["kind"] == "sketch" and i["id"] in result_ids]
    ok = len(ids) == args.flight and len(result_ids) == args.flight and len(sketches_stored) == args.flight
    ok = ok and all(s["status"]["state"] == "JOB_STATE_SUCCEEDED" and s["status"]["attempts"] == 1 for s in finals)
    print(f"\n### {args.flight} sketches in flight ({style}/{method}, each: upload, create, watch, download)\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| wall time for all {args.flight} s | {elapsed:.2f} |")
    print(f"| throughput jobs/s | **{args.flight / elapsed:.2f}** |")
    print(
        f"| per sketch p50 / max s | {med([r['total'] for r in results]):.2f} "
        f"/ {max(r['total'] for r in results):.2f} |"
    )
    ideal = (os.cpu_count() or 1) / med(bare_flight)
    print(f"| baseline: bare render jobs/s if all cores rendered ({med(bare_flight):.3f} s each) | {ideal:.2f} |")
    print(
        f"| sketches / distinct results / result images in storage / all SUCCEEDED on 1st attempt | "
        f"{len(ids)} / {len(result_ids)} / {len(sketches_stored)} / {'yes' if ok else 'NO'} |"
    )


if __name__ == "__main__":
    main()
