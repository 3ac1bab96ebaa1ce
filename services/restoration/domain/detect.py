"""Detection use cases: validate the image and the pixel limit, then ask a detector (a port)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from services.restoration.domain.detection import DetectedObject, Face
from services.restoration.domain.images import as_rgb_uint8
from services.restoration.domain.limits import PixelLimits, check_input_pixels
from services.restoration.domain.ports import FaceDetector, ObjectDetector

DEFAULT_LIMITS = PixelLimits()


class DetectorLookup(Protocol):
    def get(self, name: str) -> ObjectDetector:
        """The detector called `name`; unknown -> InvalidArgument UNKNOWN_DETECTOR."""
        ...


def detect_faces(image: np.ndarray, detector: FaceDetector, limits: PixelLimits = DEFAULT_LIMITS) -> list[Face]:
    """Faces (box, score, 5- and 68-point landmarks), best score first."""
    image = as_rgb_uint8(image)
    check_input_pixels(image.shape[0], image.shape[1], limits)
    return detector.detect_faces(image)


def detect_objects(
    image: np.ndarray, detector_name: str, detectors: DetectorLookup, limits: PixelLimits = DEFAULT_LIMITS
) -> list[DetectedObject]:
    """Objects found by the named detector (classic OpenCV or a registered ONNX model)."""
    detector = detectors.get(detector_name)  # unknown name fails before any work
    image = as_rgb_uint8(image)
    check_input_pixels(image.shape[0], image.shape[1], limits)
    return detector.detect(image)
