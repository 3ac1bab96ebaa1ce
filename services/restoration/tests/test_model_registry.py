import json

import numpy as np
import pytest

from imagemesh_kit.errors import NotFound
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.adapters.onnx_runner import choose_providers
from services.restoration.domain.device import Device
from services.restoration.tests import tiny_models


@pytest.fixture()
def model_dir(tmp_path):
    tiny_models.nearest_upsampler(tmp_path, 2)
    tiny_models.identity_denoiser(tmp_path)
    (tmp_path / "broken.json").write_text(json.dumps({"name": "x", "task": "paint"}))
    (tmp_path / "orphan.json").write_text(
        json.dumps({"name": "o", "task": "denoise", "version": "1", "file": "missing.onnx"})
    )
    (tmp_path / "garbage.json").write_text("{not json")
    return tmp_path


def test_registry_discovers_models_and_reports_bad_metadata(model_dir):
    registry = ModelRegistry(model_dir)
    assert sorted(m.name for m in registry.list_models()) == ["tiny-identity", "tiny-nearest"]
    assert set(registry.problems) == {"broken.json", "orphan.json", "garbage.json"}
    assert registry.find("super_resolution", 2).name == "tiny-nearest"
    assert registry.find("super_resolution", 4) is None


def test_dropped_in_model_is_served_after_reload(model_dir):
    registry = ModelRegistry(model_dir)
    assert registry.find("super_resolution", 4) is None
    tiny_models.nearest_upsampler(model_dir, 4, name="dropped-x4")
    registry.reload()
    runner = registry.runner_for("super_resolution", Device.CPU, 4)
    out = runner.run(np.ones((1, 3, 5, 6), np.float32))
    assert out.shape == (1, 3, 20, 24)


def test_runner_runs_the_built_model(model_dir):
    runner = ModelRegistry(model_dir).runner("tiny-nearest", Device.CPU)
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 2, 2)
    np.testing.assert_array_equal(runner.run(x), x.repeat(2, axis=2).repeat(2, axis=3))
    assert runner.provider == "CPUExecutionProvider" and runner.device_used == Device.CPU


def test_unknown_model_is_not_found(model_dir):
    with pytest.raises(NotFound) as err:
        ModelRegistry(model_dir).runner("nope")
    assert err.value.reason == "MODEL_NOT_FOUND"
    assert "nope" in err.value.message


def test_broken_model_file_is_a_failed_precondition(model_dir):
    from imagemesh_kit.errors import FailedPrecondition

    (model_dir / "tiny-nearest.onnx").write_bytes(b"not an onnx model")
    registry = ModelRegistry(model_dir)
    with pytest.raises(FailedPrecondition) as err:
        registry.runner("tiny-nearest")
    assert err.value.reason == "MODEL_LOAD_FAILED" and "not an onnx" not in err.value.message
    assert "tiny-nearest (AUTO)" in registry.problems


def test_gpu_asked_but_absent_falls_back_to_cpu(model_dir):
    registry = ModelRegistry(model_dir)
    runner = registry.runner("tiny-nearest", Device.GPU)
    assert runner.requested_device == Device.GPU
    assert runner.device_used == Device.CPU and runner.provider == "CPUExecutionProvider"
    info = {i.name: i for i in registry.infos()}["tiny-nearest"]
    assert (info.device, info.provider, info.scale) == ("CPU", "CPUExecutionProvider", 2)


def test_provider_choice():
    with_cuda = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers(Device.GPU, with_cuda)[0] == "CUDAExecutionProvider"
    assert choose_providers(Device.AUTO, with_cuda)[0] == "CUDAExecutionProvider"
    assert choose_providers(Device.CPU, with_cuda) == ["CPUExecutionProvider"]
    assert choose_providers(Device.GPU, ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_shipped_models_are_registered(shipped_registry):
    names = {m.name for m in shipped_registry.list_models()}
    assert {"espcn-y-x2", "espcn-y-x4", "ffdnet-lite-rgb"} <= names
    assert shipped_registry.problems == {}
