"""What the restoration API does, without gRPC: each use case checks its input, then reads or writes jobs,
or runs a detector on one of the caller's images.

A restoration is a job of kind "restoration" (the kit's jobs table): params = {image_id, steps, device},
result = {result_image_id, step_timings, device_used, device_fallback, providers}.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from imagemesh_kit import imaging
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.context import Principal
from imagemesh_kit.errors import FailedPrecondition, FieldViolation, InvalidArgument
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.resource import JobResource
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.jobs.worker import cpu_pool
from imagemesh_kit.pagination import clamp_page_size, decode_page_token, encode_page_token
from services.restoration.adapters.model_registry import ModelInfo
from services.restoration.domain.denoise import DenoiseParams
from services.restoration.domain.detect import detect_faces, detect_objects
from services.restoration.domain.detection import DetectedObject, Face
from services.restoration.domain.device import Device
from services.restoration.domain.limits import PixelLimits, check_input_pixels, check_output_pixels
from services.restoration.domain.model_metadata import ModelTask
from services.restoration.domain.pipeline import RestorationRequest, Step, parse_steps
from services.restoration.domain.super_resolution import UpscaleParams
from services.restoration.faces import FaceDetectors

KIND = "restoration"


@dataclass(frozen=True)
class RestorationSpec:
    """What a restoration job does (the job's params): steps as plain dicts, defaults filled in."""

    image_id: str
    steps: tuple[dict, ...]
    device: str

    def as_params(self) -> dict:
        return {"image_id": self.image_id, "steps": list(self.steps), "device": self.device}

    def request(self) -> RestorationRequest:
        return RestorationRequest(parse_steps(list(self.steps)), Device(self.device))

    @classmethod
    def of(cls, job: Job) -> RestorationSpec:
        p = job.params
        return cls(p["image_id"], tuple(p["steps"]), p["device"])


def step_dict(step: Step) -> dict:
    name = {DenoiseParams: "denoise", UpscaleParams: "upscale"}.get(type(step), "face_enhance")
    return {name: dataclasses.asdict(step)}


def parse_spec(image_id: str, steps: Sequence[dict], device: str) -> tuple[RestorationSpec, RestorationRequest]:
    """Steps and device checked (InvalidArgument naming `steps[i]...` or `device`), defaults filled in."""
    parsed = []
    for i, spec in enumerate(steps):
        try:
            parsed.extend(parse_steps([spec]))
        except InvalidArgument as err:
            raise _at_step(err, i) from None
    request = RestorationRequest(tuple(parsed), device or Device.AUTO)
    if not image_id:
        raise InvalidArgument.for_field("image_id", "is required", reason="IMAGE_ID_REQUIRED")
    spec = RestorationSpec(image_id, tuple(step_dict(s) for s in request.steps), request.device.value)
    return spec, request


def _at_step(err: InvalidArgument, i: int) -> InvalidArgument:
    """The domain names a step's fields `denoise.strength` or `steps[0]`: make them `steps[i]...`."""

    def where(field: str) -> str:
        return f"steps[{i}]" + field.removeprefix("steps[0]") if field.startswith("steps[") else f"steps[{i}].{field}"

    violations = [FieldViolation(where(v.field), v.description) for v in err.violations]
    message = f"{violations[0].field}: {violations[0].description}" if violations else err.message
    return InvalidArgument(message, reason=err.reason, violations=violations, metadata=err.metadata)


def result_of(job: Job) -> dict:
    return job.result or {}


class RestorationUseCases:
    def __init__(
        self,
        jobs: JobStore,
        storage: StorageClient,
        models,
        faces: FaceDetectors,
        detectors,
        limits: PixelLimits,
        *,
        max_attempts: int = 3,
    ) -> None:
        self.jobs = jobs
        self.storage = storage
        self.models = models  # ModelRegistry
        self.faces = faces
        self.detectors = detectors  # DetectorCatalog
        self.limits = limits
        self.max_attempts = max_attempts
        # Get, List, Cancel, Delete, Watch: the kit's, with the restoration's own NOT_FOUND.
        self.restorations = JobResource(jobs, KIND, noun="restoration", not_found_reason="RESTORATION_NOT_FOUND")

    # -- restorations ---------------------------------------------------------------------------

    async def create(
        self, principal: Principal, *, image_id: str, steps: Sequence[dict], device: str, request_id: str = ""
    ) -> tuple[Job, bool]:
        spec, request = parse_spec(image_id, steps, device)
        self._check_models(request)
        # The caller's own view of storage: a missing image and another user's both answer NOT_FOUND.
        image = await self.storage.get(spec.image_id, principal.forwarded_metadata())
        check_input_pixels(image.height, image.width, self.limits)
        check_output_pixels(*request.output_size(image.height, image.width), self.limits)
        return await self.jobs.create(
            principal.subject, KIND, spec.as_params(), idempotency_key=request_id, max_attempts=self.max_attempts
        )

    def _check_models(self, request: RestorationRequest) -> None:
        """A model for every step exists (loading waits for the worker)."""
        for step in request.steps:
            if isinstance(step, DenoiseParams):
                found = self.models.find(ModelTask.DENOISE.value) is not None
            elif isinstance(step, UpscaleParams):
                sr = ModelTask.SUPER_RESOLUTION.value
                found = self.models.find(sr, step.factor) is not None or (
                    step.factor == 4 and self.models.find(sr, 2) is not None
                )
            else:
                continue  # face enhancement works without a model
            if not found:
                name = "denoising" if isinstance(step, DenoiseParams) else f"x{step.factor} super-resolution"
                raise FailedPrecondition(f"No {name} model is available.", reason="MODEL_UNAVAILABLE")

    # -- detection (synchronous answers) --------------------------------------------------------

    async def detect_faces(self, principal: Principal, image_id: str, detector: str) -> tuple[list[Face], tuple]:
        face_detector = self.faces.get(detector or "hog")  # unknown name: before any download
        pixels = await self._pixels(principal, image_id)
        return await _in_pool(detect_faces, pixels, face_detector, self.limits), pixels.shape[:2]

    async def detect_objects(
        self, principal: Principal, image_id: str, detector: str
    ) -> tuple[list[DetectedObject], tuple]:
        if not detector:
            raise InvalidArgument.for_field("detector", "is required", reason="UNKNOWN_DETECTOR")
        self.detectors.get(detector)  # unknown name: before any download
        pixels = await self._pixels(principal, image_id)
        return await _in_pool(detect_objects, pixels, detector, self.detectors, self.limits), pixels.shape[:2]

    async def _pixels(self, principal: Principal, image_id: str) -> np.ndarray:
        if not image_id:
            raise InvalidArgument.for_field("image_id", "is required", reason="IMAGE_ID_REQUIRED")
        md = principal.forwarded_metadata()
        image = await self.storage.get(image_id, md)  # the size first: nothing is downloaded over the limit
        check_input_pixels(image.height, image.width, self.limits)
        _, data = await self.storage.download(image_id, md)
        return await _in_pool(functools.partial(imaging.decode, keep_alpha=False), data)

    # -- models ---------------------------------------------------------------------------------

    def model_problems(self, principal: Principal) -> dict[str, str]:
        """Why model files were skipped or failed to load: for admins only (messages may name paths)."""
        return dict(self.models.problems) if principal.is_admin else {}

    def models_page(self, page_size: int, page_token: str) -> tuple[list[ModelInfo], str]:
        """The registered models by name, a page at a time (the token carries an offset)."""
        size = clamp_page_size(page_size)
        cursor = decode_page_token(page_token, ("offset",))
        start = cursor["offset"] if cursor else 0
        if not isinstance(start, int) or start < 0:
            raise InvalidArgument.for_field("page_token", "is not a token this API issued", reason="INVALID_PAGE_TOKEN")
        infos = sorted(self.models.infos(), key=lambda m: m.name)
        page = infos[start : start + size]
        more = start + size < len(infos)
        return page, encode_page_token({"offset": start + size}) if more else ""


async def _in_pool(fn, /, *args):
    return await asyncio.get_running_loop().run_in_executor(cpu_pool(), lambda: fn(*args))
