"""The object-detector catalog: OpenCV's classic detectors plus registered ONNX (YOLO) detectors.

All implement the domain's ObjectDetector port (`name`, `detect(image)`); an unknown name ->
InvalidArgument UNKNOWN_DETECTOR. Detectors are built on first use and cached.
"""

from __future__ import annotations

import threading

from imagemesh_kit.errors import InvalidArgument
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.adapters.opencv_detectors import (
    HAAR_CASCADES,
    HaarCascadeDetector,
    HogPeopleDetector,
)
from services.restoration.adapters.yolo_detector import YoloOnnxDetector
from services.restoration.domain.device import Device
from services.restoration.domain.model_metadata import ModelTask
from services.restoration.domain.ports import ObjectDetector

CLASSIC = ("hog_people", *HAAR_CASCADES)


class DetectorCatalog:
    def __init__(self, registry: ModelRegistry | None = None, device: Device = Device.AUTO) -> None:
        self.registry = registry
        self.device = device
        self._cache: dict[str, ObjectDetector] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        onnx = [m.name for m in self.registry.list_models(ModelTask.OBJECT_DETECTION)] if self.registry else []
        return [*CLASSIC, *onnx]

    def get(self, name: str) -> ObjectDetector:
        if name not in self.names():
            raise InvalidArgument.for_field(
                "detector", f"unknown detector; known: {', '.join(self.names())}", reason="UNKNOWN_DETECTOR"
            )
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self._build(name)
            return self._cache[name]

    def _build(self, name: str) -> ObjectDetector:
        if name == "hog_people":
            return HogPeopleDetector()
        if name in HAAR_CASCADES:
            return HaarCascadeDetector(name)
        assert self.registry is not None
        return YoloOnnxDetector(self.registry.runner(name, self.device))
