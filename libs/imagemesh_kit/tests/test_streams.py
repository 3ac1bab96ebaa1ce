"""Keeping a quiet server stream alive; refusing a client stream after the client has sent it."""

from __future__ import annotations

import asyncio

import pytest

from imagemesh_kit.errors import InvalidArgument
from imagemesh_kit.streams import refusal_after_the_client, repeat_when_quiet


async def test_a_quiet_stream_repeats_its_last_item_and_ends_with_its_source():
    async def source():
        yield "queued"
        await asyncio.sleep(0.35)
        yield "done"

    got = [item async for item in repeat_when_quiet(source(), 0.1)]
    assert got[0] == "queued" and got[-1] == "done" and got.count("queued") >= 3 and len(got) == got.count("queued") + 1

    async def failing():
        raise InvalidArgument("bad", reason="BAD")
        yield  # pragma: no cover

    with pytest.raises(InvalidArgument):
        [item async for item in repeat_when_quiet(failing(), 0.1)]


class _Message:
    def __init__(self, size: int) -> None:
        self.size = size

    def ByteSize(self) -> int:  # protobuf's name
        return self.size


async def _messages(sizes, seen):
    for size in sizes:
        seen.append(size)
        yield _Message(size)


async def test_a_refusal_waits_for_the_rest_of_the_stream_up_to_the_bound():
    seen = []
    messages = _messages([10] * 5, seen)
    with pytest.raises(InvalidArgument):
        async with refusal_after_the_client(messages):
            await anext(messages)
            raise InvalidArgument("no", reason="NO")
    assert seen == [10] * 5  # every message was read before the refusal went out

    seen = []
    messages = _messages([10] * 100, seen)
    with pytest.raises(InvalidArgument):
        async with refusal_after_the_client(messages, drain_bytes=35):
            raise InvalidArgument("no", reason="NO")
    assert len(seen) == 4  # 40 bytes read: past the bound, the refusal goes out at once


async def test_other_errors_and_success_do_not_read_on():
    seen = []
    messages = _messages([10] * 5, seen)
    async with refusal_after_the_client(messages):
        await anext(messages)
    assert seen == [10]
    with pytest.raises(RuntimeError):
        async with refusal_after_the_client(messages):
            raise RuntimeError("a bug is not a refusal")
    assert seen == [10]
