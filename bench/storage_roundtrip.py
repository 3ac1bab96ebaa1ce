"""Issue 3 benchmark: a 20 MB image uploaded and downloaded through the running mesh (local backend, then
S3 on moto_server), by gRPC streaming (direct and through Envoy) and by REST through Envoy; the store alone
(put + read, no gRPC, no validation) as the baseline in the same run; and the storage process's peak RSS
while it receives a 25 MiB image.

    python bench/storage_roundtrip.py [--repeats 3] [--skip-s3] [--rest-first]

The images are RGB noise PNGs (uncompressed IDAT), so every byte is real image data.
MB = 10^6 bytes. Round trip MB/s = size / (upload time + download time). Prints Markdown for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc
import httpx

from imagemesh.storage.v1 import storage_pb2, storage_pb2_grpc
from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.tests.harness import png_of_size

MIB = 1024 * 1024
SIZE = 20_000_000
CHUNK = MIB
OPTIONS = [("grpc.max_receive_message_length", 64 * MIB), ("grpc.max_send_message_length", 64 * MIB)]


def noise_png(max_bytes: int) -> bytes:
    """A real RGB PNG of random pixels (stored uncompressed, so about 3 bytes a pixel) just under `max_bytes`,
    with Pillow's usual 64 KiB IDAT chunks."""
    import numpy as np
    from PIL import Image

    side = int((max_bytes / 3) ** 0.5)
    while True:
        pixels = np.random.default_rng(side).integers(0, 256, (side, side, 3), dtype=np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, format="PNG", compress_level=0)
        if out.tell() <= max_bytes:
            return out.getvalue()
        side -= 8


def start_mesh(workdir: Path, extra_env: dict[str, str]) -> Mesh:
    registry = load_registry()
    config = MeshConfig(
        workdir=workdir,
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        rate_limit_per_minute=10_000,
        extra_env={"IMAGEMESH_ACCESS_LOG": "false", **extra_env},
    )
    mesh = Mesh(registry, config)
    mesh.start(timeout_s=90)
    return mesh


def login(mesh: Mesh) -> str:
    with httpx.Client(base_url=mesh.base_url, timeout=30) as client:
        body = {"email": f"bench-{time.time_ns()}@example.com", "password": "correct horse battery"}
        client.post("/v1/auth/register", json=body).raise_for_status()
        return client.post("/v1/auth/login", json=body).json()["accessToken"]


async def grpc_round_trip(target: str, token: str, data: bytes) -> tuple[float, float]:
    md = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(target, options=OPTIONS) as channel:
        stub = storage_pb2_grpc.StorageServiceStub(channel)

        async def messages():
            yield storage_pb2.UploadImageRequest(metadata=storage_pb2.ImageMetadata(filename="bench.png"))
            view = memoryview(data)
            for i in range(0, len(data), CHUNK):
                yield storage_pb2.UploadImageRequest(chunk=bytes(view[i : i + CHUNK]))

        t0 = time.perf_counter()
        image = (await stub.UploadImage(messages(), metadata=md)).image
        t1 = time.perf_counter()
        parts = [
            m.chunk async for m in stub.DownloadImage(storage_pb2.DownloadImageRequest(image_id=image.id), metadata=md)
        ]
        t2 = time.perf_counter()
        assert hashlib.sha256(b"".join(parts)).hexdigest() == image.sha256
        await stub.DeleteImage(storage_pb2.DeleteImageRequest(image_id=image.id), metadata=md)
    return t1 - t0, t2 - t1


def rest_round_trip(base_url: str, token: str, data: bytes) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=120) as client:
        t0 = time.perf_counter()
        r = client.post("/v1/images", content=data, headers={**headers, "Content-Type": "image/png"})
        t1 = time.perf_counter()
        r.raise_for_status()
        image = r.json()["image"]
        t2 = time.perf_counter()
        body = client.get(f"/v1/images/{image['id']}/content", headers=headers).content
        t3 = time.perf_counter()
        assert hashlib.sha256(body).hexdigest() == image["sha256"]
        client.delete(f"/v1/images/{image['id']}", headers=headers).raise_for_status()
    return t1 - t0, t3 - t2


async def store_round_trip(root: Path, data: bytes) -> tuple[float, float]:
    store = LocalBlobStore(root)
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    t0 = time.perf_counter()
    sha, _ = await store.put_stream(chunks)
    t1 = time.perf_counter()
    got = [c async for c in store.read_stream(sha, CHUNK)]
    t2 = time.perf_counter()
    assert sum(map(len, got)) == len(data)
    await store.delete(sha)
    return t1 - t0, t2 - t1


def rss_kib(pid: int) -> tuple[int, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def peak_rss_during(pid: int, action) -> tuple[int, int]:
    """(RSS before, peak RSS while `action` runs) in KiB: VmHWM reset via clear_refs, plus 2 ms sampling."""
    before = rss_kib(pid)[0]
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid)[0])
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    return before, max(peak[0], rss_kib(pid)[1])


