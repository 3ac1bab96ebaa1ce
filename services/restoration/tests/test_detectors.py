import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.detectors import CLASSIC, DetectorCatalog
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.adapters.yolo_detector import decode, letterbox
from services.restoration.domain.detection import Box, DetectedObject
from services.restoration.tests import tiny_models

ASTRONAUT_FACE = Box(170, 40, 100, 120)  # roughly where her face is in skimage.data.astronaut()


def test_catalog_lists_the_classic_detectors():
    names = DetectorCatalog().names()
    for name in (
        "hog_people",
        "haar_frontal_face",
        "haar_eyes",
        "haar_full_body",
        "haar_upper_body",
        "haar_cat_face",
        "haar_russian_plate",
    ):
        assert name in names
    assert set(CLASSIC) <= set(names)


def test_unknown_detector_is_invalid_argument():
    with pytest.raises(InvalidArgument) as err:
        DetectorCatalog().get("yolo-does-not-exist")
    assert err.value.reason == "UNKNOWN_DETECTOR"
    assert err.value.violations[0].field == "detector"


def test_haar_face_and_eyes_on_astronaut(astronaut):
    catalog = DetectorCatalog()
    faces = catalog.get("haar_frontal_face").detect(astronaut)
    assert len(faces) >= 1 and faces[0].label == "face"
    assert max(f.box.iou(ASTRONAUT_FACE) for f in faces) > 0.3
    eyes = catalog.get("haar_eyes").detect(astronaut)
    assert any(ASTRONAUT_FACE.iou(e.box) > 0 for e in eyes)


def test_haar_cat_face_on_chelsea(chelsea):
    cats = DetectorCatalog().get("haar_cat_face").detect(chelsea)
    assert len(cats) >= 1 and all(0 < c.score < 1 for c in cats)
    assert all(isinstance(c, DetectedObject) and c.label == "cat_face" for c in cats)


def test_hog_people_finds_nothing_on_a_flat_image_and_runs_on_a_photo(astronaut):
    hog = DetectorCatalog().get("hog_people")
    assert hog.detect(np.full((200, 120, 3), 128, np.uint8)) == []
    people = hog.detect(astronaut)
    assert all(p.label == "person" and p.box.width > 0 for p in people)


def test_letterbox_and_decode_known_answers():
    canvas, scale, px, py = letterbox(np.zeros((50, 100, 3), np.uint8), 64, 64)
    assert canvas.shape == (64, 64, 3) and scale == pytest.approx(0.64) and (px, py) == (0, 16)
    v8 = np.zeros((1, 6, 3), np.float32)  # 2 classes, 3 candidates
    v8[0, :, 0] = [10, 10, 4, 4, 0.1, 0.9]
    boxes, scores, ids = decode(v8, 2)
    assert ids[0] == 1 and scores[0] == pytest.approx(0.9) and boxes[0].tolist() == [10, 10, 4, 4]
    v5 = np.zeros((1, 3, 7), np.float32)
    v5[0, 0] = [10, 10, 4, 4, 0.5, 0.2, 0.8]
    _, scores5, ids5 = decode(v5, 2)
    assert ids5[0] == 1 and scores5[0] == pytest.approx(0.4)


def test_plugged_in_yolo_detector_through_the_catalog(tmp_path):
    out = np.zeros((1, 6, 4), np.float32)
    out[0, :, 0] = [32, 32, 20, 10, 0.05, 0.95]  # a "dog" in the middle of the 64x64 input
    out[0, :, 1] = [33, 32, 20, 10, 0.05, 0.90]  # a duplicate, removed by NMS
    out[0, :, 2] = [10, 20, 4, 4, 0.80, 0.10]  # a "cat"
    tiny_models.constant_yolo(tmp_path, out, ["cat", "dog"])
    catalog = DetectorCatalog(ModelRegistry(tmp_path))
    assert "tiny-yolo" in catalog.names()
    found = catalog.get("tiny-yolo").detect(np.zeros((32, 64, 3), np.uint8))  # letterbox: scale 1, pad_y 16
    assert [o.label for o in found] == ["dog", "cat"]
    dog = found[0].box
    assert (dog.x, dog.y, dog.width, dog.height) == pytest.approx((22, 11, 20, 10))


def test_detect_use_cases_check_name_and_limits_first(astronaut):
    from imagemesh_kit.errors import ResourceExhausted
    from services.restoration.domain.detect import detect_faces, detect_objects
    from services.restoration.domain.limits import PixelLimits

    catalog = DetectorCatalog()
    with pytest.raises(InvalidArgument):
        detect_objects(astronaut, "nope", catalog)
    with pytest.raises(ResourceExhausted):
        detect_objects(astronaut, "haar_frontal_face", catalog, PixelLimits(max_input_pixels=1000))

    class NeverCalled:
        def detect_faces(self, image):
            raise AssertionError("the limit must be checked first")

    with pytest.raises(ResourceExhausted):
        detect_faces(astronaut, NeverCalled(), PixelLimits(max_input_pixels=1000))
    found = detect_objects(astronaut, "haar_frontal_face", catalog)
    assert found and found[0].label == "face"


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 9, 3), (64, 64, 3), (127, 63, 3), (5, 300, 3), (20, 5000, 3)])
def test_tiny_and_thin_images_find_nothing_instead_of_crashing(shape):
    """OpenCV's HOG people detector segfaults on images smaller than its window, dlib's CNN raises on
    images smaller than its filters: both answer no detections."""
    from services.restoration.adapters.dlib_faces import DlibFaceDetector

    image = np.zeros(shape, np.uint8)
    catalog = DetectorCatalog()
    for name in CLASSIC:
        assert catalog.get(name).detect(image) == []
    for kind in ("hog", "cnn"):
        assert DlibFaceDetector(kind).detect_faces(image) == []
