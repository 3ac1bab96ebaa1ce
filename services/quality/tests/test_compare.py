import cv2
import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.quality.domain.assess import assess
from services.quality.domain.compare import assessed, compare, compare_assessed
from services.quality.tests.images import add_noise, photo


def test_identical_images():
    r = compare(photo("camera"), photo("camera"))
    assert r.psnr == float("inf") and r.ssim == pytest.approx(1.0)
    assert not r.resized and r.enhanced_pixels is None and r.enhancements_applied == ()
    assert all(d.value_difference == 0.0 for d in r.differences)
    assert r.differences[-1].name == "overall"
    assert r.processing_time_ms > 0


@pytest.mark.parametrize("name", ["astronaut", "camera"])
def test_an_image_compared_with_itself_needs_no_enhancement(name):
    r = compare(photo(name), photo(name), 1.0)
    assert r.enhancements_applied == () and r.enhanced_pixels is None


def test_different_sizes_are_resized_and_said_so():
    ref = photo("astronaut")
    cand = cv2.resize(ref, (300, 300), interpolation=cv2.INTER_AREA)
    r = compare(ref, cand)
    assert r.resized and "300x300" in r.size_note and "512x512" in r.size_note
    assert 20.0 < r.psnr < 40.0 and 0.5 < r.ssim < 1.0
    assert (r.report2.width, r.report2.height) == (300, 300)


def test_enhancement_moves_the_candidate_toward_the_reference():
    ref = photo("coffee")
    cand = add_noise(ref, 20, seed=9)
    r = compare(ref, cand, 1.0)
    assert r.enhanced_pixels is not None and r.enhanced_pixels.shape == cand.shape
    assert "denoise" in [s.name for s in r.enhancements_applied]
    noisy_err = np.abs(cand.astype(float) - ref).mean()
    enhanced_err = np.abs(r.enhanced_pixels.astype(float) - ref).mean()
    assert enhanced_err < 0.7 * noisy_err


def test_gray_vs_colour_and_bad_level():
    r = compare(photo("astronaut"), cv2.cvtColor(photo("astronaut"), cv2.COLOR_RGB2GRAY), 0.3)
    assert np.isfinite(r.psnr)
    with pytest.raises(InvalidArgument) as err:
        compare(photo("camera"), photo("camera"), 2.0)
    assert err.value.reason == "LEVEL_OUT_OF_RANGE"
    with pytest.raises(InvalidArgument) as err:
        compare(photo("camera"), np.zeros((4, 4), np.uint8))
    assert err.value.violations[0].field == "image2"


def test_both_reports_equal_the_assessment_of_each_image():
    """BRISQUE and NIQE are taken on the pool while the candidate is enhanced: the reports still carry every
    aspect, with the values assess() gives for each image."""
    ref = cv2.resize(photo("astronaut"), (1000, 800))
    cand = add_noise(ref, 12.0)
    r = compare(ref, cand, 1.0)
    for report, pixels in ((r.report1, ref), (r.report2, cand)):
        alone = assess(pixels)

        def values(rep):
            return [(a.name, a.value, a.score) for a in rep.aspects]

        assert values(report) == values(alone)
        assert report.overall == alone.overall and report.notes == alone.notes
        assert {"brisque", "niqe"} <= {a.name for a in report.aspects}


@pytest.mark.parametrize("size", [None, (1000, 800)], ids=["one tile: full-image search", "tiles: final check"])
def test_the_encoder_gets_the_final_pixels_once(size):
    """compare_assessed runs the caller's encoder (while the enhancement's final check runs, for images searched on
    their tiles); what it returns is the encoding of exactly the pixels the result carries."""
    ref = photo("astronaut") if size is None else cv2.resize(photo("astronaut"), size)
    calls = []

    def encode(pixels):
        calls.append(pixels.copy())
        return pixels.tobytes()

    sides = [assessed(p, f) for p, f in ((ref, "image1"), (add_noise(ref, 15.0), "image2"))]
    r = compare_assessed(*sides, 1.0, encode=encode)
    assert r.enhancements_applied and len(calls) == 1
    assert np.array_equal(calls[0], r.enhanced_pixels) and r.enhanced_encoded == r.enhanced_pixels.tobytes()
    untouched = compare_assessed(*sides, 0.0, encode=encode)
    assert untouched.enhanced_pixels is None and untouched.enhanced_encoded is None and len(calls) == 1
