"""RestorationService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from imagemesh.restoration.v1 import restoration_pb2 as pb
from imagemesh.restoration.v1 import restoration_pb2_grpc
from imagemesh_kit.context import require_principal
from imagemesh_kit.jobs.rpcs import JobMessages, JobRpcs, job_methods
from services.restoration.api.mapping import (
    face_to_proto,
    model_to_proto,
    object_to_proto,
    restoration_to_proto,
    steps_from_proto,
)
from services.restoration.use_cases import RestorationUseCases

MESSAGES = JobMessages.of(pb, "Restoration", "Restorations", id_field="restoration_id", to_proto=restoration_to_proto)


class RestorationServicer(job_methods(MESSAGES), restoration_pb2_grpc.RestorationServiceServicer):
    """GetRestoration, ListRestorations, CancelRestoration, DeleteRestoration, WatchRestoration: the kit's
    (job_methods)."""

    def __init__(self, use_cases: RestorationUseCases, *, watch_heartbeat_s: float = 60.0) -> None:
        self._uc = use_cases
        self.job_rpcs = JobRpcs(use_cases.restorations, MESSAGES, watch_heartbeat_s=watch_heartbeat_s)

    async def CreateRestoration(self, request, context):
        job, _ = await self._uc.create(
            require_principal(),
            image_id=request.image_id,
            steps=steps_from_proto(request.steps),
            device=request.device,
            request_id=request.request_id,
        )
        return pb.CreateRestorationResponse(restoration=restoration_to_proto(job))

    async def DetectFaces(self, request, context):
        faces, (height, width) = await self._uc.detect_faces(require_principal(), request.image_id, request.detector)
        return pb.DetectFacesResponse(faces=[face_to_proto(f) for f in faces], width=width, height=height)

    async def DetectObjects(self, request, context):
        found, (height, width) = await self._uc.detect_objects(require_principal(), request.image_id, request.detector)
        return pb.DetectObjectsResponse(objects=[object_to_proto(o) for o in found], width=width, height=height)

    async def ListModels(self, request, context):
        principal = require_principal()
        models, token = self._uc.models_page(request.page_size, request.page_token)
        return pb.ListModelsResponse(
            models=[model_to_proto(m) for m in models],
            next_page_token=token,
            detectors=self._uc.detectors.names(),
            problems=self._uc.model_problems(principal),
        )
