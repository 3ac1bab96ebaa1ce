"""Shared fixtures: real images from scikit-image and the dlib detector (loaded once)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.tests.harness import facial  # noqa: F401  (fixture)


@pytest.fixture(scope="session")
def detector():
    return shared_detector()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="session")
def astronaut_landmarks(detector, astronaut) -> np.ndarray:
    faces = detector.detect(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY))
    assert len(faces) == 1
    return faces[0].landmarks


def encode(image: np.ndarray, ext: str = ".png", quality: int = 95) -> bytes:
    """RGB array -> encoded bytes."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if ext == ".jpg" else []
    ok, buf = cv2.imencode(ext, cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image, params)
    assert ok
    return buf.tobytes()
