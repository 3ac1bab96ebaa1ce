"""Face restoration with a registered model (e.g. a 512x512 face-restoration net).

Each face is cut as a square around its box, resized to the model's input size, restored, resized
back and pasted with a feathered elliptical mask scaled by `strength`.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from services.restoration.domain.detection import Face
from services.restoration.domain.images import as_rgb_uint8, to_float, to_uint8
from services.restoration.domain.inference import run_image_model
from services.restoration.domain.ports import ModelRunner


def _square_around(face: Face, width: int, height: int, grow: float = 1.8) -> tuple[int, int, int]:
    b = face.box
    side = int(max(b.width, b.height) * grow)
    side = max(8, min(side, width, height))
    cx, cy = b.x + b.width / 2, b.y + b.height / 2
    x0 = int(np.clip(cx - side / 2, 0, width - side))
    y0 = int(np.clip(cy - side / 2, 0, height - side))
    return x0, y0, side


def restore_face(image: np.ndarray, face: Face, runner: ModelRunner, strength: float = 1.0) -> np.ndarray:
    """Restore one face with the model; returns a new RGB uint8 image."""
    image = as_rgb_uint8(image)
    h, w = image.shape[:2]
    x0, y0, side = _square_around(face, w, h)
    crop = image[y0 : y0 + side, x0 : x0 + side]
    size = runner.metadata.input_size or (side, side)
    resized = cv2.resize(crop, (size[1], size[0]), interpolation=cv2.INTER_CUBIC)
    out = run_image_model(runner, to_float(resized).transpose(2, 0, 1))
    restored = cv2.resize(to_uint8(out.transpose(1, 2, 0)), (side, side), interpolation=cv2.INTER_AREA)
    mask = np.zeros((side, side), np.float32)
    cv2.ellipse(mask, (side // 2, side // 2), (int(side * 0.38), int(side * 0.45)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), side / 16)[..., None] * strength
    result = image.astype(np.float32)
    region = result[y0 : y0 + side, x0 : x0 + side]
    region += mask * (restored.astype(np.float32) - region)
    return np.clip(np.round(result), 0, 255).astype(np.uint8)


def restore_faces(image: np.ndarray, faces: Sequence[Face], runner: ModelRunner, strength: float) -> np.ndarray:
    out = as_rgb_uint8(image)
    for face in faces:
        out = restore_face(out, face, runner, strength)
    return out
