"""dlib face detectors by name ("hog", "cnn"), built on first use: the landmark models are ~100 MB, loaded
once, and only by a replica that needs them (not at start-up)."""

from __future__ import annotations

import threading

import numpy as np

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.dlib_faces import KINDS, DlibFaceDetector
from services.restoration.domain.detection import Face


class LazyFaceDetector:
    """The domain's FaceDetector port; the dlib detector is created on the first call (thread-safe).
    Faces scoring under `min_score` are dropped (dlib's HOG at threshold 0 adds weak hits)."""

    def __init__(self, kind: str, min_score: float = 0.0) -> None:
        self.kind = kind
        self.min_score = min_score
        self._detector: DlibFaceDetector | None = None
        self._lock = threading.Lock()

    def detect_faces(self, image: np.ndarray) -> list[Face]:
        with self._lock:
            if self._detector is None:
                self._detector = DlibFaceDetector(self.kind)
        return [f for f in self._detector.detect_faces(image) if f.score >= self.min_score]


class FaceDetectors:
    def __init__(self, min_score: float = 0.0) -> None:
        self._by_kind = {kind: LazyFaceDetector(kind, min_score) for kind in KINDS}

    def get(self, name: str) -> LazyFaceDetector:
        """Unknown name -> InvalidArgument UNKNOWN_DETECTOR (field `detector`)."""
        try:
            return self._by_kind[name.lower()]
        except KeyError:
            raise InvalidArgument.for_field(
                "detector", f"unknown face detector; known: {', '.join(KINDS)}", reason="UNKNOWN_DETECTOR"
            ) from None
