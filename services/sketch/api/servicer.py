"""SketchService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from imagemesh.sketch.v1 import sketch_pb2, sketch_pb2_grpc
from imagemesh_kit.context import require_principal
from imagemesh_kit.jobs.rpcs import JobMessages, JobRpcs, job_methods
from services.sketch.api.mapping import catalog, sketch_to_proto
from services.sketch.use_cases import SketchUseCases

MESSAGES = JobMessages.of(sketch_pb2, "Sketch", "Sketches", id_field="sketch_id", to_proto=sketch_to_proto)


class SketchServicer(job_methods(MESSAGES), sketch_pb2_grpc.SketchServiceServicer):
    """GetSketch, ListSketches, CancelSketch, DeleteSketch, WatchSketch: the kit's (job_methods)."""

    def __init__(self, use_cases: SketchUseCases, *, watch_heartbeat_s: float = 60.0) -> None:
        self._uc = use_cases
        self.job_rpcs = JobRpcs(use_cases.sketches, MESSAGES, watch_heartbeat_s=watch_heartbeat_s)

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
