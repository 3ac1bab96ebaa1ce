"""SketchService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from imagemesh.sketch.v1 import sketch_pb2, sketch_pb2_grpc
from imagemesh_kit.context import require_principal
from services.sketch.api.mapping import catalog, sketch_to_proto
from services.sketch.api.streams import repeat_when_quiet
from services.sketch.use_cases import SketchUseCases


class SketchServicer(sketch_pb2_grpc.SketchServiceServicer):
    def __init__(self, use_cases: SketchUseCases, *, watch_heartbeat_s: float = 60.0) -> None:
        self._uc = use_cases
        self._heartbeat_s = watch_heartbeat_s

    async def GetCatalog(self, request, context):
        return catalog()

    async def CreateSketch(self, request, context):
        job, _ = await self._uc.create(
            require_principal(),
            image_id=request.image_id,
            style=request.style,
            method=request.method,
            params=dict(request.params),
            request_id=request.request_id,
        )
        return sketch_pb2.CreateSketchResponse(sketch=sketch_to_proto(job))

    async def GetSketch(self, request, context):
        job = await self._uc.get(require_principal(), request.sketch_id)
        return sketch_pb2.GetSketchResponse(sketch=sketch_to_proto(job))

    async def ListSketches(self, request, context):
        jobs, token = await self._uc.list(require_principal(), request.page_size, request.page_token)
        return sketch_pb2.ListSketchesResponse(sketches=[sketch_to_proto(j) for j in jobs], next_page_token=token)

    async def DeleteSketch(self, request, context):
        await self._uc.delete(require_principal(), request.sketch_id)
        return sketch_pb2.DeleteSketchResponse()

    async def CancelSketch(self, request, context):
        job = await self._uc.cancel(require_principal(), request.sketch_id)
        return sketch_pb2.CancelSketchResponse(sketch=sketch_to_proto(job))

    async def WatchSketch(self, request, context):
        states = self._uc.watch(require_principal(), request.sketch_id)
        async for job in repeat_when_quiet(states, self._heartbeat_s):
            yield sketch_pb2.WatchSketchResponse(sketch=sketch_to_proto(job))
