"""An in-process storage service over a real gRPC channel, and helpers to call it as users."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

import grpc

from imagemesh.storage.v1 import storage_pb2, storage_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from imagemesh_kit.testing import expect_error  # noqa: F401 - re-exported for the tests
from services.storage.config import StorageSettings
from services.storage.main import build

URL_SECRET = "storage-test-url-secret-0123456789abcdef"
MIB = 1024 * 1024


@dataclass
class User:
    id: str
    token: str

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)


@dataclass
class StorageHarness:
    backend: str
    stub: storage_pb2_grpc.StorageServiceStub
    running: RunningApp
    settings: StorageSettings
    auth: object
    target: str

    @property
    def images(self):
        return self.running.app.servicers[0][1]._images

    @property
    def store(self):
        return self.images.store

    async def user(self, role: str = "user") -> User:
        token = await self.auth.token(f"{role}-{uuid.uuid4().hex[:8]}@example.com", role=role)
        return User(await self.auth.user_id(token), token)

    async def create(self, user: User, data: bytes, piece: int | None = None, **fields) -> storage_pb2.Image:
        """CreateImage with one message, or (`piece`) shaped the way Envoy sends a REST body."""
        return (await self.stub.CreateImage(create_messages(data, piece, **fields), metadata=user.md)).image

    async def upload(self, user: User, data: bytes, chunk: int = MIB, **fields) -> storage_pb2.Image:
        return (await self.stub.UploadImage(upload_messages(data, chunk, **fields), metadata=user.md)).image

    async def download(self, user: User, image_id: str) -> tuple[storage_pb2.Image, bytes]:
        image, parts = None, []
        async for msg in self.stub.DownloadImage(storage_pb2.DownloadImageRequest(image_id=image_id), metadata=user.md):
            if msg.WhichOneof("payload") == "image":
                image = msg.image
            else:
                parts.append(msg.chunk)
        return image, b"".join(parts)

    async def content(self, user: User, image_id: str) -> tuple[str, bytes]:
        """GetImageContent's stream of HttpBody: (content type of the first message, all the bytes)."""
        messages = [
            m
            async for m in self.stub.GetImageContent(
                storage_pb2.GetImageContentRequest(image_id=image_id), metadata=user.md
            )
        ]
        assert all(m.content_type == "" for m in messages[1:])
        return messages[0].content_type, b"".join(m.data for m in messages)

    async def refcount(self, sha256: str) -> int | None:
        from services.storage.store.models import BlobRow

        async with self.images._sessions() as session:
            row = await session.get(BlobRow, sha256)
        return None if row is None else row.refcount


async def upload_messages(data: bytes, chunk: int = MIB, **fields) -> AsyncIterator[storage_pb2.UploadImageRequest]:
    yield storage_pb2.UploadImageRequest(metadata=storage_pb2.ImageMetadata(**fields))
    for start in range(0, len(data), chunk):
        yield storage_pb2.UploadImageRequest(chunk=data[start : start + chunk])


async def create_messages(
    data: bytes, piece: int | None = None, content_type: str = "", **fields
) -> AsyncIterator[storage_pb2.CreateImageRequest]:
    """One message with the fields and all the bytes; with `piece`, what Envoy sends for a REST body: the fields
    and the Content-Type with the first `piece` bytes, then the rest in messages carrying only `content.data`."""
    from google.api import httpbody_pb2

    piece = piece or max(len(data), 1)
    first = httpbody_pb2.HttpBody(content_type=content_type, data=data[:piece])
    yield storage_pb2.CreateImageRequest(content=first, **fields)
    for start in range(piece, len(data), piece):
        yield storage_pb2.CreateImageRequest(content=httpbody_pb2.HttpBody(data=data[start : start + piece]))


def settings_for(
    backend: str, database, auth_target: str, tmp_path: Path, moto: str | None, **extra
) -> StorageSettings:
    options: dict = {
        "port": 0,
        "database_url": database.url,
        "database_schema": database.schema,
        "auth_target": auth_target,
        "access_log": False,
        "blob_dir": str(tmp_path / "blobs"),
        "public_base_url": "http://127.0.0.1:9",
        "storage_url_secret": URL_SECRET,
    }
    if backend == "s3":
        options.update(
            blob_backend="s3",
            s3_bucket=f"test-{uuid.uuid4().hex[:12]}",
            s3_endpoint_url=moto,
            s3_access_key_id="testing",
            s3_secret_access_key="testing",
            s3_addressing_style="path",
            s3_create_bucket=True,
            s3_spool_dir=str(tmp_path / "spool"),
        )
    options.update(extra)
    return load_settings(StorageSettings, **options)


@contextlib.asynccontextmanager
async def start_storage(backend: str, database, auth_server, tmp_path: Path, moto: str | None, **extra):
    settings = settings_for(backend, database, auth_server.target, tmp_path, moto, **extra)
    running = await start_app(await build(settings), settings)
    target = f"127.0.0.1:{running.port}"
    options = [("grpc.max_receive_message_length", 64 * MIB), ("grpc.max_send_message_length", 64 * MIB)]
    channel = grpc.aio.insecure_channel(target, options=options)
    try:
        yield StorageHarness(
            backend, storage_pb2_grpc.StorageServiceStub(channel), running, settings, auth_server, target
        )
    finally:
        await channel.close()
        await running.stop(0)


def png_of_size(size: int) -> bytes:
    """A valid PNG of exactly `size` bytes (>= 95): a tiny image padded with a private ancillary chunk."""
    from .samples import png_chunk, png_header_only

    base = png_header_only(4, 3)
    pad = size - len(base) - 12
    if pad < 0:
        raise ValueError(f"a PNG needs at least {len(base) + 12} bytes here")
    iend = len(base) - 12
    return base[:iend] + png_chunk(b"plEx", b"\0" * pad) + base[iend:]


def chunks_of(data: bytes, size: int) -> Iterable[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))
