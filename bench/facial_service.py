"""Issue 7 benchmark: the facial service in the mesh (auth + facial + Envoy started by the launcher).

    python bench/facial_service.py [--n 20] [--pg]   (--pg: PostgreSQL from IMAGEMESH_TEST_PG_URL)

Input: scikit-image's astronaut upscaled to 1024x1024 (1.05 MP), sent as JPEG q90. Rows, same run:
- server time (the service's own timer around decode + pipeline, from GetCacheStats) and the latency
  of direct gRPC for: given landmarks (cache misses: the landmarks move by 0.01 px per request, which
  changes the parameter hash), automatic landmarks (misses: the margin changes per request), cache hits
  (the same request repeated, then a JPEG q80 re-encode);
- end to end through Envoy (REST): the synchronous :compute, and the async path (POST a job, then
  GET :watch until its final state), both with given landmarks and cache misses;
- baseline: the same synchronous request over direct gRPC (no Envoy, no JSON/base64).
Prints Markdown for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import grpc
import httpx
import numpy as np
from skimage import data

from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from imagemesh_kit.testing import drop_pg_schema, pg_url
from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.domain import ContourParams, InMemoryLruStore, PerceptualCache, compute_contours_from_bytes


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far (ms), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def domain_baseline(jpeg: bytes, lm, n: int) -> tuple[float, float]:
    """The same work in this process, no gRPC/DB (median wall ms, median thread CPU ms): the baseline."""
    params = ContourParams.create(output_formats=["svg", "json"])
    cache = PerceptualCache(InMemoryLruStore())
    wall, cpu = [], []
    for i in range(n + 1):
        t, c = time.perf_counter(), time.thread_time()
        compute_contours_from_bytes(jpeg, params, cache, lm + 0.01 * (i + 1))
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return statistics.median(wall[1:]), statistics.median(cpu[1:])


def summary(lat: list[float]) -> str:
    return f"{statistics.median(lat):.1f} | {pct(lat, 0.9):.1f}"


def picture() -> tuple[bytes, bytes, np.ndarray]:
    image = cv2.resize(data.astronaut(), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    jpeg90 = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    jpeg80 = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
    landmarks = shared_detector().detect(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))[0].landmarks
    return jpeg90, jpeg80, landmarks


async def timed(call, n: int) -> list[float]:
    lat = []
    for i in range(n):
        t = time.perf_counter()
        await call(i)
        lat.append((time.perf_counter() - t) * 1000)
    return lat


async def run(mesh: Mesh, token: str, n: int) -> dict:
    jpeg90, jpeg80, lm = picture()
    md = (("authorization", f"Bearer {token}"),)
    channel = grpc.aio.insecure_channel(mesh.target("facial"), options=[("grpc.max_receive_message_length", 32 << 20)])
    stub = facial_pb2_grpc.FacialServiceStub(channel)
    fmts = ["svg", "json"]
    counter = iter(range(1, 10**6))

    def pts(shift: float) -> list[facial_pb2.Point]:
        return [facial_pb2.Point(x=float(x) + shift, y=float(y)) for x, y in lm]

    async def stats() -> facial_pb2.GetCacheStatsResponse:
        return await stub.GetCacheStats(facial_pb2.GetCacheStatsRequest(), metadata=md)

    pid = mesh.procs["facial"].pid

    async def server_ms(phase) -> tuple[list[float], float, float]:
        """Client latencies of `phase`, the server's mean wall time for them (its own counters) and the
        facial process's CPU time per request (from /proc: less disturbed by the other workers)."""
        before = await stats()
        cpu0 = cpu_ms(pid)
        lat = await phase()
        cpu = (cpu_ms(pid) - cpu0) / len(lat)
        after = await stats()
        hits, misses = after.hits - before.hits, after.misses - before.misses
        if hits and not misses:
            total = after.mean_hit_ms * after.hits - before.mean_hit_ms * before.hits
            return lat, total / hits, cpu
        total = after.mean_miss_ms * after.misses - before.mean_miss_ms * before.misses
        return lat, total / max(1, misses), cpu

    async def given(i):
        req = facial_pb2.ComputeContoursRequest(image=jpeg90, landmarks=pts(next(counter) * 0.01), output_formats=fmts)
        r = await stub.ComputeContours(req, metadata=md)
        assert not r.result.from_cache

    async def given_png(i):
        req = facial_pb2.ComputeContoursRequest(
            image=jpeg90, landmarks=pts(next(counter) * 0.01), output_formats=["svg", "json", "png"]
        )
        await stub.ComputeContours(req, metadata=md)

    async def auto(i):
        req = facial_pb2.ComputeContoursRequest(image=jpeg90, output_formats=fmts, margin=0.25 + next(counter) * 1e-4)
        r = await stub.ComputeContours(req, metadata=md)
        assert not r.result.from_cache

    hit_req = facial_pb2.ComputeContoursRequest(image=jpeg90, landmarks=pts(0.0), output_formats=fmts)
    await stub.ComputeContours(hit_req, metadata=md)  # fills the cache entry (and warms the detector below)
    await stub.ComputeContours(facial_pb2.ComputeContoursRequest(image=jpeg90, output_formats=fmts), metadata=md)

    async def hit(i):
        r = await stub.ComputeContours(hit_req, metadata=md)
        assert r.result.from_cache

    async def hit_reencoded(i):
        req = facial_pb2.ComputeContoursRequest(image=jpeg80, landmarks=pts(0.0), output_formats=fmts)
        r = await stub.ComputeContours(req, metadata=md)
        assert r.result.from_cache

    out = {
        "given": await server_ms(lambda: timed(given, n)),
        "given_png": await server_ms(lambda: timed(given_png, n)),
        "auto": await server_ms(lambda: timed(auto, n)),
        "hit": await server_ms(lambda: timed(hit, n)),
        "hit_reencoded": await server_ms(lambda: timed(hit_reencoded, n)),
    }

    headers = {"Authorization": f"Bearer {token}"}
    b64 = base64.b64encode(jpeg90).decode()
    async with httpx.AsyncClient(base_url=mesh.base_url, headers=headers, timeout=60) as client:

        def body(i) -> dict:
            shift = next(counter) * 0.01
            return {
                "image": b64,
                "landmarks": [{"x": float(x) + shift, "y": float(y)} for x, y in lm],
                "outputFormats": fmts,
            }

        async def rest_sync(i):
            r = await client.post("/v1/facial/contours:compute", json=body(i))
            assert r.status_code == 200, r.text

        async def rest_async(i):
            r = await client.post("/v1/facial/contours", json=body(i))
            assert r.status_code == 200, r.text
            job_id = r.json()["contourJob"]["id"]
            last = None
            async with client.stream("GET", f"/v1/facial/contours/{job_id}:watch") as s:
                async for line in s.aiter_lines():
                    if line.strip():
                        last = json.loads(line)
            assert last["contourJob"]["status"]["state"] == "JOB_STATE_SUCCEEDED", last

        await rest_sync(0)
        out["rest_sync"] = await timed(rest_sync, n)
        out["grpc_sync"] = await timed(given, n)  # baseline, same run: no Envoy, no JSON
        out["rest_async"] = await timed(rest_async, n)
    await channel.close()
    out["domain"] = domain_baseline(jpeg90, lm, n)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (IMAGEMESH_TEST_PG_URL) instead of SQLite")
    args = parser.parse_args()
    registry = load_registry()
    prefix = f"bench{uuid.uuid4().hex[:6]}_"
    config = MeshConfig(
        pg_url=pg_url() if args.pg else None,
        pg_schema_prefix=prefix if args.pg else "",
        workdir=Path(tempfile.mkdtemp(prefix="bench-facial-")),
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        services=["gateway", "auth", "facial"],
        rate_limit_per_minute=100_000,
    )
    mesh = Mesh(registry, config)
    mesh.start(90)
    try:
        with httpx.Client(base_url=mesh.base_url) as c:
            c.post("/v1/auth/register", json={"email": "bench@example.com", "password": "benchmark pw"})
            mesh.create_admin("bench@example.com", "benchmark pw")  # GetCacheStats (server timings) is admin-only
            login = c.post("/v1/auth/login", json={"email": "bench@example.com", "password": "benchmark pw"})
            token = login.json()["accessToken"]
        load = os.getloadavg()[0]
        r = asyncio.run(run(mesh, token, args.n))
        load_after = os.getloadavg()[0]
    finally:
        mesh.stop()
        if args.pg:
            for name in ("auth", "facial"):
                drop_pg_schema(config.pg_url, f"{prefix}{name}")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n### {now} — {platform.node()}, {os.cpu_count()} vCPU (shared), load {load:.1f} -> {load_after:.1f}, "
        f"n={args.n}, {'PostgreSQL' if args.pg else 'SQLite'}\n"
    )
    print(
        "| path (1024x1024 JPEG, SVG+JSON) | server wall ms (mean) | server CPU ms/req | client p50 ms "
        "| client p90 ms | target |"
    )
    print("|---|---|---|---|---|---|")
    rows = [
        ("given landmarks, gRPC direct", "given", "<= 50 server"),
        ("given landmarks + 10 PNG masks, gRPC direct", "given_png", "-"),
        ("automatic landmarks (dlib), gRPC direct", "auto", "<= 300 server"),
        ("cache hit, same bytes, gRPC direct", "hit", "<= 10 server"),
        ("cache hit, JPEG q80 re-encode, gRPC direct", "hit_reencoded", "<= 10 server"),
    ]
    for label, key, target in rows:
        lat, server, cpu = r[key]
        print(f"| {label} | {server:.1f} | {cpu:.1f} | {summary(lat)} | {target} |")
    wall, cpu = r["domain"]
    print(
        f"| baseline: domain only in the bench process (no gRPC, no DB), given landmarks | {wall:.1f} (p50) "
        f"| {cpu:.1f} (p50) | - | - | - |"
    )
    for label, key in (
        ("sync :compute through Envoy (REST, base64 JSON)", "rest_sync"),
        ("baseline: the same sync call, gRPC direct", "grpc_sync"),
        ("async: POST job + :watch to the end, through Envoy", "rest_async"),
    ):
        print(f"| {label} | - | - | {summary(r[key])} | report |")


if __name__ == "__main__":
    main()
