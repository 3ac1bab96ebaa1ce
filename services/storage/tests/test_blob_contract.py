"""The BlobStore contract, run against both backends (local directory and S3 on moto_server)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from imagemesh_kit.errors import InvalidArgument, NotFound, ResourceExhausted
from services.storage.adapters.blobs.base import BlobStore
from services.storage.adapters.blobs.chunks import BATCH_BYTES
from services.storage.adapters.blobs.s3_config import MIN_PART_SIZE
from services.storage.domain.limits import DEFAULT_MAX_BYTES

from .conftest import litter

MIB = 1024 * 1024
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def read_all(store: BlobStore, key: str, chunk_size: int = 256 * 1024) -> bytes:
    return b"".join([chunk async for chunk in store.read_stream(key, chunk_size)])


async def agen(data: bytes, chunk: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def sync_chunks(data: bytes, chunk: int) -> Iterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


# Sizes around every boundary: async batch size, S3 part size (tests use the 5 MiB minimum), 25 MiB.
BOUNDARY_SIZES = [
    1,
    2,
    BATCH_BYTES - 1,
    BATCH_BYTES,
    BATCH_BYTES + 1,
    MIN_PART_SIZE - 1,
    MIN_PART_SIZE,
    MIN_PART_SIZE + 1,
    2 * MIN_PART_SIZE + 1,
    DEFAULT_MAX_BYTES - 1,
    DEFAULT_MAX_BYTES,
]


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_round_trip_checksums_at_boundaries(store: BlobStore, size: int) -> None:
    data = os.urandom(size)

    async def scenario() -> None:
        result = await store.put_stream(agen(data, 64 * 1024 + 7), max_bytes=DEFAULT_MAX_BYTES)
        sha, stored_size = result
        assert sha == hashlib.sha256(data).hexdigest() and stored_size == size
        assert await store.size(result.sha256) == size
        streamed = hashlib.sha256()
        async for chunk in store.read_stream(result.sha256, 1024 * 1024):
            assert 0 < len(chunk) <= 1024 * 1024
            streamed.update(chunk)
        assert streamed.hexdigest() == result.sha256

    run(scenario())
    assert litter(store) == []


def test_sync_iterables_bytes_and_empty_blob(store: BlobStore) -> None:
    data = os.urandom(3 * MIB + 5)

    async def scenario() -> None:
        result = await store.put_stream(sync_chunks(data, 100_000))
        assert await read_all(store, result.sha256, 333) == data
        empty = await store.put_bytes(b"")
        assert empty.sha256 == hashlib.sha256(b"").hexdigest() and empty.size == 0
        assert await store.read_bytes(empty.sha256) == b""
        small = await store.put_bytes(b"thumbnail")
        assert await store.read_bytes(small.sha256) == b"thumbnail"

    run(scenario())


def test_identical_content_is_stored_once_and_put_is_idempotent(store: BlobStore) -> None:
    data = os.urandom(200_000)

    async def scenario() -> None:
        first = await store.put_bytes(data)
        second = await store.put_stream(agen(data, 999))
        assert first == second
        assert await read_all(store, first.sha256) == data

    run(scenario())


def test_concurrent_puts_of_identical_content(store: BlobStore) -> None:
    data = os.urandom(2 * MIB + 3)

    async def scenario() -> None:
        results = await asyncio.gather(*(store.put_stream(agen(data, 50_000 + i)) for i in range(8)))
        assert len(set(results)) == 1
        assert await read_all(store, results[0].sha256) == data

    run(scenario())
    assert litter(store) == []


def test_failing_stream_leaves_no_blob_and_no_litter(store: BlobStore) -> None:
    data = os.urandom(3 * MIB)

    async def broken() -> AsyncIterator[bytes]:
        yield data[: 2 * MIB]
        raise ConnectionResetError("client went away")

    def broken_sync() -> Iterator[bytes]:
        yield data[:MIB]
        raise ConnectionResetError("client went away")

    async def scenario() -> None:
        for source in (broken(), broken_sync()):
            with pytest.raises(ConnectionResetError):
                await store.put_stream(source)
        assert not await store.exists(hashlib.sha256(data).hexdigest())
        assert not await store.exists(hashlib.sha256(data[: 2 * MIB]).hexdigest())

    run(scenario())
    assert litter(store) == []


def test_cancelled_put_leaves_no_litter(store: BlobStore) -> None:
    async def slow() -> AsyncIterator[bytes]:
        yield os.urandom(2 * MIB)
        await asyncio.sleep(30)
        yield b"never"

    async def scenario() -> None:
        task = asyncio.create_task(store.put_stream(slow()))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario())
    assert litter(store) == []


def test_size_limit_and_checksum_are_enforced_while_streaming(store: BlobStore) -> None:
    data = os.urandom(MIB + 1)

    async def scenario() -> None:
        with pytest.raises(ResourceExhausted) as caught:
            await store.put_stream(agen(data, 4096), max_bytes=MIB)
        assert caught.value.reason == "IMAGE_TOO_LARGE"
        with pytest.raises(InvalidArgument) as caught_sha:
            await store.put_stream(agen(data, 4096), expected_sha256="0" * 64)
        assert caught_sha.value.reason == "CHECKSUM_MISMATCH"
        ok = await store.put_stream(agen(data, 4096), expected_sha256=hashlib.sha256(data).hexdigest().upper())
        assert ok.size == len(data)

    run(scenario())
    assert litter(store) == []


def test_missing_blobs_and_delete(store: BlobStore) -> None:
    missing = "ab" * 32

    async def scenario() -> None:
        assert not await store.exists(missing)
        with pytest.raises(NotFound) as caught:
            await store.size(missing)
        assert caught.value.reason == "BLOB_NOT_FOUND"
        with pytest.raises(NotFound):
            await read_all(store, missing)
        assert await store.delete(missing) is False
        put = await store.put_bytes(b"to be deleted")
        assert await store.delete(put.sha256) is True
        assert not await store.exists(put.sha256)
        assert await store.delete(put.sha256) is False
        again = await store.put_bytes(b"to be deleted")  # re-adding after delete works
        assert await store.read_bytes(again.sha256) == b"to be deleted"

    run(scenario())


@pytest.mark.parametrize("key", ["", "AB" * 32, "ab" * 31, "../" + "a" * 61, "g" * 64, "a" * 64 + "\n"])
def test_keys_are_validated(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        run(store.exists(key))
    assert caught.value.reason == "INVALID_BLOB_KEY"


def test_stage_open_commit_discard(store: BlobStore) -> None:
    from .samples import sample

    png = sample("PNG")

    async def scenario() -> None:
        staged = await store.stage_stream(agen(png, 10_000))
        assert staged.size == len(png) and not await store.exists(staged.sha256)
        async with store.open_staged(staged) as handle:
            from services.storage.domain.inspect import inspect_file

            assert inspect_file(handle).width == 451
        await store.commit(staged)
        await store.commit(staged)  # idempotent
        assert await store.delete(staged.sha256)
        await store.commit(staged)  # until discarded, a commit re-creates a deleted blob (retried tx)
        await store.discard(staged)
        await store.discard(staged)  # idempotent
        assert await store.read_bytes(staged.sha256) == png
        dropped = await store.stage_stream([b"rejected content"])
        await store.discard(dropped)
        assert not await store.exists(dropped.sha256)

    run(scenario())
    assert litter(store) == []


@pytest.mark.parametrize("chunk_size", [0, -1, 4 * MIB + 1])
def test_read_chunk_size_is_validated(store: BlobStore, chunk_size: int) -> None:
    async def scenario() -> None:
        key = (await store.put_bytes(b"abc")).sha256
        with pytest.raises(InvalidArgument) as caught:
            await read_all(store, key, chunk_size)
        assert caught.value.reason == "INVALID_CHUNK_SIZE"

    run(scenario())
