import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from imagemesh_kit.errors import InvalidArgument
from services.quality.domain import fidelity
from services.quality.domain.fidelity import psnr, ssim
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import add_noise, blur, photo


def pair(name, degrade):
    a = to_working_image(photo(name))
    b = to_working_image(degrade(photo(name)))
    return a, b


@pytest.mark.parametrize("degrade", [lambda x: add_noise(x, 15), lambda x: blur(x, 1.5)])
@pytest.mark.parametrize("name", ["astronaut", "camera"])
def test_psnr_and_ssim_agree_with_skimage(name, degrade):
    a, b = pair(name, degrade)
    for x, y, axis in [(a.rgb, b.rgb, -1), (a.gray, b.gray, None)]:
        assert psnr(x, y) == pytest.approx(peak_signal_noise_ratio(x, y, data_range=1.0), abs=1e-3)
        wang = structural_similarity(
            x, y, data_range=1.0, channel_axis=axis, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
        default = structural_similarity(x, y, data_range=1.0, channel_axis=axis)
        assert ssim(x, y) == pytest.approx(wang, abs=1e-3)
        assert ssim(x, y, gaussian_weights=False) == pytest.approx(default, abs=1e-3)


def test_identical_images():
    a = to_working_image(photo("chelsea")).rgb
    assert psnr(a, a) == float("inf")
    assert ssim(a, a) == pytest.approx(1.0, abs=1e-9)


def test_size_mismatch_is_an_invalid_argument():
    a = to_working_image(photo("camera")).gray
    with pytest.raises(InvalidArgument) as err:
        psnr(a, a[:-1])
    assert err.value.reason == "SIZE_MISMATCH"
    with pytest.raises(InvalidArgument):
        ssim(a, a[:, :-1])


def test_more_distortion_lower_fidelity():
    a = to_working_image(photo("coffee")).rgb
    values = [
        (
            psnr(a, to_working_image(add_noise(photo("coffee"), s)).rgb),
            ssim(a, to_working_image(add_noise(photo("coffee"), s)).rgb),
        )
        for s in (5, 15, 30)
    ]
    assert [v[0] for v in values] == sorted([v[0] for v in values], reverse=True)
    assert [v[1] for v in values] == sorted([v[1] for v in values], reverse=True)


@pytest.mark.parametrize("gaussian", [True, False])
@pytest.mark.parametrize(("shape", "name"), [((300, 451), "camera"), ((257, 390, 3), "astronaut")])
def test_ssim_is_the_same_without_the_kernel(shape, name, gaussian, monkeypatch):
    """The C kernel does numpy's float32 arithmetic and sums in float64: the same mean to ~1e-7."""
    assert fidelity.native.load() is not None, "the C kernels are not built: run `make setup`"
    a, b = pair(name, lambda x: add_noise(x, 12))
    x, y = (a.gray, b.gray) if len(shape) == 2 else (a.rgb, b.rgb)
    x, y = x[: shape[0], : shape[1]], y[: shape[0], : shape[1]]  # views: rows further apart than their width
    fast = ssim(x, y, gaussian_weights=gaussian)
    monkeypatch.setattr(fidelity.native, "load", lambda: None)
    assert fast == pytest.approx(ssim(x, y, gaussian_weights=gaussian), abs=2e-7)


@pytest.mark.parametrize("shape", [(11, 11), (11, 12), (12, 11), (13, 40), (40, 13, 3)])
def test_ssim_of_images_barely_larger_than_the_window_is_the_same_without_the_kernel(shape, monkeypatch):
    rng = np.random.default_rng(sum(shape))
    x = rng.random(shape).astype(np.float32)
    y = np.clip(x + rng.normal(0, 0.05, shape), 0, 1).astype(np.float32)
    fast = ssim(x, y)
    monkeypatch.setattr(fidelity.native, "load", lambda: None)
    # a handful of map values, not a mean over many: their float32 rounding (~1e-6) does not average out
    assert fast == pytest.approx(ssim(x, y), abs=5e-6)
