"""StorageClient: how other services read their inputs from and write their results to storage.

    client = StorageClient(settings.storage_target)
    metadata = await identity.metadata(on_behalf_of=user_id)          # a service acting for a user
    image, data = await client.download(image_id, metadata)
    result = await client.upload(png, filename="sketch.png", kind="sketch", source_image_id=image_id,
                                 request_id=f"job-{job_id}", metadata=metadata)   # retried job: one image

Failed calls raise the DomainError they were raised as (see imagemesh_kit.clients.errors).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import grpc

from imagemesh.storage.v1 import storage_pb2, storage_pb2_grpc
from imagemesh_kit.clients.errors import domain_error
from imagemesh_kit.config import MIB

Metadata = Sequence[tuple[str, str]]
CHUNK_BYTES = 1 * MIB


class StorageClient:
    def __init__(self, target: str, *, timeout_s: float = 60.0, max_message_bytes: int = 32 * MIB) -> None:
        self._channel = grpc.aio.insecure_channel(
            target,
            options=[
                ("grpc.max_receive_message_length", max_message_bytes),
                ("grpc.max_send_message_length", max_message_bytes),
            ],
        )
        self._stub = storage_pb2_grpc.StorageServiceStub(self._channel)
        self._timeout = timeout_s

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> StorageClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def get(self, image_id: str, metadata: Metadata) -> storage_pb2.Image:
        try:
            reply = await self._stub.GetImage(
                storage_pb2.GetImageRequest(image_id=image_id), metadata=metadata, timeout=self._timeout
            )
        except grpc.aio.AioRpcError as exc:
            raise domain_error(exc, "storage") from None
        return reply.image

    async def download(self, image_id: str, metadata: Metadata) -> tuple[storage_pb2.Image, bytes]:
        """The image's metadata and bytes (server-streaming download)."""
        image = storage_pb2.Image()
        parts: list[bytes] = []
        call = self._stub.DownloadImage(
            storage_pb2.DownloadImageRequest(image_id=image_id), metadata=metadata, timeout=self._timeout
        )
        try:
            async for message in call:
                if message.WhichOneof("payload") == "image":
                    image = message.image
                else:
                    parts.append(message.chunk)
        except grpc.aio.AioRpcError as exc:
            raise domain_error(exc, "storage") from None
        return image, b"".join(parts)

    async def upload(
        self,
        data: bytes,
        *,
        filename: str = "",
        kind: str = "original",
        source_image_id: str = "",
        request_id: str = "",
        description: str = "",
        metadata: Metadata,
        content_type: str | None = None,  # informative only: storage trusts the bytes, not the label
    ) -> storage_pb2.Image:
        """Store `data` as a new image (client-streaming upload). With a request_id, a retry returns
        the image the first attempt stored."""
        meta = storage_pb2.ImageMetadata(
            filename=filename,
            description=description,
            kind=kind,
            source_image_id=source_image_id,
            request_id=request_id,
        )

        async def messages() -> AsyncIterator[storage_pb2.UploadImageRequest]:
            yield storage_pb2.UploadImageRequest(metadata=meta)
            view = memoryview(data)
            for start in range(0, len(data), CHUNK_BYTES):
                yield storage_pb2.UploadImageRequest(chunk=bytes(view[start : start + CHUNK_BYTES]))

        try:
            reply = await self._stub.UploadImage(messages(), metadata=metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as exc:
            raise domain_error(exc, "storage") from None
        return reply.image
