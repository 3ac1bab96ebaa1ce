import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.facial.domain.landmarks import DetectedFace, FaceSelection, select_faces, validate_landmarks
from services.facial.domain.scheme import LANDMARK_GROUPS, REGION_LANDMARKS, Region, parse_regions


def test_groups_cover_the_68_points_once():
    covered = sorted(i for a, b in LANDMARK_GROUPS.values() for i in range(a, b + 1))
    assert covered == list(range(68))


def test_every_region_lists_landmarks():
    assert set(REGION_LANDMARKS) == set(Region)
    assert all(REGION_LANDMARKS[r] for r in Region)


def test_validate_accepts_pairs_and_xy_dicts(astronaut_landmarks):
    pts = validate_landmarks(astronaut_landmarks.tolist(), (512, 512))
    as_dicts = validate_landmarks([{"x": x, "y": y} for x, y in astronaut_landmarks], (512, 512))
    assert pts.shape == (68, 2)
    np.testing.assert_array_equal(pts, as_dicts)


@pytest.mark.parametrize(
    "landmarks, reason",
    [
        (np.zeros((67, 2)), "WRONG_LANDMARK_COUNT"),
        (np.zeros((5, 2)), "WRONG_LANDMARK_COUNT"),
        (np.zeros(68), "BAD_LANDMARKS"),
        (np.zeros((68, 3)), "BAD_LANDMARKS"),
        ([["a", "b"]] * 68, "BAD_LANDMARKS"),
        ([{"x": 1}] * 68, "BAD_LANDMARKS"),
        (np.full((68, 2), np.nan), "BAD_LANDMARKS"),
        (None, "BAD_LANDMARKS"),
        (5, "BAD_LANDMARKS"),
        ("1,2", "BAD_LANDMARKS"),
        ({"x": 1, "y": 2}, "BAD_LANDMARKS"),
        (np.full((68, 2), 10.0), "DEGENERATE_LANDMARKS"),
    ],
)
def test_bad_landmarks(landmarks, reason):
    with pytest.raises(InvalidArgument) as err:
        validate_landmarks(landmarks, (100, 100))
    assert err.value.reason == reason
    assert err.value.violations[0].field == "landmarks"


@pytest.mark.parametrize("x, y", [(-2.0, 5.0), (5.0, -1.0), (100.0, 5.0), (5.0, 120.0)])
def test_landmarks_outside_image(x, y):
    pts = np.full((68, 2), 10.0)
    pts[40] = (x, y)
    with pytest.raises(InvalidArgument) as err:
        validate_landmarks(pts, (100, 100))
    assert err.value.reason == "LANDMARKS_OUTSIDE_IMAGE"
    assert "index 40" in err.value.message


def test_landmarks_on_the_last_pixel_are_inside():
    pts = np.full((68, 2), 99.0)
    pts[42:48] = (0.0, 99.0)
    assert validate_landmarks(pts, (100, 100)).shape == (68, 2)


def _face(size: float) -> DetectedFace:
    return DetectedFace((0.0, 0.0, size, size), np.zeros((68, 2)))


def test_select_largest_or_all():
    faces = [_face(10), _face(30), _face(20)]
    assert [f.box[2] for f in select_faces(faces, FaceSelection.LARGEST)] == [30]
    assert [f.box[2] for f in select_faces(faces, FaceSelection.ALL)] == [30, 20, 10]


def test_no_face_found():
    with pytest.raises(InvalidArgument) as err:
        select_faces([], FaceSelection.LARGEST)
    assert err.value.reason == "NO_FACE_FOUND"


def test_parse_regions():
    assert parse_regions(None) == tuple(Region)
    assert parse_regions(["MOUTH", "left_eye"]) == (Region.LEFT_EYE, Region.MOUTH)
    with pytest.raises(InvalidArgument) as err:
        parse_regions(["ear"])
    assert err.value.reason == "UNKNOWN_REGION"
