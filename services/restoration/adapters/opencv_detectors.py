"""OpenCV's classic detectors: the HOG people detector and the Haar cascades it ships."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from services.restoration.domain.detection import Box, DetectedObject
from services.restoration.domain.images import as_rgb_uint8

# detector name -> (cascade file, label, min size in pixels, min neighbours)
HAAR_CASCADES = {
    "haar_frontal_face": ("haarcascade_frontalface_default.xml", "face", 30, 5),
    "haar_eyes": ("haarcascade_eye.xml", "eye", 15, 5),
    "haar_full_body": ("haarcascade_fullbody.xml", "person", 40, 3),
    "haar_upper_body": ("haarcascade_upperbody.xml", "upper_body", 40, 3),
    "haar_cat_face": ("haarcascade_frontalcatface_extended.xml", "cat_face", 40, 3),
    "haar_russian_plate": ("haarcascade_russian_plate_number.xml", "license_plate", 30, 3),
}


class HaarCascadeDetector:
    """One Haar cascade. Scores are the cascade's level weights squashed to (0, 1)."""

    def __init__(self, name: str) -> None:
        file, self.label, self.min_size, self.min_neighbors = HAAR_CASCADES[name]
        self.name = name
        self._cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / file))
        if self._cascade.empty():
            raise RuntimeError(f"cannot load the OpenCV cascade {file}")
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[DetectedObject]:
        gray = cv2.cvtColor(as_rgb_uint8(image), cv2.COLOR_RGB2GRAY)
        with self._lock:
            boxes, _, weights = self._cascade.detectMultiScale3(
                gray,
                scaleFactor=1.1,
                minNeighbors=self.min_neighbors,
                minSize=(self.min_size, self.min_size),
                outputRejectLevels=True,
            )
        out = []
        for (x, y, w, h), weight in zip(boxes, np.ravel(weights), strict=False):
            score = float(1.0 / (1.0 + np.exp(-float(weight))))
            out.append(DetectedObject(self.label, Box(float(x), float(y), float(w), float(h)), score))
        return sorted(out, key=lambda o: -o.score)


class HogPeopleDetector:
    """OpenCV's default HOG + linear SVM pedestrian detector."""

    name = "hog_people"

    def __init__(self, score_threshold: float = 0.5) -> None:
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.score_threshold = score_threshold
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[DetectedObject]:
        gray = cv2.cvtColor(as_rgb_uint8(image), cv2.COLOR_RGB2GRAY)
        win_w, win_h = self._hog.winSize
        if gray.shape[0] < win_h or gray.shape[1] < win_w:
            return []  # smaller than one detection window (OpenCV 4.14 crashes on it)
        with self._lock:
            boxes, weights = self._hog.detectMultiScale(gray, winStride=(8, 8), padding=(8, 8), scale=1.05)
        if len(boxes) == 0:
            return []
        scores = [float(1.0 / (1.0 + np.exp(-float(w)))) for w in np.ravel(weights)]
        keep = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], scores, self.score_threshold, 0.45)
        return sorted(
            (DetectedObject("person", Box(*map(float, boxes[i])), scores[i]) for i in np.ravel(keep)),
            key=lambda o: -o.score,
        )
