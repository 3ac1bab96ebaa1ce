"""StorageService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from google.api import httpbody_pb2

from imagemesh.storage.v1 import storage_pb2, storage_pb2_grpc
from imagemesh_kit.context import require_principal
from imagemesh_kit.errors import InvalidArgument
from imagemesh_kit.proto_time import timestamp
from imagemesh_kit.streams import refusal_after_the_client
from services.storage.domain.errors import empty_body
from services.storage.domain.filenames import content_disposition
from services.storage.domain.images import NewImage, StoredImage, new_image
from services.storage.domain.inspect import ImageLimits, check_upload_head
from services.storage.uploads import UploadUseCases
from services.storage.use_cases import ImageUseCases

HEAD_BYTES = 64 * 1024  # enough for the header (dimensions) of nearly every image


def image_to_proto(image: StoredImage) -> storage_pb2.Image:
    return storage_pb2.Image(
        id=image.id,
        owner_id=image.owner_id,
        filename=image.filename,
        description=image.description,
        content_type=image.content_type,
        size_bytes=image.size_bytes,
        width=image.width,
        height=image.height,
        sha256=image.sha256,
        kind=image.kind,
        source_image_id=image.source_image_id or "",
        created_at=timestamp(image.created_at),
    )


def _new_image(msg) -> NewImage:
    return new_image(msg.filename, msg.description, msg.kind, msg.source_image_id, msg.request_id)


def _signed_query(request, *names: str) -> dict[str, str]:
    query = {"expires": request.expires, "signature": request.signature}
    query.update({n: getattr(request, n) for n in names if getattr(request, n)})
    return query


class StorageServicer(storage_pb2_grpc.StorageServiceServicer):
    def __init__(self, images: ImageUseCases, uploads: UploadUseCases) -> None:
        self._images = images
        self._uploads = uploads

    async def CreateImage(self, request_iterator, context):
        caller = require_principal()
        messages = aiter(request_iterator)
        first = await anext(messages, None)
        if first is None:
            raise empty_body()
        async with refusal_after_the_client(messages):
            new = _new_image(first)
            chunks = await _checked_image(_body_pieces(first, messages), self._images.limits)
            image = await self._images.create(caller, new, chunks)
        return storage_pb2.CreateImageResponse(image=image_to_proto(image))

    async def UploadImage(self, request_iterator, context):
        caller = require_principal()
        messages = aiter(request_iterator)
        first = await anext(messages, None)
        if first is None or first.WhichOneof("payload") != "metadata":
            raise InvalidArgument.for_field(
                "metadata", "the first message must carry metadata", reason="METADATA_REQUIRED"
            )
        async with refusal_after_the_client(messages):
            new = _new_image(first.metadata)
            chunks = await _checked_image((_chunk_of(msg) async for msg in messages), self._images.limits)
            image = await self._images.create(caller, new, chunks)
        return storage_pb2.UploadImageResponse(image=image_to_proto(image))

    async def DownloadImage(self, request, context):
        image, chunks = await self._images.stream(require_principal(), request.image_id)
        yield storage_pb2.DownloadImageResponse(image=image_to_proto(image))
        async for chunk in chunks:
            yield storage_pb2.DownloadImageResponse(chunk=chunk)

    async def ListImages(self, request, context):
        images, next_token = await self._images.list(
            require_principal(),
            page_size=request.page_size,
            page_token=request.page_token,
            owner_id=request.owner_id,
            kind=request.kind,
            source_image_id=request.source_image_id,
        )
        return storage_pb2.ListImagesResponse(images=[image_to_proto(i) for i in images], next_page_token=next_token)

    async def GetImage(self, request, context):
        image = await self._images.get(require_principal(), request.image_id)
        return storage_pb2.GetImageResponse(image=image_to_proto(image))

    async def GetImageContent(self, request, context):
        image, chunks = await self._images.stream(require_principal(), request.image_id)
        content_type = image.content_type  # Envoy takes the HTTP Content-Type from the first message
        async for chunk in chunks:
            yield httpbody_pb2.HttpBody(content_type=content_type, data=chunk)
            content_type = ""

    async def GetImageThumbnail(self, request, context):
        content = await self._images.thumbnail(require_principal(), request.image_id, request.size)
        return httpbody_pb2.HttpBody(content_type=content.content_type, data=content.data)

    async def GetImageDownloadUrl(self, request, context):
        url = await self._images.download_url(require_principal(), request.image_id, request.expires_in)
        return storage_pb2.GetImageDownloadUrlResponse(url=url.url, expires_at=timestamp(url.expires_at))

    async def DeleteImage(self, request, context):
        await self._images.delete(require_principal(), request.image_id)
        return storage_pb2.DeleteImageResponse()

    async def CreateUpload(self, request, context):
        new = new_image(request.filename, request.description, request.kind, request.source_image_id)
        started = await self._uploads.create(
            require_principal(), new, content_type=request.content_type, size_bytes=request.size_bytes
        )
        url = started.url
        return storage_pb2.CreateUploadResponse(
            upload_id=started.upload_id,
            upload_url=url.url,
            method=url.method,
            headers=url.headers,
            expires_at=timestamp(url.expires_at),
        )

    async def ConfirmUpload(self, request, context):
        new = new_image(request_id=request.request_id)  # validates the request_id
        image = await self._uploads.confirm(require_principal(), request.upload_id, new.request_id)
        return storage_pb2.ConfirmUploadResponse(image=image_to_proto(image))

    async def PutUploadContent(self, request_iterator, context):
        messages = aiter(request_iterator)
        first = await anext(messages, None) or storage_pb2.PutUploadContentRequest()
        async with refusal_after_the_client(messages):
            pieces = _body_pieces(first, messages)
            size = await self._uploads.put_content(first.upload_id, _signed_query(first), pieces)
        return storage_pb2.PutUploadContentResponse(size_bytes=size)

    async def GetBlobContent(self, request, context: grpc.aio.ServicerContext):
        query = _signed_query(request, "content_type", "filename")
        content_type, filename, chunks = await self._uploads.blob_content(request.blob, query)
        if filename:
            await context.send_initial_metadata((("content-disposition", content_disposition(filename)),))
        async for chunk in chunks:
            yield httpbody_pb2.HttpBody(content_type=content_type, data=chunk)
            content_type = ""


async def _checked_image(pieces: AsyncIterator[bytes], limits: ImageLimits) -> AsyncIterator[bytes]:
    """Reads the first HEAD_BYTES of an upload and refuses a non-image (or an oversized one, by its header)
    before anything is stored; returns all the bytes in order, the head included."""
    head = b""
    async for piece in pieces:  # breaking out leaves `pieces` open: the rest follows the head below
        head += piece
        if len(head) >= HEAD_BYTES:
            break
    check_upload_head(head, limits)

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        async for piece in pieces:
            yield piece

    return chunks()


async def _body_pieces(first, messages: AsyncIterator) -> AsyncIterator[bytes]:
    """The `content.data` pieces of a client-streamed HttpBody request (CreateImage, PutUploadContent), in order.

    Envoy's transcoder sends a REST body as several messages of up to 1 MiB: the query/path fields and the
    Content-Type in the first one, only `content.data` in the next ones. A later message that sets any other
    field is refused (CHUNK_EXPECTED) rather than silently ignored; a repeated `content.content_type` is ignored
    (the type always comes from the bytes).
    """
    if first.content.data:
        yield first.content.data
    async for msg in messages:
        if extra := [f.name for f, _ in msg.ListFields() if f.name != "content"]:
            raise InvalidArgument.for_field(
                extra[0], "only the first message may set it; the next ones carry content.data", reason="CHUNK_EXPECTED"
            )
        if msg.content.data:
            yield msg.content.data


def _chunk_of(msg: storage_pb2.UploadImageRequest) -> bytes:
    if msg.WhichOneof("payload") != "chunk":
        raise InvalidArgument.for_field("chunk", "only the first message may carry metadata", reason="CHUNK_EXPECTED")
    return msg.chunk
