"""The reference-counting protocol of docs/storage/INTEGRATION.md, simulated with an in-memory table
and per-row locks (standing in for SQL `SELECT ... FOR UPDATE`), under concurrent uploads and deletes
of identical content, on both backends. Invariant: a counted reference always has its blob."""

from __future__ import annotations

import asyncio
import os
import random
from collections import defaultdict

from services.storage.adapters.blobs.base import BlobStore

from .conftest import litter


class RefTable:
    """blobs(sha256, refcount) with one lock per row."""

    def __init__(self) -> None:
        self.refcount: dict[str, int] = {}
        self.locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


async def upload(store: BlobStore, table: RefTable, data: bytes) -> str:
    staged = await store.stage_stream([data[: len(data) // 2], data[len(data) // 2 :]])  # no lock held
    try:
        async with table.locks[staged.sha256]:  # BEGIN; upsert row; SELECT ... FOR UPDATE
            await store.commit(staged)
            await asyncio.sleep(random.random() / 1000)  # other work inside the transaction
            table.refcount[staged.sha256] = table.refcount.get(staged.sha256, 0) + 1  # COMMIT
    finally:
        await store.discard(staged)
    return staged.sha256


async def delete_reference(store: BlobStore, table: RefTable, sha: str) -> None:
    async with table.locks[sha]:  # the image row delete + decrement, no blob work
        table.refcount[sha] -= 1
    await asyncio.sleep(random.random() / 1000)
    async with table.locks[sha]:  # GC: lock, re-check, delete blob and row
        if table.refcount.get(sha) == 0:
            await store.delete(sha)
            del table.refcount[sha]


async def check_invariant(store: BlobStore, table: RefTable, sha: str) -> None:
    async with table.locks[sha]:
        if table.refcount.get(sha, 0) > 0:
            assert await store.exists(sha), "a counted reference lost its blob"


def test_concurrent_identical_uploads_and_deletes_keep_referenced_blobs(store: BlobStore) -> None:
    random.seed(7)
    data = os.urandom(300_000)

    async def one_user() -> None:
        for _ in range(4):
            sha = await upload(store, table, data)
            await check_invariant(store, table, sha)
            await delete_reference(store, table, sha)

    async def scenario() -> None:
        await asyncio.gather(*(one_user() for _ in range(6)))
        keeper = await upload(store, table, data)  # one reference survives
        await check_invariant(store, table, keeper)
        assert table.refcount == {keeper: 1}
        assert await store.read_bytes(keeper) == data
        await delete_reference(store, table, keeper)
        assert table.refcount == {} and not await store.exists(keeper)

    table = RefTable()
    asyncio.run(scenario())
    assert litter(store) == []
