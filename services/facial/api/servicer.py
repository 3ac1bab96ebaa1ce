"""FacialService over gRPC: proto <-> use cases. No rules here (errors are raised, the kit maps them)."""

from __future__ import annotations

from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh_kit.context import require_admin, require_principal
from imagemesh_kit.jobs.proto import job_status
from imagemesh_kit.jobs.rpcs import JobMessages, JobRpcs, job_methods
from services.facial.results import ResultView
from services.facial.use_cases import ContourJob, ContourRequest, FacialUseCases


def request_of(msg) -> ContourRequest:
    """CreateContourJobRequest / ComputeContoursRequest (same fields) -> ContourRequest."""
    return ContourRequest(
        image=msg.image,
        image_id=msg.image_id,
        landmarks=[(p.x, p.y) for p in msg.landmarks] if len(msg.landmarks) else None,
        segmentation_map=msg.segmentation_map,
        regions=list(msg.regions),
        output_formats=list(msg.output_formats),
        align=msg.align,
        space=msg.space,
        faces=msg.faces,
        margin=msg.margin if msg.HasField("margin") else None,
        detection_max_side=msg.detection_max_side,
        label_scheme=msg.label_scheme,
    )


def result_to_proto(view: ResultView) -> facial_pb2.ContourResult:
    msg = facial_pb2.ContourResult(
        space=view.space,
        width=view.width,
        height=view.height,
        svg=view.svg or "",
        masks=view.masks,
        polygons_json=view.polygons_json or "",
        from_cache=view.from_cache,
        source=view.source,
        face_count=view.face_count,
    )
    a = view.alignment
    if a is not None:
        msg.alignment.CopyFrom(
            facial_pb2.Alignment(
                angle_deg=a["angle_deg"],
                crop_box=facial_pb2.CropBox(**a["crop_box"]),
                matrix=[v for row in a["matrix"] for v in row],
                inverse=[v for row in a["inverse"] for v in row],
            )
        )
    return msg


def job_to_proto(cj: ContourJob) -> facial_pb2.ContourJob:
    job, contour = cj.job, cj.job.params.get("contour", {})
    msg = facial_pb2.ContourJob(
        id=job.id,
        status=job_status(job),
        regions=contour.get("regions", []),
        output_formats=contour.get("output_formats", []),
        align=contour.get("align", False),
        space=contour.get("space", ""),
        image_id=job.params.get("image_id") or "",
        request_id=job.idempotency_key or "",
    )
    if cj.result is not None:
        msg.result.CopyFrom(result_to_proto(cj.result))
    return msg


MESSAGES = JobMessages.of(facial_pb2, "ContourJob", "ContourJobs", id_field="id", to_proto=job_to_proto)


class FacialServicer(job_methods(MESSAGES), facial_pb2_grpc.FacialServiceServicer):
    """GetContourJob, ListContourJobs, CancelContourJob, DeleteContourJob, WatchContourJob: the kit's
    (job_methods)."""

    def __init__(self, use_cases: FacialUseCases, *, watch_heartbeat_s: float = 60.0) -> None:
        self._uc = use_cases
        self.job_rpcs = JobRpcs(use_cases.contour_jobs, MESSAGES, watch_heartbeat_s=watch_heartbeat_s)

    async def CreateContourJob(self, request, context):
        p = require_principal()
        cj, created = await self._uc.create_job(p.subject, request_of(request), request.request_id)
        return facial_pb2.CreateContourJobResponse(contour_job=job_to_proto(cj), created=created)

    async def ComputeContours(self, request, context):
        p = require_principal()
        view = await self._uc.compute(p.subject, request_of(request))
        return facial_pb2.ComputeContoursResponse(result=result_to_proto(view))

    async def GetCacheStats(self, request, context):
        require_admin()  # operators' counters: PERMISSION_DENIED ADMIN_REQUIRED for everybody else
        s = await self._uc.cache_stats()
        return facial_pb2.GetCacheStatsResponse(
            hits=s.hits,
            misses=s.misses,
            hit_rate=s.hit_rate,
            mean_hit_ms=s.mean_hit_ms,
            mean_miss_ms=s.mean_miss_ms,
            entries=s.entries,
            total_hits=s.total_hits,
        )
