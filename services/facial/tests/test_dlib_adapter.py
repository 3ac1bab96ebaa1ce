import os

import cv2
import numpy as np
from skimage import data

from services.facial.adapters.dlib_landmarks import PREDICTOR_FILE, models_dir, shared_detector


def test_model_files_are_found_without_importing_the_package():
    assert os.path.isfile(os.path.join(models_dir(), PREDICTOR_FILE))


def test_detector_is_shared():
    assert shared_detector() is shared_detector()


def test_landmarks_lie_in_the_face_box(detector, astronaut):
    faces = detector.detect(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY))
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    lm = faces[0].landmarks
    assert lm.shape == (68, 2)
    assert np.all(lm[:, 0] > x - 0.2 * w) and np.all(lm[:, 0] < x + 1.2 * w)
    assert np.all(lm[:, 1] > y - 0.2 * h) and np.all(lm[:, 1] < y + 1.2 * h)
    assert lm[36:42, 0].mean() < lm[42:48, 0].mean()  # subject's right eye on the image's left


def test_downscaled_detection_gives_full_resolution_landmarks(detector, astronaut, astronaut_landmarks):
    big = cv2.resize(astronaut, (1024, 1024), interpolation=cv2.INTER_CUBIC)
    faces = detector.detect(cv2.cvtColor(big, cv2.COLOR_RGB2GRAY), max_side=512)
    assert len(faces) == 1
    error = np.linalg.norm(faces[0].landmarks - (astronaut_landmarks * 2 + 0.5), axis=1)
    assert np.median(error) < 3.0


def test_no_face_in_a_cat_photo(detector):
    assert detector.detect(cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2GRAY)) == []
