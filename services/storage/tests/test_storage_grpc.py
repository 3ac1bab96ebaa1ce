"""The storage service over a real gRPC channel: both blob backends (local, S3 on moto) x SQLite/PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from imagemesh.storage.v1 import storage_pb2
from services.storage.domain.images import ORIGINAL

from .samples import FORMATS, sample

pytestmark = pytest.mark.integration
OK_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}


async def test_every_format_round_trips_by_rest_body_and_by_stream(storage):
    user = await storage.user()
    for fmt in FORMATS:
        data = sample(fmt)
        made = await storage.create(user, data, filename=f"../cat {fmt}.bin", description="a cat")
        assert made.content_type == OK_FORMATS[fmt] and (made.width, made.height) == (451, 300)
        assert made.sha256 == hashlib.sha256(data).hexdigest() and made.size_bytes == len(data)
        assert made.owner_id == user.id and made.kind == ORIGINAL and made.description == "a cat"
        assert "/" not in made.filename and made.filename
        streamed = await storage.upload(user, data, chunk=4096, filename="cat")
        assert streamed.sha256 == made.sha256 and streamed.id != made.id
        image, body = await storage.download(user, streamed.id)
        assert image == streamed and body == data
        content = await storage.stub.GetImageContent(
            storage_pb2.GetImageContentRequest(image_id=made.id), metadata=user.md
        )
        assert content.data == data and content.content_type == OK_FORMATS[fmt]
    assert await storage.refcount(hashlib.sha256(sample("PNG")).hexdigest()) == 2
