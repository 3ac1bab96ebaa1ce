"""Local backend specifics: layout, durability, no torn files, signed URL flow, crash leftovers."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from imagemesh_kit.errors import NotFound, PermissionDenied, ResourceExhausted
from services.storage.adapters.blobs import fsync as fsync_module
from services.storage.adapters.blobs import local as local_module
from services.storage.adapters.blobs.keys import new_upload_id
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.signer import UrlSigner
from services.storage.domain.inspect import inspect_file

from .conftest import SIGNING_SECRET
from .samples import sample


def test_blobs_are_sharded_by_hash(local_store: LocalBlobStore) -> None:
    result = asyncio.run(local_store.put_bytes(b"hello"))
    sha = hashlib.sha256(b"hello").hexdigest()
    assert (local_store.root / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes() == b"hello"
    assert result.sha256 == sha


def test_no_partial_blob_is_ever_visible(local_store: LocalBlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    seen: list[tuple[bool, int]] = []

    async def watched() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 512 * 1024):
            seen.append((await local_store.exists(sha), len(list((local_store.root / "tmp").iterdir()))))
            yield data[start : start + 512 * 1024]

    asyncio.run(local_store.put_stream(watched()))
    assert all(not visible for visible, _ in seen)
    assert all(temp_files == 1 for _, temp_files in seen)  # writing goes to one temp file
    assert list((local_store.root / "tmp").iterdir()) == []


def test_files_and_directories_are_fsynced(local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    dir_synced: list[Path] = []
    monkeypatch.setattr(local_module.os, "fsync", lambda fd: synced.append(fd))
    monkeypatch.setattr(local_module, "fsync_dir", dir_synced.append)
    monkeypatch.setattr(fsync_module, "fsync_dir", dir_synced.append)
    result = asyncio.run(local_store.put_bytes(b"durable"))
    shard = local_store.root / "blobs" / result.sha256[:2] / result.sha256[2:4]
    assert len(synced) == 1  # the temp file, before the rename
    assert shard in dir_synced and shard.parent in dir_synced and local_store.root / "blobs" in dir_synced
    dir_synced.clear()
    asyncio.run(local_store.delete(result.sha256))
    assert dir_synced == [shard]


def test_failed_publish_leaves_no_blob(local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_link(*_args: object) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(local_module.os, "link", failing_link)
    with pytest.raises(OSError):
        asyncio.run(local_store.put_bytes(b"x" * 1000))
    assert not asyncio.run(local_store.exists(hashlib.sha256(b"x" * 1000).hexdigest()))
    assert list((local_store.root / "tmp").iterdir()) == []


def test_sweep_removes_only_stale_leftovers(local_store: LocalBlobStore) -> None:
    stale = local_store.root / "tmp" / "crashed.part"
    stale.write_bytes(b"half")
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))
    fresh = local_store.root / "uploads" / ("u" * 20)
    fresh.write_bytes(b"in flight")
    kept = asyncio.run(local_store.put_bytes(b"keep me"))
    assert asyncio.run(local_store.sweep_stale_files(24 * 3600)) == 1
    assert not stale.exists() and fresh.exists()
    assert asyncio.run(local_store.read_bytes(kept.sha256)) == b"keep me"


def _split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def test_presigned_upload_flow(local_store: LocalBlobStore) -> None:
    signer = UrlSigner(SIGNING_SECRET)
    png = sample("PNG")
    upload_id = new_upload_id()

    async def scenario() -> None:
        url = await local_store.presign_upload(upload_id, 300, content_type="image/png")
        assert url.method == "PUT" and url.headers == {"Content-Type": "image/png"}
        assert url.url.startswith("http://localhost:8080/v1/blob-access/uploads/")
        path, query = _split(url.url)
        signer.verify("PUT", path, query)  # what the HTTP handler does first
        assert path == local_store.upload_path(upload_id)
        await local_store.receive_upload(upload_id, [png[:1000], png[1000:]], max_bytes=len(png))
        staged = await local_store.stage_upload(upload_id, max_bytes=len(png))
        async with local_store.open_staged(staged) as handle:
            assert inspect_file(handle).height == 300
        await local_store.commit(staged)
        await local_store.discard(staged)
        assert await local_store.read_bytes(staged.sha256) == png
        with pytest.raises(NotFound) as caught:  # an upload is confirmed once
            await local_store.stage_upload(upload_id)
        assert caught.value.reason == "UPLOAD_NOT_FOUND"

    asyncio.run(scenario())


def test_presigned_download_url_and_expiry() -> None:
    clock_now = [1_800_000_000.0]
    signer = UrlSigner(SIGNING_SECRET, clock=lambda: clock_now[0])
    store = LocalBlobStore(
        Path(os.environ.get("TMPDIR", "/tmp")) / f"blobs-{os.getpid()}-{time.time_ns()}",
        signer=signer,
        public_base_url="https://images.example/",
    )
    key = asyncio.run(store.put_bytes(b"pixels")).sha256
    url = asyncio.run(store.presign_get(key, 60, content_type="image/png", filename="cat.png"))
    path, query = _split(url.url)
    assert url.url.startswith("https://images.example/v1/blob-access/blobs/")
    assert url.expires_at.timestamp() == 1_800_000_060
    assert signer.verify("GET", path, query) == {"content_type": "image/png", "filename": "cat.png"}
    clock_now[0] += 61
    with pytest.raises(PermissionDenied) as caught:
        signer.verify("GET", path, query)
    assert caught.value.reason == "SIGNED_URL_EXPIRED"
    asyncio.run(store.delete(key))


def test_oversized_presigned_upload_is_refused(local_store: LocalBlobStore) -> None:
    upload_id = new_upload_id()

    async def scenario() -> None:
        with pytest.raises(ResourceExhausted):
            await local_store.receive_upload(upload_id, [b"x" * 2000], max_bytes=1000)
        await local_store.receive_upload(upload_id, [b"x" * 2000])
        with pytest.raises(ResourceExhausted):
            await local_store.stage_upload(upload_id, max_bytes=1000)
        with pytest.raises(NotFound):  # consumed and removed
            await local_store.stage_upload(upload_id)

    asyncio.run(scenario())
    assert list((local_store.root / "tmp").iterdir()) == []


def test_presign_without_signer_is_a_configuration_error(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(RuntimeError):
        asyncio.run(store.presign_get("a" * 64, 60))


def test_concurrent_put_and_delete_of_same_content_never_tears(local_store: LocalBlobStore) -> None:
    """Without the refcount lock a delete may win (documented), but a reader never sees partial bytes."""
    data = os.urandom(1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()

    async def scenario() -> None:
        for _ in range(5):
            await asyncio.gather(local_store.put_bytes(data), local_store.delete(sha), local_store.put_bytes(data))
            if await local_store.exists(sha):
                assert await local_store.read_bytes(sha) == data

    asyncio.run(scenario())
    assert list((local_store.root / "tmp").iterdir()) == []


def test_file_systems_without_hard_links_fall_back_to_rename(
    local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(local_module.os, "link", no_links)
    result = asyncio.run(local_store.put_bytes(b"renamed in"))
    assert asyncio.run(local_store.read_bytes(result.sha256)) == b"renamed in"
    assert list((local_store.root / "tmp").iterdir()) == []
