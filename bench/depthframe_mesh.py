"""Issue 6 benchmark: the depthframe service end to end through Envoy, on SQLite and PostgreSQL.

    python bench/depthframe_mesh.py [--repeat 7] [--queries 60] [--big-rows 100000] [--backends sqlite postgresql]

Per backend, a fresh mesh (gateway, auth, depthframe, Envoy --concurrency 1) and, in the same run:
- ingest of the 5,461-row file (POST /v1/depth-datasets, text/csv) vs the domain alone (parse + resize in
  this process) and vs a row-by-row INSERT of the same rows (one statement per row, one transaction);
- 100-frame queries (GET /v1/frames, distinct ranges, so no cached answer), the full range as one PNG
  (GET /v1/frames:image) and as JSON frames (GET /v1/frames): cold (the first render of the dataset with a
  colormap: a different built-in map each time) and warm (cached), and 100-frame ranges sliced from the
  cached frames of the whole dataset;
- a trivial authenticated call (GET /v1/auth/me) as the floor of any request through Envoy;
- a 100,000-row file through the gRPC client-streaming upload via Envoy: time and the depthframe
  process's peak RSS (VmHWM) before and after.
PostgreSQL needs IMAGEMESH_TEST_PG_URL (or the local server on 127.0.0.1:5432). Prints Markdown.
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
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc
import httpx
from sqlalchemy import insert

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from imagemesh.depthframe.v1 import depthframe_pb2_grpc
from imagemesh_kit.db import create_engine_for, migrate, session_factory
from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from imagemesh_kit.testing import drop_pg_schema, new_pg_schema
from services.depthframe.domain import ingest_csv
from services.depthframe.main import MIGRATIONS
from services.depthframe.sample_data.depth_log import make_depth_csv
from services.depthframe.store.models import DatasetRow, DepthRow

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COLD_MAPS = [
    "viridis",
    "magma",
    "inferno",
    "plasma",
    "cividis",
    "jet",
    "turbo",
    "bone",
    "hot",
    "ocean",
    "parula",
    "twilight",
    "deepgreen",
    "gray",
]
MIB = 1024 * 1024


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} | {min(values):.1f}"


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB of a process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def timed(call, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def row_by_row_baseline(url: str, schema: str | None, ingested) -> float:
    """The same rows inserted one statement at a time (what slow public solutions do), in ms."""
    await asyncio.to_thread(migrate, url, schema, MIGRATIONS)
    engine = create_engine_for(url, schema)
    sessions = session_factory(engine)
    parsed, dataset_id = ingested.parsed, str(uuid.uuid4())
    t = time.perf_counter()
    async with sessions.begin() as session:
        session.add(
            DatasetRow(
                id=dataset_id,
                owner_id="bench",
                name="baseline",
                rows=parsed.rows,
                skipped_rows="[]",
                skipped_count=0,
                depth_min=parsed.depth_min,
                depth_max=parsed.depth_max,
                source_width=parsed.source_width,
                width=ingested.width,
                color_min=0,
                color_max=255,
                created_at=datetime.now(UTC),
            )
        )
        await session.flush()
        for key, depth, small, big in zip(
            parsed.depth_keys().tolist(), parsed.depths.tolist(), ingested.resized, parsed.pixels, strict=True
        ):
            await session.execute(
                insert(DepthRow).values(
                    dataset_id=dataset_id, depth_key=key, depth=depth, resized=small.tobytes(), original=big.tobytes()
                )
            )
    elapsed = (time.perf_counter() - t) * 1000
    await engine.dispose()
    return elapsed


async def stream_upload(target: str, token: str, csv: bytes, chunk: int = MIB) -> tuple[float, pb.DepthDataset]:
    options = [("grpc.max_send_message_length", 64 * MIB), ("grpc.max_receive_message_length", 64 * MIB)]
    async with grpc.aio.insecure_channel(target, options=options) as channel:
        stub = depthframe_pb2_grpc.DepthFrameServiceStub(channel)

        def messages():
            yield pb.UploadDepthDatasetRequest(name="big", chunk=csv[:chunk])
            for start in range(chunk, len(csv), chunk):
                yield pb.UploadDepthDatasetRequest(chunk=csv[start : start + chunk])

        t = time.perf_counter()
        reply = await stub.UploadDepthDataset(messages(), metadata=(("authorization", f"Bearer {token}"),), timeout=300)
        return (time.perf_counter() - t) * 1000, reply.dataset


def bench_backend(backend: str, args, csv: bytes, big: bytes) -> dict:
    registry = load_registry()
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-depthframe-{backend}-"))
    prefix = f"bench{uuid.uuid4().hex[:6]}_" if backend == "postgresql" else ""
    pg = os.environ.get("IMAGEMESH_TEST_PG_URL") or PG_DEFAULT
    config = MeshConfig(
        workdir=workdir,
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        services=["gateway", "auth", "depthframe"],
        rate_limit_per_minute=100_000,
        pg_url=pg if backend == "postgresql" else None,
        pg_schema_prefix=prefix,
        extra_env={"IMAGEMESH_ACCESS_LOG": "false"},
    )
    mesh = Mesh(registry, config)
    mesh.start(90)
    out: dict = {}
    try:
        pid = mesh.procs["depthframe"].pid
        client = httpx.Client(base_url=mesh.base_url, timeout=120)
        client.post("/v1/auth/register", json={"email": "bench@example.com", "password": "benchmark pw"})
        token = client.post("/v1/auth/login", json={"email": "bench@example.com", "password": "benchmark pw"}).json()[
            "accessToken"
        ]
        client.cookies.clear()
        auth = {"Authorization": f"Bearer {token}"}
        out["mem_start"] = memory(pid)

        def ingest():
            r = client.post(
                "/v1/depth-datasets",
                params={"name": "bench"},
                content=csv,
                headers={**auth, "Content-Type": "text/csv"},
            )
            assert r.status_code == 200, r.text
            out["dataset"] = r.json()["dataset"]

        ingest()  # warm-up (first request of the process)
        out["ingest"] = timed(ingest, args.repeat)
        out["domain"] = timed(lambda: ingest_csv(csv), args.repeat)
        ds = out["dataset"]
        assert ds["rows"] == 5460, ds

        def get(path, **params):
            r = client.get(path, params={"dataset_id": ds["id"], **params}, headers=auth)
            assert r.status_code == 200, r.text[:300]
            return r

        out["me"] = timed(lambda: client.get("/v1/auth/me", headers=auth), args.queries)
        lat = []
        for i in range(args.queries):  # distinct 100-row windows: every answer is rendered, none cached
            start = 9000.1 + (i * 53 % 5300) / 10
            t = time.perf_counter()
            frames = get("/v1/frames", depth_min=round(start, 1), depth_max=round(start + 9.9, 1)).json()["frames"]
            lat.append((time.perf_counter() - t) * 1000)
            assert len(frames) == 100
        out["q100"] = lat
        out["q100_warm"] = timed(lambda: get("/v1/frames", depth_min=9100.0, depth_max=9109.9), args.queries)
        # Cold = the first render of this dataset with a colormap: a different built-in map each time.
        maps = iter(COLD_MAPS)
        out["strip_cold"] = timed(lambda: get("/v1/frames:image", colormap=next(maps)), args.repeat)
        get("/v1/frames:image")
        out["strip_warm"] = timed(lambda: get("/v1/frames:image"), args.repeat)
        out["png_bytes"] = len(get("/v1/frames:image").content)
        maps = iter(COLD_MAPS)
        out["json_cold"] = timed(lambda: get("/v1/frames", colormap=next(maps)), args.repeat)
        get("/v1/frames")
        out["json_warm"] = timed(lambda: get("/v1/frames"), args.repeat)
        out["json_bytes"] = len(get("/v1/frames").content)
        lat = []
        for i in range(args.queries):  # the whole dataset is rendered now: ranges are slices of it
            start = 9000.1 + (i * 53 % 5300) / 10
            t = time.perf_counter()
            get("/v1/frames", depth_min=round(start, 1), depth_max=round(start + 9.9, 1))
            lat.append((time.perf_counter() - t) * 1000)
        out["q100_slice"] = lat
        out["mem_before_big"] = memory(pid)
        ms, big_ds = asyncio.run(stream_upload(mesh.grpc_target, token, big))
        assert big_ds.rows == args.big_rows - 1, big_ds
        out["big"] = ms
        out["mem_after_big"] = memory(pid)
        client.close()
    finally:
        mesh.stop()
    # Baseline: row by row into a scratch database of the same backend.
    ingested = ingest_csv(csv)
    if backend == "postgresql":
        schema = new_pg_schema("benchrbr")
        try:
            out["row_by_row"] = asyncio.run(row_by_row_baseline(pg, schema, ingested))
        finally:
            drop_pg_schema(pg, schema)
            for entry in registry.services:
                if entry.database:
                    drop_pg_schema(pg, f"{prefix}{entry.name}")
    else:
        out["row_by_row"] = asyncio.run(
            row_by_row_baseline(f"sqlite+aiosqlite:///{workdir / 'rbr.db'}", None, ingested)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7, help=f"at most {len(COLD_MAPS)}")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--big-rows", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    csv, big = make_depth_csv(5461), make_depth_csv(args.big_rows)
    started = datetime.now(UTC)
    load = os.getloadavg()
    results = {b: bench_backend(b, args, csv, big) for b in args.backends}
    print(
        f"\n### {started:%Y-%m-%d %H:%M} UTC — {platform.node()}, {os.cpu_count()} vCPU (shared), "
        f"load average {load[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end; Envoy --concurrency 1\n"
    )
    print(
        f"Files: 5,461 rows = {len(csv) / MIB:.1f} MiB; {args.big_rows:,} rows = {len(big) / MIB:.1f} MiB. "
        f"Times in ms, median | best of {args.repeat} (queries: {args.queries}).\n"
    )
    print("| measurement | target | " + " | ".join(f"{b} median | {b} best" for b in results) + " |")
    print("|---|---|" + "---|---|" * len(results))
    rows = [
        ("ingest 5,461 rows, POST /v1/depth-datasets through Envoy", "<= 1000", "ingest"),
        ("baseline: domain only (parse + resize, in process)", "", "domain"),
        ("100-frame query GET /v1/frames (distinct ranges, rendered)", "p50 <= 25", "q100"),
        ("100-frame query, same range again (cached answer)", "", "q100_warm"),
        ("100-frame query, distinct ranges after the full range was rendered (slices)", "", "q100_slice"),
        ("baseline: GET /v1/auth/me through Envoy", "", "me"),
        ("full range as one PNG, GET /v1/frames:image, first render of a colormap", "<= 200", "strip_cold"),
        ("full range as one PNG, cached", "", "strip_warm"),
        ("full range as JSON frames (5,460 PNGs), first render of a colormap", "<= 600", "json_cold"),
        ("full range as JSON frames, cached", "", "json_warm"),
    ]
    for label, target, key in rows:
        print(f"| {label} | {target} | " + " | ".join(stats(r[key]) for r in results.values()) + " |")
    print(
        "| baseline: row-by-row INSERT of the 5,461 rows (one statement each, one transaction) | | "
        + " | ".join(f"{r['row_by_row']:.0f} | -" for r in results.values())
        + " |"
    )
    print(
        f"| {args.big_rows:,} rows, gRPC client-streaming upload through Envoy (1 MiB chunks) | report | "
        + " | ".join(f"{r['big']:.0f} | -" for r in results.values())
        + " |"
    )
    print()
    for backend, r in results.items():
        print(
            f"- {backend}: strip PNG {r['png_bytes'] / 1024:.0f} KiB, JSON frames {r['json_bytes'] / MIB:.1f} MiB; "
            f"depthframe RSS / peak RSS (MiB): at start {r['mem_start'][0]:.0f} / {r['mem_start'][1]:.0f}, "
            f"before the {args.big_rows:,}-row upload {r['mem_before_big'][0]:.0f} / {r['mem_before_big'][1]:.0f}, "
            f"after it {r['mem_after_big'][0]:.0f} / {r['mem_after_big'][1]:.0f}."
        )


if __name__ == "__main__":
    main()
