"""Issue 2 benchmark: GET /v1/auth/me through Envoy (REST, JWT checked twice) vs the same RPC over
direct gRPC, in the same run; plus the cost of one password hash (what login is dominated by).

    python bench/auth_me.py [--serial 2000] [--seconds 5]

Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc
import httpx

from bench._http import RawHttpClient
from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from services.auth.domain.passwords import Argon2Params, Passwords


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def serial(call, n: int) -> dict:
    for _ in range(50):
        await call()
    lat = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        await call()
        lat.append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - start
    return {"rps": n / wall, "p50": statistics.median(lat), "p99": pct(lat, 0.99)}


async def concurrent(make_worker, in_flight: int, seconds: float) -> dict:
    lat: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker():
        call = await make_worker()
        while time.perf_counter() < stop:
            t = time.perf_counter()
            await call()
            lat.append((time.perf_counter() - t) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    wall = time.perf_counter() - start
    return {"rps": len(lat) / wall, "p50": statistics.median(lat), "p99": pct(lat, 0.99)}


async def run(mesh: Mesh, token: str, n_serial: int, seconds: float) -> dict:
    metadata = (("authorization", f"Bearer {token}"),)
    channel = grpc.aio.insecure_channel(mesh.target("auth"))
    stub = auth_pb2_grpc.AuthServiceStub(channel)
    request = auth_pb2.GetMeRequest()

    async def grpc_call():
        await stub.GetMe(request, metadata=metadata)

    headers = {"Authorization": f"Bearer {token}"}
    rest = RawHttpClient("127.0.0.1", mesh.config.listen_port)
    await rest.connect()

    async def rest_call():
        status, _ = await rest.get("/v1/auth/me", headers)
        assert status == 200, status

    async def make_grpc():
        return grpc_call

    async def make_rest():
        client = RawHttpClient("127.0.0.1", mesh.config.listen_port)
        await client.connect()

        async def call():
            status, _ = await client.get("/v1/auth/me", headers)
            assert status == 200

        return call

    results = {
        "grpc_serial": await serial(grpc_call, n_serial),
        "rest_serial": await serial(rest_call, n_serial),
        "grpc_32": await concurrent(make_grpc, 32, seconds),
        "rest_32": await concurrent(make_rest, 32, seconds),
    }
    await channel.close()
    await rest.close()
    return results


def hash_cost() -> tuple[Argon2Params, float]:
    params = Argon2Params()
    pw = Passwords(params)
    times = []
    for _ in range(10):
        t = time.perf_counter()
        pw.hash("correct horse battery staple")
        times.append((time.perf_counter() - t) * 1000)
    return params, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serial", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    registry = load_registry()
    workdir = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    config = MeshConfig(
        workdir=workdir,
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        services=["gateway", "auth"],
        rate_limit_per_minute=100_000,
    )
    mesh = Mesh(registry, config)
    mesh.start(60)
    try:
        with httpx.Client(base_url=mesh.base_url) as c:
            c.post("/v1/auth/register", json={"email": "bench@example.com", "password": "benchmark pw"})
            t = time.perf_counter()
            login = c.post("/v1/auth/login", json={"email": "bench@example.com", "password": "benchmark pw"})
            login_ms = (time.perf_counter() - t) * 1000
            token = login.json()["accessToken"]
        results = asyncio.run(run(mesh, token, args.serial, args.seconds))
    finally:
        mesh.stop()
    params, hash_ms = hash_cost()
    ratio = results["rest_32"]["rps"] / results["grpc_32"]["rps"]
    print(f"\n### GET /v1/auth/me — {date.today()} — {platform.node()}, {os.cpu_count()} vCPU, Envoy --concurrency 1\n")
    print("| path | serial req/s | serial p50 ms | serial p99 ms | 32 in flight req/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, label in (("grpc", "gRPC direct to auth"), ("rest", "REST through Envoy (JWT at Envoy and service)")):
        s, c = results[f"{name}_serial"], results[f"{name}_32"]
        print(
            f"| {label} | {s['rps']:.0f} | {s['p50']:.2f} | {s['p99']:.2f} "
            f"| {c['rps']:.0f} | {c['p50']:.2f} | {c['p99']:.2f} |"
        )
    print(
        f"\nREST/gRPC throughput at 32 in flight: {ratio:.0%} (target >= 70%); REST serial p50 "
        f"{results['rest_serial']['p50']:.2f} ms (target <= 1.5 ms)."
    )
    print(
        f"Password hashing: argon2id t={params.time_cost}, m={params.memory_kib} KiB, p={params.parallelism}: "
        f"{hash_ms:.1f} ms per hash (median of 10); one login through Envoy took {login_ms:.1f} ms."
    )


if __name__ == "__main__":
    main()
