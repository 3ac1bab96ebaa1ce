import numpy as np
import pytest

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument, ResourceExhausted
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.domain.denoise import DenoiseParams
from services.restoration.domain.device import Device
from services.restoration.domain.errors import Cancelled
from services.restoration.domain.face_enhance import FaceEnhanceParams
from services.restoration.domain.limits import PixelLimits
from services.restoration.domain.pipeline import (
    RestorationRequest,
    RestorationTools,
    parse_steps,
    run_restoration,
)
from services.restoration.domain.super_resolution import UpscaleParams
from services.restoration.tests import tiny_models


class CountingProvider:
    """Wraps a registry and counts model runs (to prove that no work happened)."""

    def __init__(self, registry):
        self.registry, self.runs = registry, 0

    def runner_for(self, task, device, scale=None):
        runner = self.registry.runner_for(task, device, scale)
        if runner is None:
            return None
        outer = self

        class Counting:
            metadata, device_used, provider = runner.metadata, runner.device_used, runner.provider

            def run(self, batch):
                outer.runs += 1
                return runner.run(batch)

        return Counting()


class FakeFaces:
    def __init__(self):
        self.calls = 0

    def detect_faces(self, image):
        self.calls += 1
        return []


@pytest.fixture()
def tiny_registry(tmp_path):
    tiny_models.nearest_upsampler(tmp_path, 2)
    tiny_models.identity_denoiser(tmp_path)
    return ModelRegistry(tmp_path)


def test_steps_run_in_order_with_timings_and_progress(tiny_registry, coffee):
    request = RestorationRequest(steps=(DenoiseParams(), UpscaleParams(4), FaceEnhanceParams()), device="cpu")
    seen = []
    faces = FakeFaces()
    result = run_restoration(
        coffee[:100, :120],
        request,
        RestorationTools(tiny_registry, faces),
        on_progress=lambda f, m: seen.append((f, m)),
    )
    assert result.image.shape == (400, 480, 3)  # x4 = the x2 model twice
    assert [t.name for t in result.step_timings] == ["denoise", "upscale", "face_enhance"]
    assert all(t.seconds >= 0 for t in result.step_timings)
    assert result.step_timings[1].detail == "tiny-nearest+tiny-nearest"
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m.startswith("upscale: tile") for _, m in seen)
    assert faces.calls == 1
    assert (result.device_used, result.device_fallback) == (Device.CPU, False)
    assert result.providers == ("CPUExecutionProvider",)
    nearest = coffee[:100, :120].repeat(4, axis=0).repeat(4, axis=1)
    assert np.abs(result.image.astype(int) - nearest).max() <= 1  # identity denoise + nearest x4


def test_gpu_asked_but_absent_is_reported(tiny_registry, coffee):
    result = run_restoration(
        coffee[:64, :64], RestorationRequest((UpscaleParams(2),), Device.GPU), RestorationTools(tiny_registry)
    )
    assert result.device_used == Device.CPU and result.device_fallback is True


def test_over_limit_upscale_is_resource_exhausted_before_any_work(tiny_registry, coffee):
    provider = CountingProvider(tiny_registry)
    tools = RestorationTools(provider, limits=PixelLimits(max_output_pixels=1_000_000))
    request = RestorationRequest((DenoiseParams(), UpscaleParams(4)))
    progress = []
    with pytest.raises(ResourceExhausted) as err:
        run_restoration(coffee, request, tools, on_progress=lambda f, m: progress.append(f))  # 400x600 x4
    assert err.value.reason == "OUTPUT_TOO_LARGE"
    assert provider.runs == 0 and progress == []


def test_over_limit_input_is_resource_exhausted(tiny_registry, coffee):
    tools = RestorationTools(tiny_registry, limits=PixelLimits(max_input_pixels=1000))
    with pytest.raises(ResourceExhausted) as err:
        run_restoration(coffee, RestorationRequest((DenoiseParams(),)), tools)
    assert err.value.reason == "INPUT_TOO_LARGE"


