"""Checksums survive round trips of every size class from 0 to the 25 MiB limit (empty refused, limit+1 refused),
through CreateImage (one message, or 1 MiB pieces as Envoy sends a REST body) and UploadImage, on both backends."""

from __future__ import annotations

import hashlib

import grpc
import pytest

from imagemesh.storage.v1 import storage_pb2

from .harness import MIB, expect_error, png_of_size

pytestmark = pytest.mark.integration
LIMIT = 25 * MIB
SIZES = [95, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, MIB - 1, MIB, MIB + 1, 4 * MIB + 7, 16 * MIB, LIMIT - 1, LIMIT]


async def test_checksums_equal_after_round_trips_of_all_sizes(storage):
    user = await storage.user()
    await expect_error(storage.create(user, b""), grpc.StatusCode.INVALID_ARGUMENT, "EMPTY_BODY")
    for i, size in enumerate(SIZES):
        data = png_of_size(size)
        digest = hashlib.sha256(data).hexdigest()
        # Alternate the way in; chunk sizes that do not divide the size.
        if i % 3 == 1:
            image = await storage.upload(user, data, chunk=1_000_003)
        elif i % 3 == 2:
            image = await storage.create(user, data, piece=MIB)
        else:
            image = await storage.create(user, data)
        assert image.size_bytes == size and image.sha256 == digest, size
        _, streamed = await storage.download(user, image.id)
        assert hashlib.sha256(streamed).hexdigest() == digest, size
        content_type, body = await storage.content(user, image.id)
        assert hashlib.sha256(body).hexdigest() == digest and content_type == "image/png", size
        await storage.stub.DeleteImage(storage_pb2.DeleteImageRequest(image_id=image.id), metadata=user.md)
    too_big = png_of_size(LIMIT + 1)
    await expect_error(storage.upload(user, too_big), grpc.StatusCode.RESOURCE_EXHAUSTED, "IMAGE_TOO_LARGE")
    await expect_error(storage.create(user, too_big, piece=MIB), grpc.StatusCode.RESOURCE_EXHAUSTED, "IMAGE_TOO_LARGE")
