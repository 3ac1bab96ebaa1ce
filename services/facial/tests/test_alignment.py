import cv2
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from imagemesh_kit.errors import InvalidArgument
from services.facial.domain.alignment import compute_alignment, eye_line_angle_deg, warp_to_aligned
from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import ContourInput, compute_contours
from services.facial.domain.shapes import apply_affine


def _rotate(image, landmarks, angle):
    m = cv2.getRotationMatrix2D((image.shape[1] / 2, image.shape[0] / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (image.shape[1], image.shape[0])), apply_affine(m, landmarks)


def _gray(img):
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


@pytest.mark.parametrize("angle", [-30, -15, 15, 30])
def test_aligned_crop_has_level_eyes_on_rotated_inputs(detector, astronaut, astronaut_landmarks, angle):
    """Landmarks of the upright image, rotated with it; the aligned crop is checked by re-detecting."""
    rotated, lm = _rotate(astronaut, astronaut_landmarks, angle)
    alignment = compute_alignment(lm)
    assert abs(eye_line_angle_deg(apply_affine(alignment.matrix, lm))) < 1e-6
    crop = warp_to_aligned(rotated, alignment)
    redetected = detector.detect(_gray(crop))
    assert len(redetected) == 1
    assert abs(eye_line_angle_deg(redetected[0].landmarks)) < 1.0
    # the crop from the rotated image shows the same as the crop from the upright one
    upright = warp_to_aligned(astronaut, compute_alignment(astronaut_landmarks))
    h, w = min(crop.shape[0], upright.shape[0]), min(crop.shape[1], upright.shape[1])
    assert structural_similarity(_gray(crop[:h, :w]), _gray(upright[:h, :w])) > 0.85


@pytest.mark.parametrize("angle, tolerance", [(-15, 1.0), (15, 1.0), (-30, 3.0), (30, 3.0)])
def test_automatic_landmarks_find_the_rotation(detector, astronaut, astronaut_landmarks, angle, tolerance):
    """dlib's detector copes with about +-30 deg; its landmarks get less exact at 30 deg."""
    rotated, lm_truth = _rotate(astronaut, astronaut_landmarks, angle)
    params = ContourParams.create(align=True, space="aligned")
    result = compute_contours(ContourInput(rotated), params, detector)
    assert abs(result.geometry.alignment.angle_deg - eye_line_angle_deg(lm_truth)) < tolerance
    assert abs(eye_line_angle_deg(result.geometry.faces[0].landmarks)) < 1e-6


def test_matrix_and_inverse_round_trip(astronaut_landmarks):
    al = compute_alignment(astronaut_landmarks, margin=0.5)
    there = apply_affine(al.matrix, astronaut_landmarks)
    np.testing.assert_allclose(apply_affine(al.inverse, there), astronaut_landmarks, atol=1e-9)
    w, h = al.size
    assert np.all(there > 0) and np.all(there < (w, h))
    d = al.to_dict()
    assert d["crop_box"]["width"] == w and len(d["matrix"]) == 2 and len(d["inverse"][0]) == 3


def test_margin_grows_the_crop(astronaut_landmarks):
    small = compute_alignment(astronaut_landmarks, margin=0.0).size
    big = compute_alignment(astronaut_landmarks, margin=0.5).size
    assert big[0] == pytest.approx(2 * small[0], abs=3)


@pytest.mark.parametrize("margin", [-0.1, 2.5, "x", float("nan")])
def test_bad_margin(astronaut_landmarks, margin):
    with pytest.raises(InvalidArgument) as err:
        compute_alignment(astronaut_landmarks, margin=margin)
    assert err.value.reason == "BAD_MARGIN"


def test_original_space_output_keeps_the_alignment(astronaut, astronaut_landmarks):
    result = compute_contours(ContourInput(astronaut, astronaut_landmarks), ContourParams.create(align=True))
    assert result.geometry.size == (512, 512)
    assert result.geometry.alignment is not None
    np.testing.assert_allclose(result.geometry.faces[0].landmarks, astronaut_landmarks)
