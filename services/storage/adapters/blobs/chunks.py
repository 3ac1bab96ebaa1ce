"""Feeding sync or async chunk sources to blocking writers without blocking the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from imagemesh_kit.errors import InvalidArgument

from ...domain.errors import image_too_large

T = TypeVar("T")
Chunks = AsyncIterable[bytes] | Iterable[bytes]
BATCH_BYTES = 1024 * 1024  # async chunks are handed to the writer thread in batches of about this size

CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"


# Hashing runs on its own threads so it overlaps the write of the same batch (hashlib and file
# writes both release the GIL); each upload keeps its batches in order by waiting for the previous.
_HASHERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="blob-sha256")


@dataclass
class HashingCounter:
    """Running sha256 and byte count of everything written, with the optional size limit."""

    max_bytes: int | None = None
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    _pending: Future[None] | None = field(default=None, repr=False)

    def add(self, batch: list[bytes]) -> None:
        """Count `batch` (the size limit is checked before anything is written) and start hashing
        it in the background; the caller writes the same batch meanwhile."""
        self.size += sum(len(chunk) for chunk in batch)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise image_too_large(self.max_bytes)
        self._wait()
        self._pending = _HASHERS.submit(self._hash, batch)

    def _hash(self, batch: list[bytes]) -> None:
        for chunk in batch:
            self.digest.update(chunk)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def finish(self, expected_sha256: str | None) -> str:
        """The hex digest once every batch is hashed; CHECKSUM_MISMATCH if it is not the expected one."""
        self._wait()
        sha = self.digest.hexdigest()
        if expected_sha256 is not None and sha != expected_sha256.lower():
            raise InvalidArgument.for_field("sha256", "does not match the content received", reason=CHECKSUM_MISMATCH)
        return sha


async def finish_in_executor(
    loop: asyncio.AbstractEventLoop, executor: Executor | None, fn: Callable[..., T], *args: object
) -> T:
    """Run `fn(*args)` in `executor`; if the caller is cancelled, still wait for the running call to
    end before re-raising, so cleanup never races a write that is still in progress."""
    future = loop.run_in_executor(executor, fn, *args)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await future
        raise


async def pump(
    chunks: Chunks,
    write_batch: Callable[[list[bytes]], None],
    executor: Executor | None,
) -> None:
    """Call the blocking `write_batch(list_of_chunks)` in `executor` until `chunks` is exhausted.

    A sync iterable is consumed entirely inside one executor call (it may block, and a cancellation
    waits for it to end: prefer async iterables for slow sources); an async iterable
    is consumed on the loop and its chunks written in batches of ~BATCH_BYTES, so at most one batch
    plus one chunk is held in memory.
    """
    loop = asyncio.get_running_loop()
    if not isinstance(chunks, AsyncIterable):
        sync_chunks = chunks

        def write_all() -> None:
            for chunk in sync_chunks:
                write_batch([bytes(chunk)])

        await finish_in_executor(loop, executor, write_all)
        return
    batch: list[bytes] = []
    batch_size = 0
    async for chunk in chunks:
        batch.append(bytes(chunk))
        batch_size += len(chunk)
        if batch_size >= BATCH_BYTES:
            await finish_in_executor(loop, executor, write_batch, batch)
            batch, batch_size = [], 0
    if batch:
        await finish_in_executor(loop, executor, write_batch, batch)


MAX_READ_CHUNK = 4 * 1024 * 1024  # gRPC's default max message size


def validate_chunk_size(chunk_size: int) -> int:
    """`chunk_size` if it is an int in 1..4 MiB, else InvalidArgument(INVALID_CHUNK_SIZE)."""
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or not 0 < chunk_size <= MAX_READ_CHUNK:
        raise InvalidArgument.for_field(
            "chunk_size", f"must be from 1 to {MAX_READ_CHUNK} bytes", reason="INVALID_CHUNK_SIZE"
        )
    return chunk_size
