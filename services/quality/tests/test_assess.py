import cv2
import numpy as np
import pytest

from services.quality.domain.assess import assess
from services.quality.domain.cancel import Cancelled
from services.quality.domain.report import ASPECTS
from services.quality.tests.images import add_noise, blur, photo


def test_report_on_a_clean_photo():
    r = assess(photo("astronaut"))
    assert (r.width, r.height) == (512, 512)
    assert [a.name for a in r.aspects] == list(ASPECTS)
    assert all(0.0 <= a.score <= 100.0 and a.reason for a in r.aspects)
    assert 70.0 <= r.overall <= 100.0
    assert r.noise_sigma < 4.0 and r.sharpness > 8.0 and r.brisque < 30 and r.niqe < 8


def test_degradations_lower_the_overall_score():
    img = photo("coffee")
    clean = assess(img).overall
    assert assess(blur(img, 2.0)).overall < clean - 10
    assert assess(add_noise(img, 25)).overall < clean - 10


def test_grayscale_rgba_and_16bit_inputs():
    gray = assess(photo("camera"))
    assert gray.colorfulness == 0.0
    assert gray.aspect("colorfulness").weight == 0.0
    rgba = np.dstack([photo("chelsea"), np.full(photo("chelsea").shape[:2], 255, np.uint8)])
    # an opaque alpha changes nothing but float32 rounding (its luma is taken by numpy, the RGB's by the C kernel)
    assert assess(rgba).overall == pytest.approx(assess(photo("chelsea")).overall, abs=1e-4)
    img16 = photo("camera").astype(np.uint16) * 257
    ok, png = cv2.imencode(".png", img16)
    assert ok
    r16 = assess(cv2.imdecode(png, cv2.IMREAD_UNCHANGED))
    assert r16.overall == pytest.approx(gray.overall, abs=0.01)  # float32 rounding only
    assert r16.noise_sigma == pytest.approx(gray.noise_sigma, abs=0.01)


def test_large_image_notes_the_sampling():
    big = cv2.resize(photo("astronaut"), (3000, 2000), interpolation=cv2.INTER_CUBIC)
    r = assess(big)
    assert any("768 px" in n for n in r.notes)
    assert any("tiles" in n for n in r.notes)


def test_progress_and_cancellation():
    seen = []
    assess(photo("camera"), on_progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled) as err:
        assess(photo("camera"), should_stop=lambda: True)
    assert err.value.reason == "CANCELLED"


@pytest.mark.parametrize(
    "pixels",
    [
        np.full((64, 64), 128, np.uint8),
        np.zeros((40, 50, 3), np.uint8),
        np.full((40, 50, 3), 255, np.uint8),
        (np.random.default_rng(0).random((16, 16, 3)) * 255).astype(np.uint8),
        np.random.default_rng(1).random((30, 30)) > 0.5,
    ],
    ids=["flat", "black", "white", "tiny", "bool"],
)
def test_degenerate_images_give_finite_reports(pixels):
    r = assess(pixels)
    values = [r.sharpness, r.contrast, r.noise_sigma, r.colorfulness, r.brisque, r.niqe, r.overall]
    assert all(np.isfinite(v) for v in values)
    assert all(np.isfinite(a.score) and a.reason for a in r.aspects)
