"""Presigned uploads and download URLs on both backends: S3 URLs used with a plain HTTP client against
moto; local URLs through the service's own signed-URL methods (Envoy's part is in tests/e2e)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from urllib.parse import parse_qsl, urlsplit

import grpc
import httpx
import pytest
from google.api import httpbody_pb2

from imagemesh.storage.v1 import storage_pb2
from services.storage.adapters.blobs.signer import UrlSigner

from .harness import URL_SECRET, expect_error
from .samples import sample

pytestmark = pytest.mark.integration
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def start(
    storage, user, data: bytes, content_type: str = "image/png", **fields
) -> storage_pb2.CreateUploadResponse:
    request = storage_pb2.CreateUploadRequest(content_type=content_type, size_bytes=len(data), **fields)
    return await storage.stub.CreateUpload(request, metadata=user.md)


async def put(storage, upload: storage_pb2.CreateUploadResponse, data: bytes) -> int:
    """PUT the bytes where the upload URL says, as a client would."""
    if storage.backend == "s3":
        response = await asyncio.to_thread(httpx.put, upload.upload_url, content=data, headers=dict(upload.headers))
        return response.status_code
    query = dict(parse_qsl(urlsplit(upload.upload_url).query))
    try:
        await storage.stub.PutUploadContent(put_messages(upload.upload_id, query, data))
    except grpc.aio.AioRpcError as exc:
        return {grpc.StatusCode.PERMISSION_DENIED: 403, grpc.StatusCode.NOT_FOUND: 404}.get(exc.code(), 500)
    return 200


def put_messages(upload_id: str, query: dict[str, str], data: bytes, piece: int = 100_000):
    """PutUploadContent's stream as Envoy sends a PUT body: the signed fields with the first piece, then pieces."""
    yield storage_pb2.PutUploadContentRequest(
        upload_id=upload_id, content=httpbody_pb2.HttpBody(content_type="image/png", data=data[:piece]), **query
    )
    for start in range(piece, len(data), piece):
        yield storage_pb2.PutUploadContentRequest(content=httpbody_pb2.HttpBody(data=data[start : start + piece]))


async def fetch(storage, url: str) -> tuple[int, bytes, str]:
    if storage.backend == "s3":
        response = await asyncio.to_thread(httpx.get, url)
        return response.status_code, response.content, response.headers.get("content-type", "")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    request = storage_pb2.GetBlobContentRequest(blob=parts.path.rsplit("/", 1)[1], **query)
    try:
        messages = [m async for m in storage.stub.GetBlobContent(request)]
    except grpc.aio.AioRpcError as exc:
        return {grpc.StatusCode.PERMISSION_DENIED: 403}.get(exc.code(), 500), b"", ""
    return 200, b"".join(m.data for m in messages), messages[0].content_type


async def confirm(storage, user, upload_id: str, request_id: str = "") -> storage_pb2.Image:
    request = storage_pb2.ConfirmUploadRequest(upload_id=upload_id, request_id=request_id)
    return (await storage.stub.ConfirmUpload(request, metadata=user.md)).image


async def test_presigned_upload_end_to_end(storage):
    user, other = await storage.user(), await storage.user()
    data = sample("TIFF")
    upload = await start(storage, user, data, "image/tiff", filename="scan.tif", kind="restored")
    assert upload.method == "PUT" and upload.headers["Content-Type"] == "image/tiff"
    assert upload.expires_at.seconds > time.time()
    await expect_error(
        confirm(storage, user, upload.upload_id), grpc.StatusCode.FAILED_PRECONDITION, "UPLOAD_CONTENT_MISSING"
    )
    assert await put(storage, upload, data) == 200
    await expect_error(confirm(storage, other, upload.upload_id), NOT_FOUND, "UPLOAD_NOT_FOUND")
    image = await confirm(storage, user, upload.upload_id)
    assert image.sha256 == hashlib.sha256(data).hexdigest() and image.content_type == "image/tiff"
    assert image.filename == "scan.tif" and image.kind == "restored" and image.owner_id == user.id
    assert (await confirm(storage, user, upload.upload_id)).id == image.id  # confirm is repeatable
    _, body = await storage.download(user, image.id)
    assert body == data and await storage.refcount(image.sha256) == 1