def measure(label: str, runs: list[tuple[float, float]]) -> dict:
    totals = [u + d for u, d in runs]
    best = min(range(len(runs)), key=lambda i: totals[i])
    up, down = runs[best]
    return {
        "label": label,
        "up": SIZE / up / 1e6,
        "down": SIZE / down / 1e6,
        "rt": SIZE / totals[best] / 1e6,
        "rt_median": SIZE / statistics.median(totals) / 1e6,
    }


def start_moto(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (workdir / "moto.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def run_backend(
    name: str, workdir: Path, env: dict[str, str], data: bytes, repeats: int, rest_first: bool = False
) -> tuple[list[dict], dict]:
    mesh = start_mesh(workdir, env)
    try:
        token = login(mesh)
        asyncio.run(grpc_round_trip(mesh.target("storage"), token, png_of_size(200_000)))  # warm-up
        # Memory first, on a process that has only served the warm-up (the runs below fragment its heap).
        pid = mesh.procs["storage"].pid
        big = noise_png(25 * MIB)
        ways = {  # REST = POST /v1/images: Envoy streams the body to CreateImage in <= 1 MiB messages
            "stream": lambda: asyncio.run(grpc_round_trip(mesh.target("storage"), token, big)),
            "rest": lambda: rest_round_trip(mesh.base_url, token, big),
        }
        order = ["rest", "stream"] if rest_first else ["stream", "rest"]  # the second starts on a used heap
        memory = {way: peak_rss_during(pid, ways[way]) for way in order}
        results = [
            measure(
                f"{name}: gRPC stream, direct",
                [asyncio.run(grpc_round_trip(mesh.target("storage"), token, data)) for _ in range(repeats)],
            ),
            measure(
                f"{name}: gRPC stream, via Envoy",
                [asyncio.run(grpc_round_trip(mesh.grpc_target, token, data)) for _ in range(repeats)],
            ),
            measure(f"{name}: REST via Envoy", [rest_round_trip(mesh.base_url, token, data) for _ in range(repeats)]),
        ]
        return results, memory
    finally:
        mesh.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--rest-first", action="store_true", help="measure the REST upload's memory first")
    args = parser.parse_args()
    data = noise_png(SIZE)
    assert len(data) > 0.99 * SIZE
    rows, memory = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        tmp_path = Path(tmp)
        baseline = [asyncio.run(store_round_trip(tmp_path / "baseline", data)) for _ in range(args.repeats)]
        rows.append(measure("baseline: LocalBlobStore put+read alone", baseline))
        local_rows, memory["local"] = run_backend("local", tmp_path / "local", {}, data, args.repeats, args.rest_first)
        rows += local_rows
        if not args.skip_s3:
            moto, endpoint = start_moto(tmp_path)
            try:
                env = {
                    "IMAGEMESH_BLOB_BACKEND": "s3",
                    "IMAGEMESH_S3_BUCKET": "bench-images",
                    "IMAGEMESH_S3_ENDPOINT_URL": endpoint,
                    "IMAGEMESH_S3_ACCESS_KEY_ID": "testing",
                    "IMAGEMESH_S3_SECRET_ACCESS_KEY": "testing",
                    "IMAGEMESH_S3_ADDRESSING_STYLE": "path",
                    "IMAGEMESH_S3_CREATE_BUCKET": "true",
                }
                s3_rows, memory["s3"] = run_backend(
                    "S3 (moto)", tmp_path / "s3", env, data, args.repeats, args.rest_first
                )
                rows += s3_rows
            finally:
                moto.terminate()
                moto.wait(10)
    load = os.getloadavg()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}, "
        f"date {date.today()}, load average after the run {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; "
        f"{SIZE / 1e6:.0f} MB PNG, 1 MiB chunks, best of {args.repeats} (median round trip in brackets)\n"
    )
    print("| path | upload MB/s | download MB/s | round trip MB/s |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['label']} | {r['up']:.0f} | {r['down']:.0f} | {r['rt']:.0f} ({r['rt_median']:.0f}) |")
    # The target is the growth while receiving (4 x the image); the resting process alone is over 100 MiB.
    print("\n| backend | way in | RSS before MiB | peak RSS MiB (25 MiB upload) | growth MiB | 4 x 25 MiB = 100 MiB |")
    print("|---|---|---:|---:|---:|---|")
    for backend, ways in memory.items():
        for way, (before, peak) in ways.items():
            delta = (peak - before) / 1024
            print(
                f"| {backend} | {way} | {before / 1024:.0f} | {peak / 1024:.0f} | {delta:.0f} | "
                f"{'growth met' if delta < 100 else 'growth over'} |"
            )


if __name__ == "__main__":
    main()
