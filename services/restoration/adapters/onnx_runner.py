"""onnxruntime model runner: picks the execution provider for the requested device.

AUTO -> CUDA when onnxruntime has it, else CPU. GPU -> CUDA, or CPU when CUDA is absent (the fallback
shows in `device_used` and `provider`). CPU -> CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from services.restoration.domain.device import Device
from services.restoration.domain.model_metadata import ModelMetadata

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def choose_providers(device: Device, available: list[str] | None = None) -> list[str]:
    """Execution providers in preference order for a requested device."""
    available = ort.get_available_providers() if available is None else available
    if device != Device.CPU and CUDA in available:
        return [CUDA, CPU]
    return [CPU]


def session_options() -> ort.SessionOptions:
    """Thread count from RESTORATION_ORT_THREADS (0 = onnxruntime's default)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("RESTORATION_ORT_THREADS", "0"))
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options


class OnnxModelRunner:
    """One ONNX model in one onnxruntime session (`run` is thread-safe: onnxruntime sessions are)."""

    def __init__(self, metadata: ModelMetadata, model: Path | bytes, device: Device = Device.AUTO) -> None:
        self.metadata = metadata
        self.requested_device = device
        source = str(model) if isinstance(model, Path) else model
        self._session = ort.InferenceSession(source, session_options(), providers=choose_providers(device))
        self.provider = self._session.get_providers()[0]
        self.device_used = Device.GPU if self.provider == CUDA else Device.CPU
        self._input = self._session.get_inputs()[0].name

    @property
    def input_shape(self) -> list:
        return list(self._session.get_inputs()[0].shape)

    def run(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: batch.astype(np.float32, copy=False)})[0]
