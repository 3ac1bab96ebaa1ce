"""Keeping a quiet server stream alive."""

from __future__ import annotations

import asyncio

import pytest

from imagemesh_kit.errors import InvalidArgument
from imagemesh_kit.streams import repeat_when_quiet


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
