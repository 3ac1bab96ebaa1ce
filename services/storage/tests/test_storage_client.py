"""The kit's StorageClient (what sketch, quality, facial and restoration use) against the real service:
a service acting for a user, errors arriving as DomainErrors with their reasons."""

from __future__ import annotations

import pytest

from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.errors import InvalidArgument, NotFound, Unauthenticated, Unavailable
from imagemesh_kit.mesh.launcher import free_port

from .harness import png_of_size
from .samples import sample

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("storage", ["local"], indirect=True)
async def test_a_service_stores_a_result_for_a_user(storage):
    user = await storage.user()
    original = await storage.create(user, sample("JPEG"))
    identity = storage.auth.service_identity()
    metadata = await identity.metadata(on_behalf_of=user.id)
    async with StorageClient(storage.target) as client:
        got = await client.get(original.id, metadata)
        assert got.id == original.id
        image, data = await client.download(original.id, metadata)
        assert image.id == original.id and data == sample("JPEG")
        result = png_of_size(5 * 1024 * 1024 + 3)
        kwargs = {"filename": "sketch.png", "kind": "sketch", "source_image_id": original.id, "request_id": "job-7"}
        stored = await client.upload(result, metadata=metadata, **kwargs)
        retried = await client.upload(result, metadata=metadata, **kwargs)  # a job retried after a crash
        assert retried.id == stored.id
        assert stored.owner_id == user.id and stored.kind == "sketch" and stored.source_image_id == original.id
        assert stored.size_bytes == len(result)

        with pytest.raises(NotFound) as missing:
            await client.download("0" * 36, metadata)
        assert missing.value.reason == "IMAGE_NOT_FOUND"
        with pytest.raises(InvalidArgument) as bad:
            await client.upload(b"not an image", metadata=metadata)
        assert bad.value.reason == "UNSUPPORTED_MEDIA_TYPE" and bad.value.violations == []
        with pytest.raises(Unauthenticated):
            await client.get(original.id, ())
    async with StorageClient(f"127.0.0.1:{free_port()}", timeout_s=2) as down:
        with pytest.raises(Unavailable):
            await down.get(original.id, metadata)
