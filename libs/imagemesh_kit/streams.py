"""Streams between services: keeping a quiet server stream alive through proxies, and refusing a client
stream so that a Python client learns why."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from imagemesh_kit.errors import DomainError

T = TypeVar("T")


async def repeat_when_quiet(source: AsyncIterator[T], every_s: float) -> AsyncIterator[T]:
    """Everything `source` yields; when it stays quiet for `every_s`, its last item again (Envoy's stream idle
    timeout would otherwise cut a watch whose job waits in the queue for minutes)."""
    it = aiter(source)
    last: T | None = None
    pending = asyncio.ensure_future(anext(it))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=every_s)
            if not done:
                if last is not None:
                    yield last
                continue
            try:
                last = pending.result()
            except StopAsyncIteration:
                return
            yield last
            pending = asyncio.ensure_future(anext(it))
    finally:
        if not pending.done():  # the client went away (or the stream ended): stop reading the source
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()


DRAIN_BYTES = 4 * 1024 * 1024


@contextlib.asynccontextmanager
async def refusal_after_the_client(messages: AsyncIterator[Any], drain_bytes: int = DRAIN_BYTES):
    """Around the handling of a client-streamed request: a DomainError raised part-way (a bad first chunk, a
    misplaced field, too many bytes) is answered once the client has sent the rest of `messages` - up to
    `drain_bytes` more, read and dropped. grpc-python's asyncio client reports INTERNAL "Internal error from
    Core" instead of the server's status when the server answers while the client is still writing
    (grpc/grpc#36066), which would hide the reason from the Python services calling in; Envoy and other
    clients are unaffected either way. Past the bound the refusal goes out at once."""
    try:
        yield
    except DomainError:
        drained = 0
        try:
            async for message in messages:
                drained += message.ByteSize()
                if drained > drain_bytes:
                    break
        except Exception:  # the client went away meanwhile: the refusal still stands
            pass
        raise
