"""Content addressing and reference counts through the service: dedup, derived images, thumbnails,
idempotent creates and concurrent identical uploads and deletes (both backends, both databases)."""

from __future__ import annotations

import asyncio
import hashlib
import random

import grpc
import pytest

from imagemesh.storage.v1 import storage_pb2

from .harness import png_of_size
from .samples import sample

pytestmark = pytest.mark.integration


async def delete(storage, user, image_id: str) -> None:
    await storage.stub.DeleteImage(storage_pb2.DeleteImageRequest(image_id=image_id), metadata=user.md)


async def test_identical_bytes_are_stored_once_and_removed_with_the_last_image(storage):
    alice, bob = await storage.user(), await storage.user()
    data = sample("WEBP")
    sha = hashlib.sha256(data).hexdigest()
    first = await storage.create(alice, data)
    second = await storage.upload(bob, data)
    assert first.sha256 == second.sha256 == sha and await storage.refcount(sha) == 2
    await delete(storage, alice, first.id)
    assert await storage.refcount(sha) == 1 and await storage.store.exists(sha)
    _, body = await storage.download(bob, second.id)
    assert body == data
    await delete(storage, bob, second.id)
    assert await storage.refcount(sha) is None and not await storage.store.exists(sha)


async def test_derived_images_outlive_their_original(storage):
    user = await storage.user()
    original = await storage.create(user, sample("JPEG"))
    derived = await storage.create(user, sample("PNG"), kind="sketch", source_image_id=original.id)
    assert derived.kind == "sketch" and derived.source_image_id == original.id
    await delete(storage, user, original.id)
    image, body = await storage.download(user, derived.id)
    assert image.source_image_id == original.id and body == sample("PNG")


async def test_thumbnails_are_cached_as_references_and_go_with_their_image(storage):
    user = await storage.user()
    image = await storage.create(user, sample("JPEG"))
    request = storage_pb2.GetImageThumbnailRequest(image_id=image.id, size=64)
    first = await storage.stub.GetImageThumbnail(request, metadata=user.md)
    again = await storage.stub.GetImageThumbnail(request, metadata=user.md)
    assert first.content_type == "image/jpeg" and first.data == again.data
    thumb_sha = hashlib.sha256(first.data).hexdigest()
    assert await storage.refcount(thumb_sha) == 1 and await storage.store.exists(thumb_sha)
    await delete(storage, user, image.id)
    assert await storage.refcount(thumb_sha) is None and not await storage.store.exists(thumb_sha)
    assert await storage.refcount(image.sha256) is None


async def test_a_request_id_creates_one_image_even_when_retried_concurrently(storage):
    user, other = await storage.user(), await storage.user()
    data = sample("GIF")
    sequential = [await storage.create(user, data, request_id="job-1") for _ in range(2)]
    assert sequential[0].id == sequential[1].id
    results = await asyncio.gather(
        *(storage.upload(user, data, request_id="job-2") for _ in range(3)),
        *(storage.create(user, data, request_id="job-2") for _ in range(3)),
    )
    assert len({r.id for r in results}) == 1
    mine = await storage.create(other, data, request_id="job-2")  # request ids are per caller
    assert mine.id != results[0].id
    # job-1, job-2 (user) and job-2 (other): three references, no more.
    assert await storage.refcount(hashlib.sha256(data).hexdigest()) == 3
    listed = await storage.stub.ListImages(storage_pb2.ListImagesRequest(), metadata=user.md)
    assert len(listed.images) == 2


async def test_concurrent_identical_uploads_and_deletes_keep_count_and_bytes_consistent(storage):
    users = [await storage.user() for _ in range(3)]
    data = png_of_size(300_000)
    sha = hashlib.sha256(data).hexdigest()
    rng = random.Random(7)
    alive: list[tuple[object, str]] = []

    async def upload(user):
        image = await (storage.create(user, data) if rng.random() < 0.5 else storage.upload(user, data, chunk=65536))
        alive.append((user, image.id))

    async def delete_one():
        await asyncio.sleep(0)
        if alive:
            user, image_id = alive.pop(rng.randrange(len(alive)))
            await delete(storage, user, image_id)

    for _ in range(3):
        tasks = [upload(rng.choice(users)) for _ in range(6)] + [delete_one() for _ in range(4)]
        rng.shuffle(tasks)
        await asyncio.gather(*tasks)
        count = await storage.refcount(sha)
        assert (count or 0) == len(alive)
        assert await storage.store.exists(sha) == bool(alive)
    for user, image_id in alive:
        _, body = await storage.download(user, image_id)
        assert body == data
    await asyncio.gather(*(delete(storage, u, i) for u, i in alive))
    assert await storage.refcount(sha) is None and not await storage.store.exists(sha)


async def test_deleting_twice_answers_not_found(storage):
    user = await storage.user()
    image = await storage.create(user, sample("BMP"))
    await delete(storage, user, image.id)
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await delete(storage, user, image.id)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND
