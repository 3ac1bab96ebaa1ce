import numpy as np
import pytest
from skimage.metrics import structural_similarity

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.dlib_faces import DlibFaceDetector, models_dir
from services.restoration.domain.detection import Box, Face
from services.restoration.domain.face_enhance import FaceEnhanceParams, enhance_faces
from services.restoration.domain.face_restore_model import restore_faces
from services.restoration.tests.test_detectors import ASTRONAUT_FACE


@pytest.fixture(scope="module")
def all_hog_faces(astronaut):
    return DlibFaceDetector("hog").detect_faces(astronaut)


@pytest.fixture(scope="module")
def hog_faces(all_hog_faces):
    return all_hog_faces[:1]  # the best one; HOG at threshold 0 also scores a weak false hit on the suit


def test_models_dir_is_found_without_importing_the_package():
    assert (models_dir() / "shape_predictor_68_face_landmarks.dat").is_file()


def test_hog_finds_the_astronaut_with_landmarks(all_hog_faces):
    assert len(all_hog_faces) >= 1
    assert [f.score for f in all_hog_faces] == sorted((f.score for f in all_hog_faces), reverse=True)
    face = all_hog_faces[0]
    assert face.box.iou(ASTRONAUT_FACE) > 0.4
    assert len(face.landmarks5) == 5 and len(face.landmarks68) == 68
    xs = [x for x, _ in face.landmarks68]
    assert ASTRONAUT_FACE.x - 20 < min(xs) and max(xs) < ASTRONAUT_FACE.x + ASTRONAUT_FACE.width + 20
    right_eye, left_eye = np.mean(face.landmarks68[36:42], axis=0), np.mean(face.landmarks68[42:48], axis=0)
    mouth = np.mean(face.landmarks68[48:60], axis=0)
    assert mouth[1] > max(right_eye[1], left_eye[1]) + 20  # the mouth is below the eyes


def test_cnn_detector_agrees_with_hog(astronaut, hog_faces):
    crop = astronaut[:256, 96:352]  # the CNN is slow on CPU: look where the face is
    faces = DlibFaceDetector("cnn", upsample=0).detect_faces(crop)
    hog = hog_faces[0].box
    assert len(faces) == 1 and faces[0].box.iou(Box(hog.x - 96, hog.y, hog.width, hog.height)) > 0.3
    assert len(faces[0].landmarks68) == 68


def test_large_images_are_searched_downscaled(astronaut, hog_faces):
    big = np.repeat(np.repeat(astronaut, 2, axis=0), 2, axis=1)  # 1024 x 1024
    faces = DlibFaceDetector("hog", max_side=512).detect_faces(big)
    b = hog_faces[0].box
    assert faces[0].box.iou(Box(2 * b.x, 2 * b.y, 2 * b.width, 2 * b.height)) > 0.6
    assert len(faces[0].landmarks68) == 68


def test_unknown_face_detector_kind():
    with pytest.raises(InvalidArgument) as err:
        DlibFaceDetector("haar")
    assert err.value.reason == "UNKNOWN_FACE_DETECTOR"


def test_enhancement_changes_only_the_face_and_keeps_it_recognisable(astronaut, hog_faces):
    out = enhance_faces(astronaut, hog_faces, FaceEnhanceParams())
    diff = np.abs(out.astype(int) - astronaut.astype(int)).sum(axis=2)
    b = hog_faces[0].box
    inside = diff[int(b.y) : int(b.y + b.height), int(b.x) : int(b.x + b.width)]
    assert inside.mean() > 1.0  # visibly changed
    assert diff[:, 350:].max() == 0 and diff[300:, :].max() == 0  # far from the face: untouched
    ssim = structural_similarity(out, astronaut, channel_axis=2)
    assert ssim > 0.95
    # seamless: no jump larger than the image's own at the edge of the changed region
    changed = diff > 0
    edge = changed ^ np.pad(changed, 1)[2:, 1:-1]
    assert np.abs(np.diff(out.astype(int), axis=0))[edge[:-1]].mean() < 40


def test_enhancement_with_zero_strength_is_identity(astronaut, hog_faces):
    out = enhance_faces(astronaut, hog_faces, FaceEnhanceParams(strength=0.0))
    assert np.array_equal(out, astronaut)


def test_enhancement_without_68_points_uses_the_box(astronaut):
    face = Face(box=Box(180, 60, 90, 100), score=1.0)
    out = enhance_faces(astronaut, [face], FaceEnhanceParams(skin_smoothing=1.0))
    assert not np.array_equal(out, astronaut)


@pytest.mark.parametrize("field", ["strength", "skin_smoothing", "sharpen", "contrast", "color"])
def test_bad_enhance_params(field):
    with pytest.raises(InvalidArgument) as err:
        FaceEnhanceParams(**{field: 1.5})
    assert err.value.violations[0].field == f"face_enhance.{field}"


def test_face_restoration_model_replaces_the_face(astronaut, hog_faces, tmp_path):
    from services.restoration.adapters.model_registry import ModelRegistry
    from services.restoration.tests import tiny_models

    tiny_models.inverting_face_model(tmp_path)
    runner = ModelRegistry(tmp_path).runner("tiny-face")
    out = restore_faces(astronaut, hog_faces, runner, strength=1.0)
    cx, cy = (int(v) for v in np.mean(hog_faces[0].landmarks68, axis=0))
    inverted = 255 - astronaut[cy, cx].astype(int)
    assert np.abs(out[cy, cx].astype(int) - inverted).max() < 40
    assert np.array_equal(out[:, 400:], astronaut[:, 400:])
