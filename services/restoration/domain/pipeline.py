"""The restoration pipeline: an ordered list of steps (denoise, upscale, face_enhance).

`run_restoration` checks everything it can BEFORE any work (image, parameters, pixel limits, that the
needed models exist), then runs the steps in order with per-step timings, a progress callback
`on_progress(fraction, message)` and a `should_stop()` check between steps and tiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument
from services.restoration.domain.denoise import DenoiseParams, denoise
from services.restoration.domain.device import Device, parse_device
from services.restoration.domain.errors import check_stop
from services.restoration.domain.face_enhance import FaceEnhanceParams, enhance_faces
from services.restoration.domain.face_restore_model import restore_faces
from services.restoration.domain.images import as_rgb_uint8
from services.restoration.domain.limits import PixelLimits, check_input_pixels, check_output_pixels
from services.restoration.domain.model_metadata import ModelTask
from services.restoration.domain.ports import FaceDetector, ModelProvider, ModelRunner
from services.restoration.domain.super_resolution import UpscaleParams, upscale
from services.restoration.domain.tiling import ProgressFn, StopFn

Step = DenoiseParams | UpscaleParams | FaceEnhanceParams
MAX_STEPS = 8
STEP_NAMES = {DenoiseParams: "denoise", UpscaleParams: "upscale", FaceEnhanceParams: "face_enhance"}


@dataclass(frozen=True)
class RestorationRequest:
    """Steps run in the given order; device AUTO | CPU | GPU."""

    steps: tuple[Step, ...]
    device: Device = Device.AUTO

    def __post_init__(self) -> None:
        object.__setattr__(self, "device", parse_device(self.device))
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise InvalidArgument.for_field("steps", "at least one step is needed", reason="NO_STEPS")
        if len(self.steps) > MAX_STEPS:
            raise InvalidArgument.for_field("steps", f"at most {MAX_STEPS} steps", reason="TOO_MANY_STEPS")
        for i, step in enumerate(self.steps):
            if type(step) not in STEP_NAMES:
                raise InvalidArgument.for_field(f"steps[{i}]", "unknown step type", reason="UNKNOWN_STEP")

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        factor = 1
        for step in self.steps:
            if isinstance(step, UpscaleParams):
                factor *= step.factor
        return height * factor, width * factor


@dataclass(frozen=True)
class StepTiming:
    name: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class RestorationResult:
    image: np.ndarray
    step_timings: tuple[StepTiming, ...]
    device_used: Device  # CPU or GPU; CPU when GPU was asked but none was usable
    providers: tuple[str, ...]  # execution providers of the models that ran
    device_fallback: bool  # True when GPU was asked and CPU was used


@dataclass
class RestorationTools:
    """The outside world the pipeline needs (ports), plus limits."""

    models: ModelProvider
    face_detector: FaceDetector | None = None
    limits: PixelLimits = field(default_factory=PixelLimits)


def _model(tools: RestorationTools, task: ModelTask, device: Device, scale: int | None = None) -> ModelRunner:
    runner = tools.models.runner_for(task.value, device, scale)
    if runner is None:
        raise FailedPrecondition(f"No {task.value} model is available.", reason="MODEL_UNAVAILABLE")
    return runner


def _sr_runners(tools: RestorationTools, factor: int, device: Device) -> list[ModelRunner]:
    """One model of the exact scale, else x2 models chained (x4 = x2 twice)."""
    runner = tools.models.runner_for(ModelTask.SUPER_RESOLUTION.value, device, factor)
    if runner is not None:
        return [runner]
    if factor == 4:
        half = tools.models.runner_for(ModelTask.SUPER_RESOLUTION.value, device, 2)
        if half is not None:
            return [half, half]
    raise FailedPrecondition(f"No x{factor} super-resolution model is available.", reason="MODEL_UNAVAILABLE")


StepFn = Callable[[np.ndarray, ProgressFn, StopFn | None], tuple[np.ndarray, str]]


def _denoise_step(params: DenoiseParams, runner: ModelRunner) -> StepFn:
    def run(image: np.ndarray, progress: ProgressFn, should_stop: StopFn | None) -> tuple[np.ndarray, str]:
        return denoise(image, params, runner, on_progress=progress, should_stop=should_stop), runner.metadata.name

    return run


def _upscale_step(params: UpscaleParams, chain: list[ModelRunner]) -> StepFn:
    names = "+".join(r.metadata.name for r in chain)

    def run(image: np.ndarray, progress: ProgressFn, should_stop: StopFn | None) -> tuple[np.ndarray, str]:
        return upscale(image, params, chain, on_progress=progress, should_stop=should_stop), names

    return run


def _face_step(params: FaceEnhanceParams, detector: FaceDetector, restorer: ModelRunner | None) -> StepFn:
    def run(image: np.ndarray, progress: ProgressFn, should_stop: StopFn | None) -> tuple[np.ndarray, str]:
        faces = detector.detect_faces(image)
        progress(0.5, f"{len(faces)} face(s) found")
        check_stop(should_stop)
        if restorer is not None:
            restored = restore_faces(image, faces, restorer, params.strength)
            return restored, f"{len(faces)} faces, {restorer.metadata.name}"
        return enhance_faces(image, faces, params), f"{len(faces)} faces, landmark-guided"

    return run


def _plan(request: RestorationRequest, tools: RestorationTools) -> tuple[list[tuple[str, StepFn]], list]:
    """Resolve every step to a step function (and its models) before any work."""
    plan: list[tuple[str, StepFn]] = []
    runners: list[ModelRunner] = []
    device = request.device
    for step in request.steps:
        if isinstance(step, DenoiseParams):
            runner = _model(tools, ModelTask.DENOISE, device)
            runners.append(runner)
            plan.append(("denoise", _denoise_step(step, runner)))
        elif isinstance(step, UpscaleParams):
            chain = _sr_runners(tools, step.factor, device)
            runners.extend(chain)
            plan.append(("upscale", _upscale_step(step, chain)))
        else:
            if tools.face_detector is None:
                raise FailedPrecondition("Face enhancement needs a face detector.", reason="DETECTOR_UNAVAILABLE")
            restorer = tools.models.runner_for(ModelTask.FACE_RESTORATION.value, device, None)
            if restorer is not None:
                runners.append(restorer)
            plan.append(("face_enhance", _face_step(step, tools.face_detector, restorer)))
    return plan, runners


def run_restoration(
    image: np.ndarray,
    request: RestorationRequest,
    tools: RestorationTools,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> RestorationResult:
    """Run the request's steps on an RGB uint8 image."""
    image = as_rgb_uint8(image)
    h, w = image.shape[:2]
    check_input_pixels(h, w, tools.limits)
    check_output_pixels(*request.output_size(h, w), tools.limits)
    plan, runners = _plan(request, tools)
    timings: list[StepTiming] = []
    n = len(plan)
    for i, (name, fn) in enumerate(plan):
        check_stop(should_stop)

        def progress(fraction: float, message: str, i: int = i, name: str = name) -> None:
            if on_progress:
                on_progress(min(1.0, (i + fraction) / n), f"{name}: {message}")

        start = time.perf_counter()
        image, detail = fn(image, progress, should_stop)
        timings.append(StepTiming(name, time.perf_counter() - start, detail))
        progress(1.0, "done")
    used = Device.GPU if any(r.device_used == Device.GPU for r in runners) else Device.CPU
    return RestorationResult(
        image=image,
        step_timings=tuple(timings),
        device_used=used,
        providers=tuple(dict.fromkeys(r.provider for r in runners)),
        device_fallback=request.device == Device.GPU and used == Device.CPU,
    )


def parse_steps(specs: Sequence[dict]) -> tuple[Step, ...]:
    """Steps from plain dicts: {"denoise": {"strength": 0.8}}, {"upscale": {"factor": 2}}, {"face_enhance": {}}."""
    kinds = {"denoise": DenoiseParams, "upscale": UpscaleParams, "face_enhance": FaceEnhanceParams}
    steps: list[Step] = []
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict) or len(spec) != 1:
            raise InvalidArgument.for_field(f"steps[{i}]", "must name exactly one step", reason="UNKNOWN_STEP")
        ((kind, args),) = spec.items()
        if kind not in kinds:
            raise InvalidArgument.for_field(
                f"steps[{i}]", "must be one of denoise, upscale, face_enhance", reason="UNKNOWN_STEP"
            )
        try:
            steps.append(kinds[kind](**(args or {})))
        except TypeError:
            raise InvalidArgument.for_field(
                f"steps[{i}].{kind}", "has unknown fields", reason="UNKNOWN_FIELD"
            ) from None
    return tuple(steps)
