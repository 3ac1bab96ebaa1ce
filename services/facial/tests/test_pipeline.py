import json

import cv2
import numpy as np
import pytest
from skimage import data

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument
from services.facial.domain.image_io import decode_image
from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import STEPS, Cancelled, ContourInput, compute_contours

from .conftest import encode


def test_progress_is_reported_in_order(astronaut, astronaut_landmarks):
    seen = []
    compute_contours(
        ContourInput(astronaut, astronaut_landmarks),
        ContourParams.create(),
        on_progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert [m for _, m in seen[:-1]] == [name for name, _ in STEPS]


def test_should_stop_cancels_between_steps(astronaut, astronaut_landmarks):
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled) as err:
        compute_contours(ContourInput(astronaut, astronaut_landmarks), ContourParams.create(), should_stop=stop)
    assert err.value.reason == "CANCELLED" and len(calls) == 3


def test_all_output_formats(astronaut, astronaut_landmarks):
    params = ContourParams.create(output_formats=["PNG", "json", "svg"])
    result = compute_contours(ContourInput(astronaut, astronaut_landmarks), params)
    doc = json.loads(result.polygons_json)
    assert doc["space"] == "original" and (doc["width"], doc["height"]) == (512, 512)
    regions = doc["faces"][0]["regions"]
    assert regions["face_oval"]["has_holes"] and len(regions["face_oval"]["rings"]) == 7
    assert set(result.masks) == set(regions)
    for shape in result.geometry.faces[0].shapes:
        mask = cv2.imdecode(np.frombuffer(result.masks[shape.region], np.uint8), cv2.IMREAD_UNCHANGED)
        assert mask.shape == (512, 512) and set(np.unique(mask)) <= {0, 255}
        assert np.count_nonzero(mask) == pytest.approx(shape.area(), rel=0.12, abs=12), shape.region


def test_only_requested_outputs_and_regions(astronaut, astronaut_landmarks):
    params = ContourParams.create(regions="nose", output_formats="json")
    result = compute_contours(ContourInput(astronaut, astronaut_landmarks), params)
    assert result.svg is None and not result.masks
    assert list(json.loads(result.polygons_json)["faces"][0]["regions"]) == ["nose"]


def test_several_faces_largest_or_all(detector, astronaut):
    small = cv2.resize(astronaut, (384, 384), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((512, 900, 3), np.uint8)
    canvas[:, :512] = astronaut
    canvas[64:448, 512:896] = small
    # HOG needs faces of about 80 px in the detection copy: search this one at full size
    largest = compute_contours(ContourInput(canvas), ContourParams.create(detection_max_side=900), detector)
    assert len(largest.geometry.faces) == 1 and largest.geometry.faces[0].box[0] < 512
    params = ContourParams.create(faces="all", detection_max_side=900)
    every = compute_contours(ContourInput(canvas), params, detector)
    assert len(every.geometry.faces) == 2
    assert every.geometry.faces[1].box[0] > 512
    assert b'id="face1-nose"' in every.svg


def test_no_face_found(detector):
    with pytest.raises(InvalidArgument) as err:
        compute_contours(ContourInput(data.coffee()), ContourParams.create(), detector)
    assert err.value.reason == "NO_FACE_FOUND"


def test_landmarks_needed_without_a_detector(astronaut):
    with pytest.raises(FailedPrecondition) as err:
        compute_contours(ContourInput(astronaut), ContourParams.create())
    assert err.value.reason == "DETECTOR_UNAVAILABLE"


def test_bad_landmarks_through_the_pipeline(astronaut, astronaut_landmarks):
    with pytest.raises(InvalidArgument) as err:
        compute_contours(ContourInput(astronaut, astronaut_landmarks[:60]), ContourParams.create())
    assert err.value.reason == "WRONG_LANDMARK_COUNT"
    with pytest.raises(InvalidArgument) as err:
        compute_contours(ContourInput(astronaut[:150], astronaut_landmarks), ContourParams.create())
    assert err.value.reason == "LANDMARKS_OUTSIDE_IMAGE"


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"regions": ["ears"]}, "UNKNOWN_REGION"),
        ({"output_formats": ["gif"]}, "UNKNOWN_OUTPUT_FORMAT"),
        ({"space": "aligned"}, "ALIGNED_SPACE_NEEDS_ALIGN"),
        ({"space": "world", "align": True}, "UNKNOWN_SPACE"),
        ({"faces": "some"}, "UNKNOWN_FACE_SELECTION"),
        ({"faces": "all", "align": True}, "ALIGN_NEEDS_ONE_FACE"),
        ({"margin": 3.0}, "BAD_MARGIN"),
        ({"margin": True}, "BAD_MARGIN"),
        ({"detection_max_side": 50}, "BAD_DETECTION_SIZE"),
        ({"detection_max_side": 640.5}, "BAD_DETECTION_SIZE"),
        ({"label_scheme": "ade20k"}, "UNKNOWN_LABEL_SCHEME"),
    ],
)
def test_bad_params(kwargs, reason):
    with pytest.raises(InvalidArgument) as err:
        ContourParams.create(**kwargs)
    assert err.value.reason == reason
    assert err.value.violations and err.value.violations[0].field in kwargs


