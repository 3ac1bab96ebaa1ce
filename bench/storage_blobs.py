"""Blob store throughput and memory: 20 MB put+get on the local and S3 (moto) backends against a
plain file copy baseline, and tracemalloc peak during a 25 MB streamed put.

Run: PYTHONPATH=libs:. .venv/bin/python bench/storage_blobs.py [--repeats 3]
Starts its own moto_server on a free loopback port and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

from services.storage.adapters.blobs.base import BlobStore
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.s3 import S3BlobStore
from services.storage.adapters.blobs.s3_config import S3Config

MB = 1_000_000
ROUND_TRIP_BYTES = 20 * MB
MEMORY_BYTES = 25 * 1024 * 1024
CHUNK = 64 * 1024  # a typical gRPC message payload


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        yield bytes(view[start : start + CHUNK])


async def round_trip(store: BlobStore, data: bytes) -> tuple[float, float]:
    """Seconds for put_stream and for read_stream of `data` (fresh content each time)."""
    started = time.perf_counter()
    result = await store.put_stream(chunks_of(data))
    put_s = time.perf_counter() - started
    received = 0
    started = time.perf_counter()
    async for chunk in store.read_stream(result.sha256, 1024 * 1024):
        received += len(chunk)  # no hashing here: the baseline read does not hash either
    get_s = time.perf_counter() - started
    assert received == len(data) and result.sha256 == hashlib.sha256(data).hexdigest()
    await store.delete(result.sha256)
    return put_s, get_s


def file_copy_baseline(directory: Path, data: bytes) -> tuple[float, float]:
    """Plain file copy: write the source, then time copying it in and reading it back."""
    source = directory / "source.bin"
    source.write_bytes(data)
    target = directory / "target.bin"
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    put_s = time.perf_counter() - started
    started = time.perf_counter()
    with open(target, "rb") as handle:
        while handle.read(1024 * 1024):
            pass
    get_s = time.perf_counter() - started
    target.unlink()
    source.unlink()
    return put_s, get_s


async def peak_memory_of_put(store: BlobStore) -> int:
    data = os.urandom(MEMORY_BYTES)  # allocated before tracing: only the store's own memory counts
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = await store.put_stream(chunks_of(data))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await store.delete(result.sha256)
    return peak


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_rates(samples: list[tuple[float, float]], size: int) -> tuple[float, float, float]:
    put_s = statistics.median(s[0] for s in samples)
    get_s = statistics.median(s[1] for s in samples)
    return size / MB / put_s, size / MB / get_s, size / MB / (put_s + get_s)


def measure(repeats: int, run_one: Callable[[bytes], tuple[float, float]]) -> list[tuple[float, float]]:
    return [run_one(os.urandom(ROUND_TRIP_BYTES)) for _ in range(repeats)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp, moto_server() as endpoint:
        root = Path(tmp)
        base = measure(args.repeats, lambda d: file_copy_baseline(root, d))
        rows.append(("file copy + fsync (baseline)", *median_rates(base, ROUND_TRIP_BYTES), "-"))
        hashing = measure(args.repeats, lambda d: (_time(lambda: hashlib.sha256(d).digest()), 0.0))
        put_rate = ROUND_TRIP_BYTES / MB / statistics.median(s[0] for s in hashing)
        rows.append(("sha256 in memory (reference)", put_rate, float("nan"), float("nan"), "-"))
        local = LocalBlobStore(root / "local")
        s3 = S3BlobStore(
            S3Config(
                bucket="bench-blobs",
                endpoint_url=endpoint,
                access_key_id="x",
                secret_access_key="x",
                spool_dir=str(root),
            )
        )
        asyncio.run(s3.ensure_bucket())
        for name, store in (("local backend", local), ("S3 backend (moto)", s3)):
            samples = measure(args.repeats, lambda d, s=store: asyncio.run(round_trip(s, d)))
            peak = asyncio.run(peak_memory_of_put(store))
            rows.append((name, *median_rates(samples, ROUND_TRIP_BYTES), f"{peak / 2**20:.1f} MiB"))
    print(f"20 MB put+get, median of {args.repeats}; peak = tracemalloc peak during a 25 MiB put_stream")
    print(f"{'store':<30} {'put MB/s':>9} {'get MB/s':>9} {'round trip MB/s':>16} {'peak (25 MiB put)':>18}")
    for name, put, get, both, peak in rows:
        print(f"{name:<30} {put:>9.0f} {get:>9.0f} {both:>16.0f} {peak:>18}")


if __name__ == "__main__":
    main()
