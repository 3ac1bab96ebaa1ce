"""Restoration service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from imagemesh_kit.config import MIB
from imagemesh_kit.jobs.settings import JobSettings
from services.restoration.adapters.model_registry import DEFAULT_MODELS_DIR


class RestorationSettings(JobSettings):
    port: int = Field(50057, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/restoration.db"

    # Models: every `*.json` + `.onnx` pair in this folder (IMAGEMESH_MODELS_DIR).
    models_dir: Path = DEFAULT_MODELS_DIR
    # Pixel limits, checked before any work (source image; result after upscaling).
    max_input_pixels: int = Field(40_000_000, ge=1)
    max_output_pixels: int = Field(64_000_000, ge=1)
    # Faces scoring below this are dropped, by DetectFaces and by face enhancement (dlib's HOG at threshold 0
    # adds weak hits: 0.12 on a knee of skimage's astronaut, 1.16 on her face).
    min_face_score: float = Field(0.3, ge=-10, le=10)

    # Jobs: onnxruntime already uses every core for one image, so one restoration at a time per replica
    # by default (0: an API-only replica that restores nothing).
    worker_concurrency: int = Field(1, ge=0, le=64)

    # Results: PNG, or JPEG (quality 95) when the PNG would not fit in storage's image size limit.
    max_png_bytes: int = Field(24 * MIB, ge=1)
    png_compression: int = Field(1, ge=0, le=9)
