"""Composition root: the URL secret generated once and kept in the database, housekeeping, settings."""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from imagemesh.storage.v1 import storage_pb2
from imagemesh_kit.config import ConfigError, load_settings
from services.storage.config import StorageSettings

from .harness import start_storage
from .samples import sample

pytestmark = pytest.mark.integration


async def _download_url(harness) -> str:
    user = await harness.user()
    image = await harness.create(user, sample("PNG"))
    request = storage_pb2.GetImageDownloadUrlRequest(image_id=image.id)
    return (await harness.stub.GetImageDownloadUrl(request, metadata=user.md)).url


async def test_generated_url_secret_survives_a_restart(database, auth_server, tmp_path):
    async with start_storage("local", database, auth_server, tmp_path, None, storage_url_secret="") as first:
        url = await _download_url(first)
    async with start_storage("local", database, auth_server, tmp_path, None, storage_url_secret="") as second:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        request = storage_pb2.GetBlobContentRequest(blob=parts.path.rsplit("/", 1)[1], **query)
        messages = [m async for m in second.stub.GetBlobContent(request)]  # signed by the first process
        assert b"".join(m.data for m in messages) == sample("PNG")


async def test_sweep_removes_stale_uploads_and_unreferenced_blobs(database, auth_server, tmp_path):
    async with start_storage("local", database, auth_server, tmp_path, None) as harness:
        user = await harness.user()
        request = storage_pb2.CreateUploadRequest(content_type="image/png", size_bytes=10)
        upload = await harness.stub.CreateUpload(request, metadata=user.md)
        stale = harness.store.root / "uploads" / upload.upload_id
        stale.write_bytes(b"abandoned")
        old = time.time() - 7200
        os.utime(stale, (old, old))
        uploads = harness.running.app.servicers[0][1]._uploads
        assert await uploads.sweep(3600) >= 1
        assert not stale.exists()


def test_settings_are_validated():
    with pytest.raises(ConfigError) as exc:
        load_settings(StorageSettings, blob_backend="ftp", max_image_bytes=0)
    assert "IMAGEMESH_BLOB_BACKEND" in str(exc.value) and "IMAGEMESH_MAX_IMAGE_BYTES" in str(exc.value)
