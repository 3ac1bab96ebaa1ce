"""Model registry: discovers models in a directory from their metadata JSON files.

Every `*.json` beside an `.onnx` file describes one model (see domain.model_metadata). An operator can
drop in a bigger model with the same task interface and it is served without code changes. Bad
metadata is skipped and reported in `problems` (the service still starts). Sessions are created
lazily, one per (model, device), and cached.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from imagemesh_kit.errors import DomainError, FailedPrecondition, InvalidArgument, NotFound
from services.restoration.adapters.onnx_runner import OnnxModelRunner
from services.restoration.domain.device import Device
from services.restoration.domain.model_metadata import ModelMetadata, ModelTask, parse_metadata

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


@dataclass(frozen=True)
class ModelInfo:
    """A registered model as `GET /v1/restoration/models` shows it."""

    name: str
    task: str
    version: str
    scale: int
    input_size: tuple[int, int] | None
    device: str  # where it runs (once loaded) or "" when not loaded yet
    provider: str


class ModelRegistry:
    """Models found in `directory`; implements the domain's ModelProvider port."""

    def __init__(self, directory: Path = DEFAULT_MODELS_DIR) -> None:
        self.directory = Path(directory)
        self.problems: dict[str, str] = {}
        self._models: dict[str, ModelMetadata] = {}
        self._runners: dict[tuple[str, Device], OnnxModelRunner] = {}
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        """(Re)scan the directory for metadata files."""
        models, problems = {}, {}
        for path in sorted(self.directory.glob("*.json")):
            try:
                meta = parse_metadata(json.loads(path.read_text()))
                if not (self.directory / meta.file).is_file():
                    raise InvalidArgument.for_field("metadata.file", "names no file in the models directory")
                if meta.name in models:
                    raise InvalidArgument.for_field("metadata.name", "is used by another model")
                models[meta.name] = meta
            except (DomainError, ValueError, OSError) as err:
                problems[path.name] = getattr(err, "message", str(err))
        with self._lock:
            self._models, self.problems = models, problems
            self._runners = {k: v for k, v in self._runners.items() if k[0] in models}

    def metadata(self, name: str) -> ModelMetadata:
        try:
            return self._models[name]
        except KeyError:
            raise NotFound(f"No model named '{name}' is registered.", reason="MODEL_NOT_FOUND") from None

    def list_models(self, task: str | None = None) -> list[ModelMetadata]:
        return [m for m in self._models.values() if task is None or m.task == task]

    def runner(self, name: str, device: Device = Device.AUTO) -> OnnxModelRunner:
        """The loaded model `name` for `device` (created on first use); unknown -> NotFound."""
        meta = self.metadata(name)
        key = (name, device)
        with self._lock:
            if key not in self._runners:
                try:
                    self._runners[key] = OnnxModelRunner(meta, self.directory / meta.file, device)
                except Exception as err:  # onnxruntime raises its own types; callers get a domain error
                    self.problems[f"{meta.name} ({device.value})"] = str(err)
                    raise FailedPrecondition(
                        f"The model '{name}' could not be loaded.", reason="MODEL_LOAD_FAILED"
                    ) from err
            return self._runners[key]

    def find(self, task: str, scale: int | None = None) -> ModelMetadata | None:
        """The preferred model for a task (and scale): highest metadata `priority`, then last by name."""
        task = ModelTask(task)
        found = [m for m in self._models.values() if m.task == task and (scale is None or m.scale == scale)]
        return max(found, key=lambda m: (m.extra.get("priority", 0), m.name)) if found else None

    def runner_for(self, task: str, device: Device, scale: int | None = None) -> OnnxModelRunner | None:
        meta = self.find(task, scale)
        return None if meta is None else self.runner(meta.name, device)

    def infos(self) -> list[ModelInfo]:
        """Every registered model, with device/provider of its loaded session(s)."""
        out = []
        for meta in self._models.values():
            loaded = [r for (name, _), r in self._runners.items() if name == meta.name]
            out.append(
                ModelInfo(
                    name=meta.name,
                    task=meta.task.value,
                    version=meta.version,
                    scale=meta.scale,
                    input_size=meta.input_size,
                    device=loaded[0].device_used.value if loaded else "",
                    provider=loaded[0].provider if loaded else "",
                )
            )
        return out
