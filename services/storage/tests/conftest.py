"""Fixtures: a real moto_server on a free loopback port, and both blob store backends."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.s3 import S3BlobStore
from services.storage.adapters.blobs.s3_config import MIN_PART_SIZE, S3Config
from services.storage.adapters.blobs.signer import UrlSigner

SIGNING_SECRET = b"test-secret-0123456789abcdef-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """http://127.0.0.1:<port> of a moto_server started for this test session."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def make_s3_store(endpoint: str, spool_dir: Path, **overrides: object) -> S3BlobStore:
    options: dict = {
        "bucket": f"test-{uuid.uuid4().hex[:12]}",
        "endpoint_url": endpoint,
        "access_key_id": "testing",
        "secret_access_key": "testing",
        "part_size": MIN_PART_SIZE,
        "spool_dir": str(spool_dir),
        "max_attempts": 4,  # moto races on concurrent PUTs of one key (500s); real S3 does not
    }
    options.update(overrides)
    return S3BlobStore(S3Config(**options))


@pytest.fixture
def local_store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", signer=UrlSigner(SIGNING_SECRET))


@pytest.fixture(scope="session")
def _shared_s3_store(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> S3BlobStore:
    store = make_s3_store(moto_endpoint, tmp_path_factory.mktemp("spool"))
    asyncio.run(store.ensure_bucket())
    return store


@pytest.fixture
def s3_store(_shared_s3_store: S3BlobStore) -> Iterator[S3BlobStore]:
    """One bucket for the session (building boto3 clients is slow); content addressing keeps tests
    apart, and each test must leave the spool directory empty."""
    yield _shared_s3_store
    assert litter(_shared_s3_store) == []


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> LocalBlobStore | S3BlobStore:
    """Each contract test runs against both backends."""
    return request.getfixturevalue(f"{request.param}_store")


def litter(store: LocalBlobStore | S3BlobStore) -> list[str]:
    """Temp/staging files a backend could leave behind."""
    if isinstance(store, LocalBlobStore):
        return sorted(p.name for p in (store.root / "tmp").iterdir())
    return sorted(p.name for p in Path(store.config.spool_dir or "/nonexistent").iterdir())


# -- the whole storage service, in-process, on both blob backends and both databases ------------------


@pytest.fixture(params=["local", "s3"])
async def storage(request, database, auth_server, tmp_path):
    """A real storage service (port 0) verifying tokens of a real auth service; see harness.py."""
    from .harness import start_storage

    moto = request.getfixturevalue("moto_endpoint") if request.param == "s3" else None
    async with start_storage(request.param, database, auth_server, tmp_path, moto) as harness:
        yield harness
