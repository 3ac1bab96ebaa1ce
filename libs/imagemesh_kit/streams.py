"""Keeping a quiet server stream alive through proxies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

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
