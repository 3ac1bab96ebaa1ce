"""DepthFrameService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from google.api import httpbody_pb2

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from imagemesh.depthframe.v1 import depthframe_pb2_grpc
from imagemesh_kit.context import require_principal
from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from imagemesh_kit.proto_time import timestamp
from imagemesh_kit.streams import refusal_after_the_client
from services.depthframe.domain import Colormap
from services.depthframe.domain.records import DatasetRecord
from services.depthframe.use_cases import DepthFrameUseCases

# What a CSV upload may be labelled as (curl's default form type is refused: it is not a file).
CSV_CONTENT_TYPES = {"", "text/csv", "application/csv", "text/plain", "application/octet-stream"}


def dataset_to_proto(record: DatasetRecord) -> pb.DepthDataset:
    return pb.DepthDataset(
        id=record.id,
        name=record.name,
        rows=record.rows,
        skipped_rows=[pb.SkippedRow(line=s.line, reason=s.reason) for s in record.skipped_rows],
        skipped_count=record.skipped_count,
        depth_min=record.depth_min,
        depth_max=record.depth_max,
        source_width=record.source_width,
        width=record.width,
        color_min=record.color_scale.vmin,
        color_max=record.color_scale.vmax,
        created_at=timestamp(record.created_at),
    )


def colormap_to_proto(cmap: Colormap) -> pb.Colormap:
    return pb.Colormap(
        name=cmap.name,
        stops=[pb.ColorStop(position=s.position, color=s.color) for s in cmap.stops],
        builtin=cmap.builtin,
        colors=[f"#{r:02x}{g:02x}{b:02x}" for r, g, b in cmap.lut.tolist()],
    )


def _bound(request, name: str) -> float | None:
    return getattr(request, name) if request.HasField(name) else None


def _check_content_type(content_type: str) -> None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in CSV_CONTENT_TYPES:
        raise InvalidArgument.for_field(
            "body", f"Content-Type '{media_type}' is not a CSV file; send text/csv", reason="UNSUPPORTED_CONTENT_TYPE"
        )


class DepthFrameServicer(depthframe_pb2_grpc.DepthFrameServiceServicer):
    def __init__(self, use_cases: DepthFrameUseCases, *, max_upload_bytes: int) -> None:
        self._uc = use_cases
        self._max_upload_bytes = max_upload_bytes

    async def CreateDepthDataset(self, request, context):
        _check_content_type(request.body.content_type)
        record = await self._uc.create_dataset(require_principal(), request.name, request.body.data, request.width)
        return pb.CreateDepthDatasetResponse(dataset=dataset_to_proto(record))

    async def UploadDepthDataset(self, request_iterator, context):
        caller = require_principal()
        name, width, first = "", 0, True
        data = bytearray()
        messages = aiter(request_iterator)
        async with refusal_after_the_client(messages):
            async for message in messages:
                if first:
                    name, width, first = message.name, message.width, False
                data += message.chunk
                if len(data) > self._max_upload_bytes:
                    raise ResourceExhausted(
                        f"the upload exceeds {self._max_upload_bytes} bytes", reason="UPLOAD_TOO_LARGE"
                    )
        record = await self._uc.create_dataset(caller, name, data, width)
        return pb.UploadDepthDatasetResponse(dataset=dataset_to_proto(record))

    async def ListDepthDatasets(self, request, context):
        datasets, next_token = await self._uc.list_datasets(require_principal(), request.page_size, request.page_token)
        return pb.ListDepthDatasetsResponse(
            datasets=[dataset_to_proto(d) for d in datasets], next_page_token=next_token
        )

    async def GetDepthDataset(self, request, context):
        record = await self._uc.get_dataset(require_principal(), request.id)
        return pb.GetDepthDatasetResponse(dataset=dataset_to_proto(record))

    async def DeleteDepthDataset(self, request, context):
        await self._uc.delete_dataset(require_principal(), request.id)
        return pb.DeleteDepthDatasetResponse()

    async def QueryFrames(self, request, context):
        dataset_id, frames = await self._uc.query_frames(
            require_principal(),
            request.dataset_id,
            _bound(request, "depth_min"),
            _bound(request, "depth_max"),
            request.colormap,
            request.frame_height,
        )
        return pb.QueryFramesResponse(
            dataset_id=dataset_id,
            frames=[pb.Frame(depth=f.depth, width=f.width, height=f.height, png=f.png) for f in frames],
        )

    async def GetFrameImage(self, request, context):
        png = await self._uc.frame_image(
            require_principal(),
            request.dataset_id,
            _bound(request, "depth_min"),
            _bound(request, "depth_max"),
            request.colormap,
            request.row_height,
        )
        return httpbody_pb2.HttpBody(content_type="image/png", data=png)

    async def CreateColormap(self, request, context):
        stops = [{"position": s.position, "color": s.color} for s in request.colormap.stops]
        cmap = await self._uc.create_colormap(require_principal(), request.colormap.name, stops)
        return pb.CreateColormapResponse(colormap=colormap_to_proto(cmap))

    async def ListColormaps(self, request, context):
        cmaps, next_token = await self._uc.list_colormaps(require_principal(), request.page_size, request.page_token)
        return pb.ListColormapsResponse(colormaps=[colormap_to_proto(c) for c in cmaps], next_page_token=next_token)
