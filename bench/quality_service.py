"""Issue 5 benchmark through the real mesh: the quality service behind Envoy (REST), with storage and auth.

    .venv/bin/python bench/quality_service.py [--repeats 9]

Starts gateway + auth + storage + quality + Envoy on free ports (SQLite), uploads a 2 MP reference and three
degraded 2 MP candidates (PNG) and a 12 MP JPEG, then times, serially:
- POST /v1/comparisons at level 1 (enhanced candidate stored): the server's processing_time_ms (download,
  decode, metrics, enhancement, PNG encode and store of the result) and the client's end-to-end latency;
- POST /v1/images/{id}:assess on the 12 MP image: the server's processing_time_ms (metrics on the decoded
  pixels) and end-to-end;
- the CPU time the quality and storage processes spent per timed request (from /proc: load-independent where
  wall times are not, the figure to compare two versions by on a shared machine);
- baselines in the same run: the domain's compare()/assess() in this process on the same pixels (no network,
  no codec), and GET /v1/auth/me through Envoy (the fixed cost of one REST call).
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
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

from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from services.quality.codec import decode, encode_png
from services.quality.domain.assess import assess
from services.quality.domain.compare import compare


def photo(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    img = cv2.resize(skimage.data.astronaut(), size, interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)


def encode(pixels: np.ndarray, ext: str, *params: int) -> bytes:
    ok, data = cv2.imencode(ext, cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR), list(params))
    assert ok
    return data.tobytes()


# the degraded candidates every quality bench compares with the 2 MP reference; short names for command lines
CANDIDATE_NAMES = {"noisy": "noisy (sigma 10)", "blurred": "blurred (sigma 1.5)", "low-contrast": "low contrast (x0.6)"}


def candidates(ref: np.ndarray) -> dict[str, np.ndarray]:
    """The reference degraded three ways, by label (see CANDIDATE_NAMES)."""
    rng = np.random.default_rng(1)
    return {
        "noisy (sigma 10)": np.clip(ref + rng.normal(0, 10, ref.shape), 0, 255).astype(np.uint8),
        "blurred (sigma 1.5)": cv2.GaussianBlur(ref, (0, 0), 1.5),
        "low contrast (x0.6)": np.clip(ref.mean() + 0.6 * (ref - ref.mean()), 0, 255).astype(np.uint8),
    }


def upload_bytes(client: httpx.Client, headers: dict[str, str], data: bytes) -> str:
    """POST an image's bytes to /v1/images through Envoy; its id."""
    r = client.post("/v1/images", content=data, headers={**headers, "Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    return r.json()["image"]["id"]


def upload_png(client: httpx.Client, headers: dict[str, str], pixels: np.ndarray) -> str:
    """upload_bytes of the pixels as a PNG (zlib level 1, as the benches' candidates are stored)."""
    return upload_bytes(client, headers, encode(pixels, ".png", cv2.IMWRITE_PNG_COMPRESSION, 1))


def compare_in_process(ref_png: bytes, cand_png: bytes) -> None:
    """What a comparison request computes, without storage and gRPC: decode both PNGs, compare at level 1, encode
    the enhanced result."""
    a = decode(ref_png, field="image1_id", max_pixels=10**8)
    b = decode(cand_png, field="image2_id", max_pixels=10**8)
    result = compare(a, b, 1.0)
    if result.enhanced_pixels is not None:
        encode_png(result.enhanced_pixels)


def median_min(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), min(values)


def timed(fn, repeats: int) -> list[float]:
    fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def process_cpu_ms(pids: list[int]) -> np.ndarray:
    """CPU time (user + system, all threads) each process has used so far, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = []
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out.append((int(fields[11]) + int(fields[12])) * 1000.0 / ticks)  # utime, stime
    return np.array(out)


def run(
    client: httpx.Client, repeats: int, server_pids: list[int]
) -> list[tuple[str, list[float], list[float] | None, float | None, np.ndarray | None]]:
    client.post("/v1/auth/register", json={"email": "bench@example.com", "password": "benchmark pw"})
    token = client.post("/v1/auth/login", json={"email": "bench@example.com", "password": "benchmark pw"})
    h = {"Authorization": f"Bearer {token.json()['accessToken']}"}

    def upload(data: bytes) -> str:
        return upload_bytes(client, h, data)

    ref = photo((1633, 1225))
    ref_png = encode(ref, ".png", cv2.IMWRITE_PNG_COMPRESSION, 1)
    ref_id = upload(ref_png)
    rows = []
    for label, cand in candidates(ref).items():
        cand_png = encode(cand, ".png", cv2.IMWRITE_PNG_COMPRESSION, 1)
        cand_id = upload(cand_png)
        server, client_ms = [], []

        def call(ref_id=ref_id, cand_id=cand_id, server=server, client_ms=client_ms) -> None:
            t = time.perf_counter()
            r = client.post("/v1/comparisons", json={"image1Id": ref_id, "image2Id": cand_id,
                                                     "enhancementLevel": 1.0}, headers=h)  # fmt: skip
            client_ms.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
            server.append(r.json()["comparison"]["processingTimeMs"])

        call()  # warm-up
        cpu_before = process_cpu_ms(server_pids)
        for _ in range(repeats):
            call()
        cpu = (process_cpu_ms(server_pids) - cpu_before) / repeats
        rows.append((f"compare 2 MP + enhance (level 1), candidate {label}", server[1:], client_ms[1:], 250.0, cpu))
        rows.append((f"  baseline: domain compare() in-process, {label}",
                     timed(lambda c=cand: compare(ref, c, 1.0), repeats), None, None, None))  # fmt: skip

        rows.append((f"  baseline: decode 2 PNGs + compare() + encode PNG in-process, {label}",
                     timed(lambda c=cand_png: compare_in_process(ref_png, c), repeats), None, None, None))  # fmt: skip

    big = photo((4000, 3000), seed=2)
    big_id = upload(encode(big, ".jpg", cv2.IMWRITE_JPEG_QUALITY, 92))
    big_decoded = cv2.cvtColor(cv2.imdecode(np.frombuffer(encode(big, ".jpg", cv2.IMWRITE_JPEG_QUALITY, 92),
                                                          np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)  # fmt: skip
    server, client_ms = [], []

    def assess_big() -> None:
        t = time.perf_counter()
        r = client.post(f"/v1/images/{big_id}:assess", json={}, headers=h)
        client_ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        server.append(r.json()["processingTimeMs"])

    assess_big()  # warm-up
    cpu_before = process_cpu_ms(server_pids)
    for _ in range(repeats):
        assess_big()
    cpu = (process_cpu_ms(server_pids) - cpu_before) / repeats
    rows.append(("assess 12 MP (JPEG q92)", server[1:], client_ms[1:], 500.0, cpu))
    rows.append(("  baseline: domain assess() in-process, 12 MP", timed(lambda: assess(big_decoded), repeats),
                 None, None, None))  # fmt: skip
    me = []
    for _ in range(repeats * 5):
        t = time.perf_counter()
        assert client.get("/v1/auth/me", headers=h).status_code == 200
        me.append((time.perf_counter() - t) * 1000)
    rows.append(("  baseline: GET /v1/auth/me through Envoy (httpx)", me, me, None, None))
    return rows


def start_quality_mesh(prefix: str = "bench-quality-") -> Mesh:
    """gateway + auth + storage + quality + Envoy on free ports, SQLite in a fresh temporary folder, no rate limit."""
    registry = load_registry()
    config = MeshConfig(
        workdir=Path(tempfile.mkdtemp(prefix=prefix)),
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        services=["gateway", "auth", "storage", "quality"],
        rate_limit_per_minute=100_000,
    )
    mesh = Mesh(registry, config)
    mesh.start(90)
    return mesh


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    mesh = start_quality_mesh()
    load = os.getloadavg()
    try:
        with httpx.Client(base_url=mesh.base_url, timeout=60) as client:
            rows = run(client, args.repeats, [mesh.procs[name].pid for name in ("quality", "storage")])
    finally:
        mesh.stop()
    print(f"\n### quality through Envoy — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node()}, "
          f"{os.cpu_count()} vCPU (shared), load average at start {load[0]:.2f} / {load[1]:.2f}, "
          f"{args.repeats} runs each\n")  # fmt: skip
    print("| case | server processing_time_ms p50 (min) | end-to-end ms p50 (min) | CPU ms / request (quality + "
          "storage) | target ms | met (server p50) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for label, server, client_ms, target, cpu in rows:
        s50, smin = median_min(server)
        e2e = "-" if client_ms is None else "{:.0f} ({:.0f})".format(*median_min(client_ms))
        met = "-" if target is None else ("yes" if s50 <= target else "no")
        cpu_text = "-" if cpu is None else f"{cpu.sum():.0f} ({' + '.join(f'{v:.0f}' for v in cpu)})"
        target_text = "-" if target is None else f"{target:.0f}"
        print(f"| {label} | {s50:.0f} ({smin:.0f}) | {e2e} | {cpu_text} | {target_text} | {met} |")


if __name__ == "__main__":
    main()
