"""Domain, jobs and models -> imagemesh.restoration.v1 messages (and request steps -> plain dicts)."""

from __future__ import annotations

from imagemesh.restoration.v1 import restoration_pb2 as pb
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.proto import job_status
from services.restoration.adapters.model_registry import ModelInfo
from services.restoration.domain.detection import Box, DetectedObject, Face
from services.restoration.use_cases import RestorationSpec, result_of


def steps_from_proto(steps) -> list[dict]:
    """`[{"denoise": {"strength": 0.5}}, ...]`: only the fields that were set (the others take defaults);
    a step with no kind is `{}` (refused by the domain as UNKNOWN_STEP)."""
    out = []
    for step in steps:
        kind = step.WhichOneof("step")
        out.append({} if kind is None else {kind: {f.name: v for f, v in getattr(step, kind).ListFields()}})
    return out


def _step_to_proto(spec: dict) -> pb.Step:
    ((kind, args),) = spec.items()
    return pb.Step(**{kind: {k: v for k, v in args.items() if v is not None}})


def restoration_to_proto(job: Job) -> pb.Restoration:
    spec, result = RestorationSpec.of(job), result_of(job)
    return pb.Restoration(
        id=job.id,
        owner_id=job.owner_id,
        image_id=spec.image_id,
        steps=[_step_to_proto(s) for s in spec.steps],
        device=spec.device,
        status=job_status(job),
        result_image_id=str(result.get("result_image_id", "")),
        step_timings=[pb.StepTiming(**t) for t in result.get("step_timings", [])],
        device_used=str(result.get("device_used", "")),
        device_fallback=bool(result.get("device_fallback", False)),
        providers=list(result.get("providers", [])),
    )


def _box(box: Box) -> pb.Box:
    return pb.Box(x=box.x, y=box.y, width=box.width, height=box.height)


def face_to_proto(face: Face) -> pb.Face:
    return pb.Face(
        box=_box(face.box),
        score=face.score,
        landmarks5=[pb.Point(x=x, y=y) for x, y in face.landmarks5],
        landmarks68=[pb.Point(x=x, y=y) for x, y in face.landmarks68],
    )


def object_to_proto(obj: DetectedObject) -> pb.DetectedObject:
    return pb.DetectedObject(label=obj.label, box=_box(obj.box), score=obj.score)


def model_to_proto(info: ModelInfo) -> pb.Model:
    return pb.Model(
        name=info.name,
        task=info.task,
        version=info.version,
        scale=info.scale,
        input_size=list(info.input_size or ()),
        device=info.device,
        provider=info.provider,
    )
