"""dlib face detection (HOG or CNN/MMOD) with 5- and 68-point landmarks.

The model files come from the face-recognition-models package; its `models/` folder is located with
importlib.util.find_spec WITHOUT importing the module (its __init__ imports pkg_resources).
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from pathlib import Path

import cv2
import dlib
import numpy as np

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument
from services.restoration.domain.detection import Box, Face
from services.restoration.domain.images import as_rgb_uint8

KINDS = ("hog", "cnn")
MIN_SIDE = 8


def models_dir() -> Path:
    """The face-recognition-models data folder."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FailedPrecondition("Face models are not installed.", reason="FACE_MODELS_MISSING")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.lru_cache(maxsize=1)
def _shape_predictors() -> tuple[dlib.shape_predictor, dlib.shape_predictor]:
    """The 5- and 68-point predictors, loaded once (the 68-point file is ~100 MB)."""
    folder = models_dir()
    return (
        dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        dlib.shape_predictor(str(folder / "shape_predictor_68_face_landmarks.dat")),
    )


class DlibFaceDetector:
    """Implements the domain's FaceDetector port. `kind`: "hog" (fast) or "cnn" (MMOD, more robust)."""

    def __init__(self, kind: str = "hog", upsample: int = 1, max_side: int = 1024) -> None:
        if kind not in KINDS:
            raise InvalidArgument.for_field("detector", "must be hog or cnn", reason="UNKNOWN_FACE_DETECTOR")
        folder = models_dir()
        self.kind = kind
        self.upsample = upsample
        self.max_side = max_side  # larger images are searched downscaled (landmarks use full resolution)
        if kind == "hog":
            self._detector = dlib.get_frontal_face_detector()
        else:
            self._detector = dlib.cnn_face_detection_model_v1(str(folder / "mmod_human_face_detector.dat"))
        self._shape5, self._shape68 = _shape_predictors()
        self._lock = threading.Lock()  # dlib objects are not documented as thread-safe

    def _rects(self, image: np.ndarray) -> list[tuple[dlib.rectangle, float]]:
        factor = min(1.0, self.max_side / max(image.shape[:2]))
        if min(image.shape[:2]) * factor < MIN_SIDE:
            return []  # no face fits (and dlib's CNN raises on images smaller than its filters)
        small = image if factor == 1.0 else cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        if self.kind == "hog":
            rects, scores, _ = self._detector.run(small, self.upsample, 0.0)
            found = list(zip(rects, scores, strict=True))
        else:
            found = [(d.rect, float(d.confidence)) for d in self._detector(small, self.upsample)]
        if factor == 1.0:
            return found

        def scale(v: float) -> int:
            return round(v / factor)

        return [
            (dlib.rectangle(scale(r.left()), scale(r.top()), scale(r.right()), scale(r.bottom())), score)
            for r, score in found
        ]

    def detect_faces(self, image: np.ndarray) -> list[Face]:
        image = as_rgb_uint8(image)
        faces = []
        with self._lock:
            for rect, score in self._rects(image):
                pts5 = self._shape5(image, rect)
                pts68 = self._shape68(image, rect)
                faces.append(
                    Face(
                        box=Box(rect.left(), rect.top(), rect.width(), rect.height()),
                        score=float(score),
                        landmarks5=tuple((float(p.x), float(p.y)) for p in pts5.parts()),
                        landmarks68=tuple((float(p.x), float(p.y)) for p in pts68.parts()),
                    )
                )
        return sorted(faces, key=lambda f: -f.score)
