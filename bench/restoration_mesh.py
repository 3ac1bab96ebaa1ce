"""Issue 8 benchmark: the restoration service end to end through Envoy (REST), against the same work done
by the domain in this process, in the same run.

    python bench/restoration_mesh.py [--repeat 3] [--threads 2]

A fresh mesh on SQLite (gateway, auth, storage, restoration, Envoy --concurrency 1); one user. Per case:
- service: POST /v1/restorations, then the NDJSON watch until SUCCEEDED (upload of the source not counted;
  download, decode, pipeline, encode, upload of the result and the job's queueing all counted), and the
  pipeline's own step time as the service reported it (step_timings);
- domain: `run_restoration` on the same pixels in this process (the floor: the models alone);
- DetectFaces (HOG) through Envoy vs the detector called here; GET /v1/restoration/models as the floor of a
  request. onnxruntime threads are the same on both sides (RESTORATION_ORT_THREADS). Prints Markdown.
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
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import httpx
import numpy as np
import skimage.data
from PIL import Image

from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def cases() -> list[tuple[str, np.ndarray, list[dict]]]:
    astronaut = skimage.data.astronaut()
    rng = np.random.default_rng(0)
    big = cv2.resize(skimage.data.coffee(), (1000, 1000), interpolation=cv2.INTER_AREA)
    noisy = np.clip(big + rng.normal(0, 25, big.shape), 0, 255).astype(np.uint8)
    return [
        ("x2 512x512 -> 1024x1024", astronaut, [{"upscale": {"factor": 2}}]),
        ("x4 256x256 -> 1024x1024", astronaut[::2, ::2].copy(), [{"upscale": {"factor": 4}}]),
        ("denoise 1000x1000 (sigma 25 given)", noisy, [{"denoise": {"sigma": 25}}]),
        ("face enhance 512x512", astronaut, [{"face_enhance": {}}]),
    ]


def domain_seconds(pixels: np.ndarray, steps: list[dict], repeat: int) -> list[float]:
    from services.restoration.adapters.model_registry import ModelRegistry
    from services.restoration.domain.pipeline import RestorationRequest, RestorationTools, parse_steps, run_restoration
    from services.restoration.faces import FaceDetectors

    tools = RestorationTools(models=ModelRegistry(), face_detector=FaceDetectors(0.3).get("hog"))
    request = RestorationRequest(parse_steps(steps))
    run_restoration(pixels, request, tools)  # warm-up: sessions load lazily
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        run_restoration(pixels, request, tools)
        out.append(time.perf_counter() - t)
    return out


def service_seconds(client: httpx.Client, auth: dict, image_id: str, steps: list[dict], repeat: int):
    def once() -> tuple[float, float]:
        t = time.perf_counter()
        r = client.post("/v1/restorations", json={"imageId": image_id, "steps": steps}, headers=auth)
        r.raise_for_status()
        rid = r.json()["restoration"]["id"]
        last = None
        with client.stream("GET", f"/v1/restorations/{rid}:watch", headers=auth) as stream:
            for line in stream.iter_lines():
                if line.strip():
                    last = json.loads(line)["restoration"]
        assert last["status"]["state"] == "JOB_STATE_SUCCEEDED", last
        return time.perf_counter() - t, sum(s["seconds"] for s in last["stepTimings"])

    once()  # warm-up
    runs = [once() for _ in range(repeat)]
    return [a for a, _ in runs], [b for _, b in runs]


def median_min(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} | {min(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads, both sides")
    args = parser.parse_args()
    os.environ["RESTORATION_ORT_THREADS"] = str(args.threads)

    registry = load_registry()
    config = MeshConfig(
        workdir=Path(tempfile.mkdtemp(prefix="bench-restoration-")),
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        services=["gateway", "auth", "storage", "restoration"],
        rate_limit_per_minute=100_000,
        extra_env={"IMAGEMESH_ACCESS_LOG": "false", "RESTORATION_ORT_THREADS": str(args.threads)},
    )
    mesh = Mesh(registry, config)
    mesh.start(90)
    rows = []
    try:
        client = httpx.Client(base_url=mesh.base_url, timeout=300)
        client.post("/v1/auth/register", json={"email": "bench@example.com", "password": "benchmark pw"})
        login = client.post("/v1/auth/login", json={"email": "bench@example.com", "password": "benchmark pw"})
        client.cookies.clear()
        auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        for name, pixels, steps in cases():
            up = client.post("/v1/images", content=png(pixels), headers={**auth, "Content-Type": "image/png"})
            image_id = up.json()["image"]["id"]
            total, pipeline = service_seconds(client, auth, image_id, steps, args.repeat)
            direct = domain_seconds(pixels, steps, args.repeat)
            rows.append((name, median_min(total), median_min(pipeline), median_min(direct)))

        astronaut_id = client.post(
            "/v1/images", content=png(skimage.data.astronaut()), headers={**auth, "Content-Type": "image/png"}
        ).json()["image"]["id"]

        def faces() -> None:
            client.post(f"/v1/images/{astronaut_id}:detectFaces", json={}, headers=auth).raise_for_status()

        def models() -> None:
            client.get("/v1/restoration/models", headers=auth).raise_for_status()

        timed = {}
        for label, fn in (("faces", faces), ("models", models)):
            fn()
            samples = []
            for _ in range(max(args.repeat, 5)):
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
            timed[label] = samples
        from services.restoration.faces import FaceDetectors

        detector = FaceDetectors(0.3).get("hog")
        detector.detect_faces(skimage.data.astronaut())
        direct_faces = []
        for _ in range(max(args.repeat, 5)):
            t = time.perf_counter()
            detector.detect_faces(skimage.data.astronaut())
            direct_faces.append(time.perf_counter() - t)
    finally:
        mesh.stop()

    load = os.getloadavg()
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} CPUs (shared), "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; onnxruntime threads {args.threads}; "
        f"median | min of {args.repeat} after a warm-up; seconds.\n"
    )
    print(
        "| case | service end to end (REST create -> watch SUCCEEDED): median | min | pipeline inside the service: "
        "median | min | domain in-process (baseline): median | min |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, total, pipeline, direct in rows:
        print(f"| {name} | {total} | {pipeline} | {direct} |")
    print(f"| DetectFaces HOG 512x512 (REST) | {median_min(timed['faces'])} | | | {median_min(direct_faces)} |")
    print(f"| GET /v1/restoration/models (REST floor) | {median_min(timed['models'])} | | | | |")


if __name__ == "__main__":
    main()