@pytest.mark.parametrize(
    "image, reason",
    [
        (np.zeros((100, 100), np.float32), "BAD_IMAGE"),
        (np.zeros((100, 100, 2), np.uint8), "BAD_IMAGE"),
        (np.zeros((10, 100, 3), np.uint8), "IMAGE_TOO_SMALL"),
        ("not an array", "BAD_IMAGE"),
    ],
)
def test_bad_image_arrays(image, reason, astronaut_landmarks):
    with pytest.raises(InvalidArgument) as err:
        compute_contours(ContourInput(image, astronaut_landmarks / 10), ContourParams.create())
    assert err.value.reason == reason


def test_decode_image_checks_size_before_decoding(astronaut):
    assert decode_image(encode(astronaut)).shape == (512, 512, 3)
    with pytest.raises(InvalidArgument) as err:
        decode_image(encode(astronaut), max_pixels=500 * 500)
    assert err.value.reason == "IMAGE_TOO_LARGE" and "512x512" in err.value.message
    for bad, reason in [(b"", "EMPTY_IMAGE"), (b"\x89PNG garbage", "UNDECODABLE_IMAGE")]:
        with pytest.raises(InvalidArgument) as err:
            decode_image(bad)
        assert err.value.reason == reason


def test_gray_and_rgba_images_work(astronaut, astronaut_landmarks, detector):
    gray = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    rgba = cv2.cvtColor(astronaut, cv2.COLOR_RGB2RGBA)
    a = compute_contours(ContourInput(gray), ContourParams.create(), detector)
    b = compute_contours(ContourInput(rgba), ContourParams.create(), detector)
    np.testing.assert_allclose(a.geometry.faces[0].landmarks, astronaut_landmarks, atol=1.0)
    assert a.svg == b.svg


def test_png_masks_read_back_with_opencv_and_pillow():
    import io

    from PIL import Image

    from services.facial.domain.render_masks import encode_png

    mask = np.zeros((37, 53), np.uint8)
    mask[5:20, 3:50] = 255
    mask[30, 52] = 1
    back = cv2.imdecode(np.frombuffer(encode_png(mask), np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(back > 0, mask > 0)
    img = Image.open(io.BytesIO(encode_png(mask)))
    assert img.mode == "1" and img.size == (53, 37)
    np.testing.assert_array_equal(np.array(img), mask > 0)


def test_json_round_trips_to_the_same_outputs(astronaut, astronaut_landmarks):
    from services.facial.domain.pipeline import render_result
    from services.facial.domain.render_json import geometry_from_dict

    params = ContourParams.create(align=True, space="aligned", output_formats=["svg", "json"])
    result = compute_contours(ContourInput(astronaut, astronaut_landmarks), params)
    doc = json.loads(result.polygons_json)
    assert len(doc["faces"][0]["landmarks"]) == 68
    again = render_result(geometry_from_dict(doc), params)
    assert again.polygons_json == result.polygons_json
    assert again.svg == result.svg


def test_results_pickle_for_job_workers(astronaut, astronaut_landmarks):
    import pickle

    params = ContourParams.create(output_formats=["svg", "png", "json"], align=True)
    result = compute_contours(ContourInput(astronaut, astronaut_landmarks), params)
    back = pickle.loads(pickle.dumps(result))
    assert back.svg == result.svg and back.masks == result.masks
    np.testing.assert_array_equal(back.geometry.alignment.matrix, result.geometry.alignment.matrix)
