import cv2
import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.domain.device import Device
from services.restoration.domain.images import psnr_y
from services.restoration.domain.super_resolution import UpscaleParams, bicubic_upscale, upscale
from services.restoration.tests import tiny_models
from services.restoration.tests.fakes import RetiledRunner


def degrade(hr: np.ndarray, factor: int) -> np.ndarray:
    h, w = hr.shape[:2]
    return cv2.resize(hr, (w // factor, h // factor), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("factor,min_gain", [(2, 0.5), (4, 0.25)])
def test_model_beats_bicubic_on_held_out_images(shipped_registry, astronaut, coffee, factor, min_gain):
    runner = shipped_registry.runner_for("super_resolution", Device.CPU, factor)
    for hr in (astronaut[64:320, 128:384], coffee[100:356, 200:456]):  # held out from training
        lr = degrade(hr, factor)
        ours = upscale(lr, UpscaleParams(factor), [runner])
        assert ours.shape == hr.shape and ours.dtype == np.uint8
        gain = psnr_y(ours, hr, border=factor * 2) - psnr_y(bicubic_upscale(lr, factor), hr, border=factor * 2)
        assert gain > min_gain


def test_luma_model_keeps_colours(shipped_registry, coffee):
    runner = shipped_registry.runner_for("super_resolution", Device.CPU, 2)
    lr = coffee[::4, ::4]
    ours, base = upscale(lr, UpscaleParams(2), [runner]), bicubic_upscale(lr, 2)
    assert np.abs(ours.reshape(-1, 3).mean(0) - base.reshape(-1, 3).mean(0)).max() < 2.0


def test_tiled_equals_untiled_with_the_real_model(shipped_registry, astronaut):
    runner = shipped_registry.runner_for("super_resolution", Device.CPU, 2)
    image = astronaut[100:250, 120:300]
    whole = upscale(image, UpscaleParams(2), [RetiledRunner(runner, tile_size=1024)])
    tiled = upscale(image, UpscaleParams(2), [RetiledRunner(runner, tile_size=48, tile_overlap=12)])
    diff = np.abs(whole.astype(int) - tiled.astype(int))
    assert diff.max() <= 2 and diff.mean() < 0.05


def test_nearest_model_known_answer_and_rgb_path(tmp_path, chelsea):
    tiny_models.nearest_upsampler(tmp_path, 2)
    runner = ModelRegistry(tmp_path).runner("tiny-nearest")
    out = upscale(chelsea[:70, :90], UpscaleParams(2), [runner])
    assert np.array_equal(out, chelsea[:70, :90].repeat(2, axis=0).repeat(2, axis=1))


def test_bad_factor():
    with pytest.raises(InvalidArgument) as err:
        UpscaleParams(3)
    assert err.value.reason == "INVALID_SCALE_FACTOR"
