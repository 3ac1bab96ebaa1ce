"""Ports: what the domain needs from the outside (models, detectors), as Protocols.

The adapters package implements them with onnxruntime, dlib and OpenCV; tests may use fakes.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from services.restoration.domain.detection import DetectedObject, Face
from services.restoration.domain.device import Device
from services.restoration.domain.model_metadata import ModelMetadata


class ModelRunner(Protocol):
    """One loaded model on one device."""

    metadata: ModelMetadata
    device_used: Device  # CPU or GPU: where it really runs
    provider: str  # e.g. "CPUExecutionProvider"

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Run on a float32 batch in the model's layout; returns its (first) output."""
        ...


class ModelProvider(Protocol):
    """Finds a loaded model for a task (the model registry)."""

    def runner_for(self, task: str, device: Device, scale: int | None = None) -> ModelRunner | None:
        """A runner for the task (and scale), or None when no such model is registered."""
        ...


class FaceDetector(Protocol):
    def detect_faces(self, image: np.ndarray) -> list[Face]:
        """Faces in an RGB uint8 image, with 5- and 68-point landmarks where available."""
        ...


class ObjectDetector(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> list[DetectedObject]:
        """Objects in an RGB uint8 image."""
        ...