def test_should_stop_cancels_between_steps(tiny_registry, coffee):
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        run_restoration(
            coffee[:64, :64],
            RestorationRequest((DenoiseParams(), UpscaleParams(2))),
            RestorationTools(tiny_registry),
            should_stop=should_stop,
        )


def test_missing_models_fail_before_work(tmp_path, coffee):
    tiny_models.identity_denoiser(tmp_path)
    provider = CountingProvider(ModelRegistry(tmp_path))
    with pytest.raises(FailedPrecondition) as err:
        run_restoration(coffee, RestorationRequest((DenoiseParams(), UpscaleParams(2))), RestorationTools(provider))
    assert err.value.reason == "MODEL_UNAVAILABLE" and provider.runs == 0
    with pytest.raises(FailedPrecondition) as err:
        run_restoration(coffee, RestorationRequest((FaceEnhanceParams(),)), RestorationTools(provider))
    assert err.value.reason == "DETECTOR_UNAVAILABLE"


def test_parse_steps_and_request_validation():
    steps = parse_steps([{"denoise": {"strength": 0.5}}, {"upscale": {"factor": 4}}, {"face_enhance": None}])
    assert steps == (DenoiseParams(0.5), UpscaleParams(4), FaceEnhanceParams())
    bad = [
        ([{"sharpen": {}}], "UNKNOWN_STEP"),
        ([{"upscale": {"factor": 3}}], "INVALID_SCALE_FACTOR"),
        ([{"denoise": {"strength": 2}}], "INVALID_STRENGTH"),
        ([{"denoise": {"sigma": -1}}], "INVALID_NOISE_LEVEL"),
        ([{"denoise": {"power": 1}}], "UNKNOWN_FIELD"),
        (["denoise"], "UNKNOWN_STEP"),
    ]
    for spec, reason in bad:
        with pytest.raises(InvalidArgument) as err:
            parse_steps(spec)
        assert err.value.reason == reason
    for kwargs, reason in [
        ({"steps": ()}, "NO_STEPS"),
        ({"steps": (DenoiseParams(),) * 9}, "TOO_MANY_STEPS"),
        ({"steps": ("x",)}, "UNKNOWN_STEP"),
        ({"steps": (DenoiseParams(),), "device": "tpu"}, "UNKNOWN_DEVICE"),
    ]:
        with pytest.raises(InvalidArgument) as err:
            RestorationRequest(**kwargs)
        assert err.value.reason == reason


def test_real_models_and_faces_end_to_end(shipped_registry, astronaut):
    from skimage.metrics import structural_similarity

    from services.restoration.adapters.dlib_faces import DlibFaceDetector

    clean = astronaut[20:220, 120:320]  # 200 x 200 around the face
    noisy = np.clip(np.round(clean + np.random.default_rng(3).normal(0, 15, clean.shape)), 0, 255).astype(np.uint8)
    request = RestorationRequest((DenoiseParams(), UpscaleParams(2), FaceEnhanceParams()), Device.AUTO)
    result = run_restoration(noisy, request, RestorationTools(shipped_registry, DlibFaceDetector("hog")))
    assert result.image.shape == (400, 400, 3)
    assert [t.detail for t in result.step_timings] == ["ffdnet-lite-rgb", "espcn-y-x2", "1 faces, landmark-guided"]
    reference = np.repeat(np.repeat(clean, 2, axis=0), 2, axis=1)
    assert structural_similarity(result.image, reference, channel_axis=2) > structural_similarity(
        np.repeat(np.repeat(noisy, 2, axis=0), 2, axis=1), reference, channel_axis=2
    )


def test_registered_face_restoration_model_replaces_enhancement(tmp_path, astronaut):
    from services.restoration.adapters.dlib_faces import DlibFaceDetector

    tiny_models.inverting_face_model(tmp_path)
    result = run_restoration(
        astronaut[20:220, 120:320],
        RestorationRequest((FaceEnhanceParams(),)),
        RestorationTools(ModelRegistry(tmp_path), DlibFaceDetector("hog")),
    )
    assert result.step_timings[0].detail == "1 faces, tiny-face"
