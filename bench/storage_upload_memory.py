"""Peak memory of the whole upload pipeline for a ~20-25 MB image, per format, on the local backend:
stage_stream (64 KiB chunks) -> inspect_file (verification decode) -> commit.

The image (random noise, so it is big) is written to a file first; each measurement runs in a fresh
subprocess that streams it from that file and reports the peak of current RSS (sampled every 2 ms)
above the RSS after imports, i.e. what the pipeline itself added. Baseline: the same image decoded
fully with Pillow (what a naive "just open it" validation would cost).
Run: PYTHONPATH=libs:. .venv/bin/python bench/storage_upload_memory.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

CHILD = r"""
import asyncio, os, sys, tempfile, threading, time
from PIL import Image
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.domain.inspect import inspect_file

path, mode = sys.argv[1], sys.argv[2]

PAGE = os.sysconf("SC_PAGE_SIZE")

def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20

peak = [0.0]
done = threading.Event()

def sample():  # current RSS every 2 ms (ru_maxrss is a lifetime high-water mark: useless here)
    while not done.is_set():
        peak[0] = max(peak[0], rss_mib())
        time.sleep(0.002)

async def chunks():  # the upload arrives from the network: never whole in memory
    with open(path, "rb") as source:
        while chunk := source.read(65536):
            yield chunk

async def pipeline(store):
    staged = await store.stage_stream(chunks(), max_bytes=26 * 1024 * 1024)
    async with store.open_staged(staged) as handle:
        await asyncio.to_thread(inspect_file, handle)
    await store.commit(staged)
    await store.discard(staged)

with tempfile.TemporaryDirectory() as root:
    store = LocalBlobStore(root)
    before = rss_mib()
    sampler = threading.Thread(target=sample)
    sampler.start()
    if mode == "pipeline":
        asyncio.run(pipeline(store))
    else:
        with open(path, "rb") as source, Image.open(source) as image:  # file object: no mmap shortcut
            image.load()
    done.set()
    sampler.join()
    print(f"{max(peak[0], rss_mib()) - before:.0f}")
"""


def make_sample(fmt: str, side: int, directory: Path) -> Path:
    pixels = np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
    path = directory / f"sample.{fmt.lower()}"
    Image.fromarray(pixels).save(path, format=fmt, **({"quality": 97} if fmt == "JPEG" else {}))
    return path


def run(path: Path, mode: str) -> float:
    answer = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": "libs:.", "OMP_NUM_THREADS": "1"},
    )
    return float(answer.stdout.strip())


def main() -> None:
    print(f"{'format':<6} {'file MiB':>9} {'pipeline +MiB':>14} {'full decode +MiB':>17} {'4x file':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, side in (("JPEG", 3500), ("PNG", 2800), ("TIFF", 2800), ("BMP", 2800)):
            path = make_sample(fmt, side, Path(tmp))
            size = path.stat().st_size / 2**20
            pipeline, naive = run(path, "pipeline"), run(path, "decode")
            print(f"{fmt:<6} {size:>9.1f} {pipeline:>14.0f} {naive:>17.0f} {4 * size:>8.0f}")


if __name__ == "__main__":
    main()
