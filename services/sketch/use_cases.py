"""What the sketch API does, without gRPC: each use case checks its input, then reads or writes jobs.

A sketch is a job of kind "sketch" (the kit's jobs table): params = {image_id, style, method, params},
result = {result_image_id}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.context import Principal
from imagemesh_kit.errors import InvalidArgument
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.resource import JobResource
from imagemesh_kit.jobs.store import JobStore
from services.sketch.domain import check_size, parse_method, parse_style, resolve_params

KIND = "sketch"


@dataclass(frozen=True)
class SketchSpec:
    """What a sketch job renders (the job's params)."""

    image_id: str
    style: str
    method: str
    params: dict[str, float | int]

    def as_params(self) -> dict:
        return {"image_id": self.image_id, "style": self.style, "method": self.method, "params": self.params}

    @classmethod
    def of(cls, job: Job) -> SketchSpec:
        p = job.params
        return cls(p["image_id"], p["style"], p["method"], dict(p.get("params") or {}))


def result_image_id(job: Job) -> str:
    return str((job.result or {}).get("result_image_id", ""))


def parse_spec(image_id: str, style: str, method: str, params: Mapping[str, float]) -> SketchSpec:
    """Style, method and params checked against the catalogue (defaults filled in); InvalidArgument names the field."""
    s, m = parse_style(style), parse_method(method)
    resolved = resolve_params(s, m, dict(params))
    if not image_id:
        raise InvalidArgument.for_field("image_id", "is required", reason="IMAGE_ID_REQUIRED")
    return SketchSpec(image_id, s.value, m.value, dict(resolved.values))


class SketchUseCases:
    def __init__(self, jobs: JobStore, storage: StorageClient, *, max_attempts: int = 3) -> None:
        self.jobs = jobs
        self.storage = storage
        self.max_attempts = max_attempts
        # Get, List, Cancel, Delete, Watch: the kit's, with the sketch's own NOT_FOUND.
        self.sketches = JobResource(jobs, KIND, noun="sketch", not_found_reason="SKETCH_NOT_FOUND")

    async def create(
        self,
        principal: Principal,
        *,
        image_id: str,
        style: str,
        method: str,
        params: Mapping[str, float],
        request_id: str = "",
    ) -> tuple[Job, bool]:
        spec = parse_spec(image_id, style, method, params)
        # The caller's own view of storage: a missing image and another user's both answer NOT_FOUND.
        image = await self.storage.get(spec.image_id, principal.forwarded_metadata())
        check_size(image.height, image.width, "image_id")  # before the worker downloads it
        return await self.jobs.create(
            principal.subject, KIND, spec.as_params(), idempotency_key=request_id, max_attempts=self.max_attempts
        )
