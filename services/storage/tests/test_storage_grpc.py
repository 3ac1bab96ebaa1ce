"""The storage service over a real gRPC channel: both blob backends (local, S3 on moto) x SQLite/PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib

import grpc
import pytest
from google.api import httpbody_pb2

from imagemesh.storage.v1 import storage_pb2
from services.storage.domain.images import ORIGINAL

from .harness import MIB, create_messages, expect_error, png_of_size
from .samples import FORMATS, sample

pytestmark = pytest.mark.integration
BAD = grpc.StatusCode.INVALID_ARGUMENT
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED
MISSING = grpc.StatusCode.NOT_FOUND
OK_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}


async def test_every_format_round_trips_by_rest_body_and_by_stream(storage):
    user = await storage.user()
    for fmt in FORMATS:
        data = sample(fmt)
        made = await storage.create(user, data, filename=f"../cat {fmt}.bin", description="a cat")
        assert made.content_type == OK_FORMATS[fmt] and (made.width, made.height) == (451, 300)
        assert made.sha256 == hashlib.sha256(data).hexdigest() and made.size_bytes == len(data)
        assert made.owner_id == user.id and made.kind == ORIGINAL and made.description == "a cat"
        assert "/" not in made.filename and made.filename
        streamed = await storage.upload(user, data, chunk=4096, filename="cat")
        assert streamed.sha256 == made.sha256 and streamed.id != made.id
        image, body = await storage.download(user, streamed.id)
        assert image == streamed and body == data
        content_type, body = await storage.content(user, made.id)
        assert body == data and content_type == OK_FORMATS[fmt]
    assert await storage.refcount(hashlib.sha256(sample("PNG")).hexdigest()) == 2


async def test_bad_input_is_refused_with_status_and_reason(storage):
    from .samples import png_header_only

    user = await storage.user()
    png = sample("PNG")
    cases = [
        (storage.create(user, b""), BAD, "EMPTY_BODY"),
        (storage.create(user, b"hello, not an image"), BAD, "UNSUPPORTED_MEDIA_TYPE"),
        (storage.create(user, b"%PDF-1.7\n" + b"x" * 100), BAD, "UNSUPPORTED_MEDIA_TYPE"),
        (storage.create(user, png[: len(png) // 2]), BAD, "CORRUPT_IMAGE"),
        (storage.create(user, png_header_only(10_000, 10_000)), EXHAUSTED, "TOO_MANY_PIXELS"),
        (storage.upload(user, png_header_only(10_000, 10_000)), EXHAUSTED, "TOO_MANY_PIXELS"),
        (storage.upload(user, b"GIF89a-not-really"), BAD, "CORRUPT_IMAGE"),
        (storage.upload(user, b"text"), BAD, "UNSUPPORTED_MEDIA_TYPE"),
        (storage.upload(user, b""), BAD, "EMPTY_BODY"),
        (storage.create(user, png, kind="Sketch!"), BAD, "INVALID_KIND"),
        (storage.create(user, png, request_id="has spaces"), BAD, "INVALID_REQUEST_ID"),
        (storage.create(user, png, description="x" * 2001), BAD, "DESCRIPTION_TOO_LONG"),
        (storage.create(user, png, source_image_id="0" * 36), MISSING, "SOURCE_IMAGE_NOT_FOUND"),
        (storage.create(user, png, source_image_id="../x"), MISSING, "SOURCE_IMAGE_NOT_FOUND"),
    ]
    for call, code, reason in cases:
        await expect_error(call, code, reason)
    stub, md = storage.stub, user.md
    await expect_error(stub.GetImage(storage_pb2.GetImageRequest(), metadata=md), BAD, "IMAGE_ID_REQUIRED")
    await expect_error(
        stub.GetImage(storage_pb2.GetImageRequest(image_id="nope"), metadata=md),
        MISSING,
        "IMAGE_NOT_FOUND",
    )
    await expect_error(
        stub.ListImages(storage_pb2.ListImagesRequest(page_token="x"), metadata=md),
        BAD,
        "INVALID_PAGE_TOKEN",
    )
    await expect_error(
        stub.ListImages(storage_pb2.ListImagesRequest(page_size=-1), metadata=md),
        BAD,
        "INVALID_PAGE_SIZE",
    )
    no_meta = stub.UploadImage(_chunks_only(png), metadata=md)
    await expect_error(no_meta, BAD, "METADATA_REQUIRED")
    twice = stub.UploadImage(_metadata_twice(png), metadata=md)
    await expect_error(twice, BAD, "CHUNK_EXPECTED")
    # Nothing half-written: no image, no blob reference, no staged litter.
    listed = await stub.ListImages(storage_pb2.ListImagesRequest(), metadata=md)
    assert list(listed.images) == []
    assert await storage.refcount(hashlib.sha256(png).hexdigest()) is None
    assert _litter(storage) == []


async def _chunks_only(data):
    yield storage_pb2.UploadImageRequest(chunk=data)


async def _metadata_twice(data):
    yield storage_pb2.UploadImageRequest(metadata=storage_pb2.ImageMetadata())
    yield storage_pb2.UploadImageRequest(chunk=data[:100])
    yield storage_pb2.UploadImageRequest(metadata=storage_pb2.ImageMetadata())


def _litter(storage) -> list[str]:
    from .conftest import litter

    return litter(storage.store)


async def test_oversized_uploads_are_refused_while_streaming(storage):
    user = await storage.user()
    body = png_of_size(25 * MIB + 1)
    await expect_error(storage.upload(user, body), EXHAUSTED, "IMAGE_TOO_LARGE")
    await expect_error(storage.create(user, body), EXHAUSTED, "IMAGE_TOO_LARGE")
    await expect_error(storage.create(user, body, piece=MIB), EXHAUSTED, "IMAGE_TOO_LARGE")
    assert _litter(storage) == []


async def test_create_image_takes_one_message_or_the_body_in_pieces(storage):
    user = await storage.user()
    data = sample("PNG")
    digest = hashlib.sha256(data).hexdigest()

    async def fields_then_pieces():  # the fields alone, then odd-sized pieces; a repeated content_type is ignored
        yield storage_pb2.CreateImageRequest(filename="pieces.png", description="in pieces", kind="sketch")
        for start in range(0, len(data), 7001):
            piece = httpbody_pb2.HttpBody(content_type="image/png", data=data[start : start + 7001])
            yield storage_pb2.CreateImageRequest(content=piece)

    image = (await storage.stub.CreateImage(fields_then_pieces(), metadata=user.md)).image
    assert (image.sha256, image.size_bytes, image.filename) == (digest, len(data), "pieces.png")
    assert (image.description, image.kind, image.content_type) == ("in pieces", "sketch", "image/png")
    as_envoy = await storage.create(user, data, piece=1000, content_type="text/plain", request_id="r-7")
    assert as_envoy.sha256 == digest and as_envoy.content_type == "image/png"  # the type comes from the bytes
    again = await storage.create(user, sample("GIF"), piece=1000, request_id="r-7")
    assert again.id == as_envoy.id  # request_id idempotency holds for a streamed body too

    later_fields = [m async for m in create_messages(data, piece=50_000, filename="a.png")]
    later_fields[2].filename = "b.png"
    await expect_error(storage.stub.CreateImage(iter(later_fields), metadata=user.md), BAD, "CHUNK_EXPECTED")
    await expect_error(storage.stub.CreateImage(iter([]), metadata=user.md), BAD, "EMPTY_BODY")
    text = b"not an image at all " * 10_000
    await expect_error(storage.create(user, text, piece=4096), BAD, "UNSUPPORTED_MEDIA_TYPE")
    listed = await storage.stub.ListImages(storage_pb2.ListImagesRequest(), metadata=user.md)
    assert len(listed.images) == 2 and await storage.refcount(digest) == 2
    assert _litter(storage) == []


async def test_an_abandoned_create_leaves_nothing(storage):
    user = await storage.user()
    data = png_of_size(3 * MIB)
    sent_some = asyncio.Event()

    async def stalls_half_way():
        async for message in create_messages(data[: 2 * MIB], piece=256 * 1024, filename="never.png"):
            yield message
        sent_some.set()
        await asyncio.Event().wait()  # the client goes quiet, then gives up

    call = storage.stub.CreateImage(stalls_half_way(), metadata=user.md)
    await asyncio.wait_for(sent_some.wait(), 10)
    await _until(lambda: _litter(storage) != [])  # the service is staging the bytes
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await _until(lambda: _litter(storage) == [])
    listed = await storage.stub.ListImages(storage_pb2.ListImagesRequest(), metadata=user.md)
    assert list(listed.images) == []


async def _until(condition, timeout_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_tokens_are_required_and_checked(storage):
    request = storage_pb2.ListImagesRequest()
    await expect_error(storage.stub.ListImages(request), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    bad = (("authorization", "Bearer not.a.token"),)
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await storage.stub.ListImages(request, metadata=bad)
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_other_users_images_answer_not_found_everywhere_and_admins_read_all(storage):
    alice, bob, admin = await storage.user(), await storage.user(), await storage.user("admin")
    image = await storage.create(alice, sample("JPEG"))
    stub, ref = storage.stub, {"image_id": image.id}
    calls = [
        lambda md: stub.GetImage(storage_pb2.GetImageRequest(**ref), metadata=md),
        lambda md: storage.content(_as(md), image.id),
        lambda md: stub.GetImageThumbnail(storage_pb2.GetImageThumbnailRequest(**ref), metadata=md),
        lambda md: stub.GetImageDownloadUrl(storage_pb2.GetImageDownloadUrlRequest(**ref), metadata=md),
        lambda md: storage.download(_as(md), image.id),
        lambda md: stub.DeleteImage(storage_pb2.DeleteImageRequest(**ref), metadata=md),
    ]
    for call in calls:
        await expect_error(call(bob.md), MISSING, "IMAGE_NOT_FOUND")
    for call in calls[:-1]:
        assert await call(admin.md)  # admins read everything
    assert list((await stub.ListImages(storage_pb2.ListImagesRequest(), metadata=bob.md)).images) == []
    await expect_error(
        stub.ListImages(storage_pb2.ListImagesRequest(owner_id=alice.id), metadata=bob.md),
        grpc.StatusCode.PERMISSION_DENIED,
        "ADMIN_REQUIRED",
    )
    by_admin = await stub.ListImages(storage_pb2.ListImagesRequest(owner_id=alice.id), metadata=admin.md)
    assert [i.id for i in by_admin.images] == [image.id]
    everyone = await stub.ListImages(storage_pb2.ListImagesRequest(owner_id="-"), metadata=admin.md)
    assert image.id in [i.id for i in everyone.images]
    await expect_error(
        storage.create(bob, sample("PNG"), source_image_id=image.id),
        MISSING,
        "SOURCE_IMAGE_NOT_FOUND",
    )
    await stub.DeleteImage(storage_pb2.DeleteImageRequest(**ref), metadata=alice.md)
    await expect_error(calls[0](admin.md), MISSING, "IMAGE_NOT_FOUND")


def _as(md):
    from .harness import User

    return User("", md[0][1].removeprefix("Bearer "))


async def test_list_pages_newest_first_with_filters(storage):
    user = await storage.user()
    made = [await storage.create(user, png_of_size(200 + i)) for i in range(5)]
    derived = await storage.create(user, png_of_size(300), kind="sketch", source_image_id=made[0].id)
    seen, token = [], ""
    while True:
        page = await storage.stub.ListImages(
            storage_pb2.ListImagesRequest(page_size=2, page_token=token), metadata=user.md
        )
        seen += [i.id for i in page.images]
        token = page.next_page_token
        if not token:
            break
    assert seen == [derived.id, *[m.id for m in reversed(made)]]
    sketches = await storage.stub.ListImages(storage_pb2.ListImagesRequest(kind="sketch"), metadata=user.md)
    assert [i.id for i in sketches.images] == [derived.id]
    children = await storage.stub.ListImages(
        storage_pb2.ListImagesRequest(source_image_id=made[0].id), metadata=user.md
    )
    assert [i.id for i in children.images] == [derived.id]


async def test_a_forged_cursor_is_an_invalid_page_token(storage):
    from imagemesh_kit.pagination import encode_page_token

    user = await storage.user()
    forged = encode_page_token({"t": "not a time", "i": "x"})
    call = storage.stub.ListImages(storage_pb2.ListImagesRequest(page_token=forged), metadata=user.md)
    await expect_error(call, BAD, "INVALID_PAGE_TOKEN")


async def test_a_refused_stream_reports_its_reason_to_a_python_client_every_time(storage):
    # grpc-python's asyncio client replaces the server's status with INTERNAL "Internal error from Core" when
    # the server answers while the client is still writing (grpc/grpc#36066); storage reads the rest of a
    # refused upload (up to a bound) before answering, so the caller learns why
    user = await storage.user()
    text = b"not an image at all " * 10_000
    later_fields = [m async for m in create_messages(sample("PNG"), piece=4096, filename="a.png")]
    later_fields[1].filename = "b.png"
    for _ in range(15):
        await expect_error(storage.create(user, text, piece=4096), BAD, "UNSUPPORTED_MEDIA_TYPE")
        await expect_error(storage.upload(user, text, chunk=4096), BAD, "UNSUPPORTED_MEDIA_TYPE")
        await expect_error(storage.stub.CreateImage(iter(later_fields), metadata=user.md), BAD, "CHUNK_EXPECTED")
