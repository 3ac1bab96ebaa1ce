"""The kit's StorageClient.delete (added for the quality service) against the real storage service."""

from __future__ import annotations

import pytest

from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.errors import NotFound
from services.quality.tests.harness import png
from services.quality.tests.images import photo

pytestmark = pytest.mark.integration


async def test_delete_own_image_and_not_anothers(quality):
    alice, bob = await quality.user(), await quality.user()
    mine = await quality.image(alice, photo("camera")[:32, :32])
    theirs = await quality.image(bob, photo("camera")[:32, :40])
    async with StorageClient(quality.storage.target) as client:
        with pytest.raises(NotFound) as err:
            await client.delete(theirs, alice.md)
        assert err.value.reason == "IMAGE_NOT_FOUND"
        await client.delete(mine, alice.md)
        with pytest.raises(NotFound):
            await client.get(mine, alice.md)
        assert (await client.get(theirs, bob.md)).id == theirs
        stored = await client.upload(png(photo("camera")[:20, :20]), filename="x.png", metadata=alice.md)
        assert stored.owner_id == alice.id
