"""S3 backend specifics against a real moto_server: presigned PUT/GET with a plain HTTP client,
multipart, presigned uploads replaced after hashing, unavailable endpoint.

moto does not check presigned signatures or expiry (real S3 does): expiry is checked here by the
X-Amz-Expires the URL carries; refusal of expired/tampered URLs is tested on the local signer.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from imagemesh_kit.errors import NotFound, ResourceExhausted, Unavailable
from services.storage.adapters.blobs.keys import new_upload_id
from services.storage.adapters.blobs.s3 import S3BlobStore
from services.storage.domain.inspect import inspect_file

from .conftest import _free_port, make_s3_store
from .samples import sample


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None):
    # urllib would label a body as a form otherwise (and moto then parses it as one)
    headers = {"Content-Type": "application/octet-stream", **(headers or {})} if body is not None else {}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    return urllib.request.urlopen(request, timeout=30)


def test_presigned_put_with_plain_http_client_then_confirm(s3_store: S3BlobStore) -> None:
    jpeg = sample("JPEG")
    upload_id = new_upload_id()

    async def scenario() -> None:
        url = await s3_store.presign_upload(upload_id, 600, content_type="image/jpeg")
        assert url.method == "PUT" and url.headers == {"Content-Type": "image/jpeg"}
        query = parse_qs(urlsplit(url.url).query)
        assert query["X-Amz-Expires"] == ["600"] and "X-Amz-Signature" in query
        with http("PUT", url.url, jpeg, url.headers) as response:
            assert response.status == 200
        staged = await s3_store.stage_upload(upload_id, max_bytes=len(jpeg))
        assert staged.sha256 == hashlib.sha256(jpeg).hexdigest()
        async with s3_store.open_staged(staged) as handle:
            assert inspect_file(handle).width == 451
        await s3_store.commit(staged)
        await s3_store.discard(staged)
        assert await s3_store.read_bytes(staged.sha256) == jpeg
        with pytest.raises(NotFound) as caught:  # consumed
            await s3_store.stage_upload(upload_id)
        assert caught.value.reason == "UPLOAD_NOT_FOUND"

    asyncio.run(scenario())
    assert os.listdir(s3_store.config.spool_dir or "") == []


def test_presigned_get_serves_bytes_with_type_and_filename(s3_store: S3BlobStore) -> None:
    png = sample("PNG")

    async def scenario() -> None:
        key = (await s3_store.put_bytes(png)).sha256
        url = await s3_store.presign_get(key, 120, content_type="image/png", filename="Chat \u00e9t\u00e9.png")
        assert url.method == "GET"
        assert 115 <= (url.expires_at - datetime.now(UTC)).total_seconds() <= 121
        with http("GET", url.url) as response:
            assert response.read() == png
            assert response.headers["Content-Type"] == "image/png"
            assert "filename*=UTF-8''Chat%20%C3%A9t%C3%A9.png" in response.headers["Content-Disposition"]

    asyncio.run(scenario())


def test_large_objects_use_multipart(s3_store: S3BlobStore) -> None:
    data = os.urandom(2 * s3_store.config.part_size + 10)

    async def scenario() -> None:
        key = (await s3_store.put_bytes(data)).sha256
        head = s3_store._client.head_object(Bucket=s3_store.config.bucket, Key=s3_store.blob_key(key))
        assert head["ETag"].strip('"').endswith("-3")  # three parts
        assert await s3_store.read_bytes(key) == data

    asyncio.run(scenario())


def test_upload_replaced_after_hashing_commits_the_hashed_bytes(s3_store: S3BlobStore) -> None:
    upload_id = new_upload_id()

    async def scenario() -> None:
        url = await s3_store.presign_upload(upload_id, 600)
        http("PUT", url.url, b"first bytes").close()
        staged = await s3_store.stage_upload(upload_id)
        http("PUT", url.url, b"other bytes").close()  # the URL is still valid: client PUTs again
        await s3_store.commit(staged)
        await s3_store.discard(staged)
        assert staged.sha256 == hashlib.sha256(b"first bytes").hexdigest()
        assert await s3_store.read_bytes(staged.sha256) == b"first bytes"

    asyncio.run(scenario())


def test_oversized_presigned_upload_is_deleted(s3_store: S3BlobStore) -> None:
    upload_id = new_upload_id()

    async def scenario() -> None:
        url = await s3_store.presign_upload(upload_id, 600)
        http("PUT", url.url, b"x" * 5000).close()
        with pytest.raises(ResourceExhausted):
            await s3_store.stage_upload(upload_id, max_bytes=4096)
        with pytest.raises(NotFound):
            await s3_store.stage_upload(upload_id)

    asyncio.run(scenario())


def test_public_endpoint_is_used_for_presigned_urls(moto_endpoint: str, tmp_path: Path) -> None:
    store = make_s3_store(moto_endpoint, tmp_path, public_endpoint_url="https://s3.images.example")
    url = asyncio.run(store.presign_get("a" * 64, 60))
    assert url.url.startswith(f"https://s3.images.example/{store.config.bucket}/blobs/{'a' * 64}?")


def test_unreachable_endpoint_is_unavailable(tmp_path: Path) -> None:
    store = make_s3_store(f"http://127.0.0.1:{_free_port()}", tmp_path, connect_timeout_s=0.5)

    async def scenario() -> None:
        for attempt in (store.exists("a" * 64), store.put_bytes(b"data")):
            with pytest.raises(Unavailable) as caught:
                await attempt
            assert caught.value.reason == "BLOB_STORE_UNAVAILABLE"
            assert "127.0.0.1" not in caught.value.message

    asyncio.run(scenario())
    assert os.listdir(tmp_path) == []


def test_config_is_validated() -> None:
    from imagemesh_kit.errors import InvalidArgument
    from services.storage.adapters.blobs.s3_config import S3Config

    for bad in (
        {"bucket": ""},
        {"bucket": "b", "part_size": 1024},
        {"bucket": "b", "key_prefix": "x"},
        {"bucket": "b", "addressing_style": "weird"},
    ):
        with pytest.raises(InvalidArgument):
            S3Config(**bad)
    assert S3Config(bucket="b", key_prefix="imagemesh/").key_prefix == "imagemesh/"


@pytest.mark.parametrize("expires_in", [0, 7 * 24 * 3600 + 1])
def test_presign_expiry_range(s3_store: S3BlobStore, expires_in: int) -> None:
    from imagemesh_kit.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as caught:
        asyncio.run(s3_store.presign_get("a" * 64, expires_in))
    assert caught.value.reason == "INVALID_EXPIRY"
