import cv2
import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.domain.denoise import DenoiseParams, denoise, estimate_noise_sigma
from services.restoration.domain.device import Device
from services.restoration.domain.images import psnr
from services.restoration.tests import tiny_models
from services.restoration.tests.fakes import RetiledRunner


def add_noise(image, sigma, seed=0):
    noise = np.random.default_rng(seed).normal(0, sigma, image.shape)
    return np.clip(np.round(image + noise), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("sigma,over_blur", [(15, 1.0), (50, 0.3)])  # a blur is strong on smooth fur at 50
def test_model_beats_the_noisy_input_and_a_blur(shipped_registry, chelsea, sigma, over_blur):
    clean = chelsea[:160, 150:350]  # held out from training
    noisy = add_noise(clean, sigma)
    runner = shipped_registry.runner_for("denoise", Device.CPU)
    ours = denoise(noisy, DenoiseParams(), runner)
    blur = cv2.GaussianBlur(noisy, (5, 5), 1.2)
    assert psnr(ours, clean) > psnr(noisy, clean) + 5
    assert psnr(ours, clean) > psnr(blur, clean) + over_blur


def test_strength_blends(shipped_registry, chelsea):
    noisy = add_noise(chelsea[:96, :96], 25)
    runner = shipped_registry.runner_for("denoise", Device.CPU)
    assert np.array_equal(denoise(noisy, DenoiseParams(strength=0.0, sigma=25), runner), noisy)
    full = denoise(noisy, DenoiseParams(strength=1.0, sigma=25), runner).astype(int)
    half = denoise(noisy, DenoiseParams(strength=0.5, sigma=25), runner).astype(int)
    assert np.abs(half - (full + noisy) / 2).max() <= 1


def test_tiled_equals_untiled_with_the_real_model(shipped_registry, coffee):
    noisy = add_noise(coffee[:180, :220], 25)
    runner = shipped_registry.runner_for("denoise", Device.CPU)
    whole = denoise(noisy, DenoiseParams(sigma=25), RetiledRunner(runner, tile_size=1024))
    tiled = denoise(noisy, DenoiseParams(sigma=25), RetiledRunner(runner, tile_size=96, tile_overlap=32))
    diff = np.abs(whole.astype(int) - tiled.astype(int))
    assert diff.max() <= 2 and diff.mean() < 0.05


def test_noise_estimate_known_answers():
    flat = np.full((128, 128, 3), 128, np.uint8)
    assert estimate_noise_sigma(flat) == 0.0
    assert estimate_noise_sigma(add_noise(flat, 10)) == pytest.approx(10, abs=1.5)
    assert estimate_noise_sigma(add_noise(flat, 30)) == pytest.approx(30, abs=3)


def test_blind_model_gets_no_noise_map(tmp_path, coffee):
    tiny_models.identity_denoiser(tmp_path, noise_level_input=False)
    runner = ModelRegistry(tmp_path).runner("tiny-identity")
    image = coffee[:51, :77]  # odd sizes: padded to the model's multiple and cropped back
    assert np.array_equal(denoise(image, DenoiseParams(), runner), image)


@pytest.mark.parametrize(
    "kwargs,reason",
    [
        ({"strength": -0.1}, "INVALID_STRENGTH"),
        ({"strength": "1"}, "INVALID_STRENGTH"),
        ({"sigma": 300}, "INVALID_NOISE_LEVEL"),
    ],
)
def test_bad_params(kwargs, reason):
    with pytest.raises(InvalidArgument) as err:
        DenoiseParams(**kwargs)
    assert err.value.reason == reason
