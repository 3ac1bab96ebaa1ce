"""dlib face detector (HOG) + 68-point shape predictor, loaded once per process.

Model files come from the installed `face-recognition-models` package; it is located with
importlib.util.find_spec and NOT imported (its __init__ imports pkg_resources). Nothing is
downloaded. The 68-point predictor was trained on iBUG 300-W, whose annotations are licensed
for non-commercial research use only: check before commercial use.

Detection runs on a copy scaled down to `max_side` (speed); the shape predictor then runs on
the full-resolution image with the detector's box scaled back up.
"""

from __future__ import annotations

import importlib.util
import os
import threading

import cv2
import dlib
import numpy as np

from imagemesh_kit.errors import FailedPrecondition
from services.facial.domain.landmarks import DetectedFace

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
#: detections scoring below this are dropped (dlib's own threshold is 0); on astronaut rotated by
#: -10..-25 deg the mission patch scores 0.18-0.24 while the face scores >= 0.5. When nothing
#: reaches it, the single best detection with a score >= 0 is kept (dlib's default behaviour).
MIN_SCORE = 0.3
_lock = threading.Lock()
_shared: DlibLandmarkDetector | None = None


def models_dir() -> str:
    """The `models/` folder of the installed face_recognition_models package."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FailedPrecondition("The landmark model is not installed.", reason="LANDMARK_MODEL_MISSING")
    return os.path.join(next(iter(spec.submodule_search_locations)), "models")


class DlibLandmarkDetector:
    """Implements domain.landmarks.LandmarkDetector. dlib objects are used under a lock
    (they are not documented as thread-safe); one call takes a few tens of ms."""

    def __init__(self, predictor_path: str | None = None) -> None:
        path = predictor_path or os.path.join(models_dir(), PREDICTOR_FILE)
        if not os.path.isfile(path):
            raise FailedPrecondition("The landmark model is not installed.", reason="LANDMARK_MODEL_MISSING")
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(path)
        self._lock = threading.Lock()

    def detect(self, gray: np.ndarray, max_side: int = 640) -> list[DetectedFace]:
        """Faces with 68 landmarks, in full-resolution pixel coordinates."""
        gray = np.ascontiguousarray(gray, dtype=np.uint8)
        height, width = gray.shape
        scale = min(1.0, max_side / max(height, width))
        small = (
            gray
            if scale == 1.0
            else cv2.resize(
                gray, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
            )
        )
        # small images: let HOG look at a 2x upsampled copy (its window is 80 px)
        upsample = 1 if max(small.shape) < 400 else 0
        with self._lock:
            rects, scores, _ = self._detector.run(small, upsample, 0.0)
            found = sorted(zip(scores, range(len(rects)), strict=True), reverse=True)
            kept = [(sc, i) for sc, i in found if sc >= MIN_SCORE] or found[:1]
            faces = []
            for score, i in kept:
                rect = rects[i]
                box = dlib.rectangle(
                    round(rect.left() / scale),
                    round(rect.top() / scale),
                    round(rect.right() / scale),
                    round(rect.bottom() / scale),
                )
                shape = self._predictor(gray, box)
                pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
                pts[:, 0] = np.clip(pts[:, 0], 0, width - 1)
                pts[:, 1] = np.clip(pts[:, 1], 0, height - 1)
                faces.append(
                    DetectedFace(
                        (float(box.left()), float(box.top()), float(box.width()), float(box.height())),
                        pts,
                        float(score),
                    )
                )
        return faces


def shared_detector() -> DlibLandmarkDetector:
    """The process-wide detector, loaded on first use (about 0.5 s, ~100 MB)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = DlibLandmarkDetector()
        return _shared