async def test_confirm_refuses_bad_bytes_and_consumes_the_upload(storage):
    user = await storage.user()
    upload = await start(storage, user, b"x" * 100)
    assert await put(storage, upload, b"x" * 100) == 200
    await expect_error(
        confirm(storage, user, upload.upload_id), grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_MEDIA_TYPE"
    )
    await expect_error(confirm(storage, user, upload.upload_id), NOT_FOUND, "UPLOAD_NOT_FOUND")


async def test_create_upload_validates_its_fields(storage):
    user = await storage.user()
    cases = [
        ({"content_type": "text/html", "size_bytes": 10}, grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_MEDIA_TYPE"),
        ({"content_type": "image/png", "size_bytes": 0}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SIZE"),
        (
            {"content_type": "image/png", "size_bytes": 26 * 2**20},
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "IMAGE_TOO_LARGE",
        ),
        (
            {"content_type": "image/png", "size_bytes": 9, "kind": "BAD"},
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_KIND",
        ),
        (
            {"content_type": "image/png", "size_bytes": 9, "source_image_id": "0" * 36},
            NOT_FOUND,
            "SOURCE_IMAGE_NOT_FOUND",
        ),
    ]
    for fields, code, reason in cases:
        call = storage.stub.CreateUpload(storage_pb2.CreateUploadRequest(**fields), metadata=user.md)
        await expect_error(call, code, reason)
    await expect_error(confirm(storage, user, "bad id!"), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_UPLOAD_ID")
    await expect_error(confirm(storage, user, "A" * 32), NOT_FOUND, "UPLOAD_NOT_FOUND")


async def test_confirm_with_a_request_id_is_idempotent(storage):
    user = await storage.user()
    data = sample("PNG")
    first = await start(storage, user, data)
    assert await put(storage, first, data) == 200
    image = await confirm(storage, user, first.upload_id, request_id="r-1")
    second = await start(storage, user, data)
    assert await put(storage, second, data) == 200
    assert (await confirm(storage, user, second.upload_id, request_id="r-1")).id == image.id
    assert await storage.refcount(image.sha256) == 1


async def test_download_urls_work_without_a_token_and_refuse_tampering(storage):
    user = await storage.user()
    data = sample("GIF")
    image = await storage.create(user, data, filename="anim.gif")
    request = storage_pb2.GetImageDownloadUrlRequest(image_id=image.id, expires_in=60)
    link = await storage.stub.GetImageDownloadUrl(request, metadata=user.md)
    assert 0 < link.expires_at.seconds - time.time() <= 61
    status, body, content_type = await fetch(storage, link.url)
    assert status == 200 and body == data and content_type == "image/gif"
    if storage.backend == "local":
        status, _, _ = await fetch(storage, link.url.replace("signature=", "signature=A"))
        assert status == 403
    too_long = storage_pb2.GetImageDownloadUrlRequest(image_id=image.id, expires_in=8 * 86400)
    await expect_error(
        storage.stub.GetImageDownloadUrl(too_long, metadata=user.md), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_EXPIRY"
    )


@pytest.mark.parametrize("storage", ["local"], indirect=True)
async def test_local_signed_urls_expire_and_are_bound_to_their_path(storage):
    user = await storage.user()
    data = sample("PNG")
    upload = await start(storage, user, data)
    past = UrlSigner(URL_SECRET.encode(), clock=lambda: time.time() - 3600)
    stale = past.sign("PUT", f"/v1/uploads/{upload.upload_id}", 60)
    request = storage_pb2.PutUploadContentRequest(
        upload_id=upload.upload_id, content=httpbody_pb2.HttpBody(data=data), **stale
    )
    await expect_error(
        storage.stub.PutUploadContent(iter([request])), grpc.StatusCode.PERMISSION_DENIED, "SIGNED_URL_EXPIRED"
    )
    other = await start(storage, user, data)
    query = dict(parse_qsl(urlsplit(upload.upload_url).query))
    moved = storage_pb2.PutUploadContentRequest(
        upload_id=other.upload_id, content=httpbody_pb2.HttpBody(data=data), **query
    )
    await expect_error(
        storage.stub.PutUploadContent(iter([moved])), grpc.StatusCode.PERMISSION_DENIED, "SIGNED_URL_INVALID"
    )
    unsigned = storage_pb2.GetBlobContentRequest(blob="0" * 64)
    await expect_error(
        _drain(storage.stub.GetBlobContent(unsigned)), grpc.StatusCode.PERMISSION_DENIED, "SIGNED_URL_INVALID"
    )


@pytest.mark.parametrize("storage", ["local"], indirect=True)
async def test_local_signed_put_streams_and_refuses_oversized_or_odd_bodies(storage):
    from .conftest import litter
    from .harness import MIB, png_of_size

    user = await storage.user()
    data = png_of_size(3 * MIB + 5)
    upload = await start(storage, user, data)
    query = dict(parse_qsl(urlsplit(upload.upload_url).query))
    answer = await storage.stub.PutUploadContent(put_messages(upload.upload_id, query, data, piece=MIB))
    assert answer.size_bytes == len(data)
    assert (await confirm(storage, user, upload.upload_id)).sha256 == hashlib.sha256(data).hexdigest()

    odd = await start(storage, user, data)
    query = dict(parse_qsl(urlsplit(odd.upload_url).query))
    messages = [*put_messages(odd.upload_id, query, data, piece=MIB)]
    messages[2].upload_id = odd.upload_id  # only the first message may name the upload
    await expect_error(
        storage.stub.PutUploadContent(iter(messages)), grpc.StatusCode.INVALID_ARGUMENT, "CHUNK_EXPECTED"
    )
    too_big = png_of_size(25 * MIB + 1)
    messages = put_messages(odd.upload_id, query, too_big, piece=MIB)
    await expect_error(storage.stub.PutUploadContent(messages), grpc.StatusCode.RESOURCE_EXHAUSTED, "IMAGE_TOO_LARGE")
    assert litter(storage.store) == [] and not (storage.store.root / "uploads" / odd.upload_id).exists()
    await expect_error(
        confirm(storage, user, odd.upload_id), grpc.StatusCode.FAILED_PRECONDITION, "UPLOAD_CONTENT_MISSING"
    )


@pytest.mark.parametrize("storage", ["s3"], indirect=True)
async def test_signed_url_methods_are_refused_on_the_s3_backend(storage):
    request = storage_pb2.GetBlobContentRequest(blob="0" * 64, expires="1", signature="x")
    await expect_error(
        _drain(storage.stub.GetBlobContent(request)), grpc.StatusCode.FAILED_PRECONDITION, "NOT_LOCAL_BACKEND"
    )


async def _drain(call) -> list:
    return [m async for m in call]


async def test_concurrent_confirms_create_one_image(storage):
    user = await storage.user()
    data = sample("BMP")
    upload = await start(storage, user, data, "image/bmp")
    assert await put(storage, upload, data) == 200
    results = await asyncio.gather(
        *(confirm(storage, user, upload.upload_id) for _ in range(4)), return_exceptions=True
    )
    images = {r.id for r in results if not isinstance(r, Exception)}
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(images) == 1
    assert all(e.code() == grpc.StatusCode.ABORTED for e in errors)  # UPLOAD_BUSY: retry later
    assert (await confirm(storage, user, upload.upload_id)).id in images
    assert await storage.refcount(hashlib.sha256(data).hexdigest()) == 1
