"""A plugged-in ONNX object detector in YOLO format (YOLOv5 or YOLOv8 style outputs).

Input: the image letterboxed to the model's `input_size` (default 640x640), RGB, scaled to its
value range, NCHW. Output, one of:
- YOLOv8: 1 x (4 + C) x N, rows cx, cy, w, h then C class scores;
- YOLOv5: 1 x N x (5 + C), columns cx, cy, w, h, objectness then C class scores.
Boxes are in input pixels; they are mapped back to the image and filtered with NMS per class.
"""

from __future__ import annotations

import cv2
import numpy as np

from services.restoration.domain.detection import Box, DetectedObject
from services.restoration.domain.images import as_rgb_uint8
from services.restoration.domain.ports import ModelRunner


def letterbox(image: np.ndarray, height: int, width: int) -> tuple[np.ndarray, float, int, int]:
    """Resize keeping aspect and pad with grey 114; returns (canvas, scale, pad_x, pad_y)."""
    h, w = image.shape[:2]
    scale = min(height / h, width / w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    canvas = np.full((height, width, 3), 114, np.uint8)
    pad_y, pad_x = (height - nh) // 2, (width - nw) // 2
    canvas[pad_y : pad_y + nh, pad_x : pad_x + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas, scale, pad_x, pad_y


def decode(output: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(boxes cx,cy,w,h; scores; class ids) from a YOLOv5/v8 output tensor."""
    out = np.asarray(output, np.float32)
    out = out[0] if out.ndim == 3 else out
    if out.shape[0] == 4 + n_classes and out.shape[1] != 4 + n_classes:
        out = out.T  # v8: (4 + C) x N -> N x (4 + C)
    if out.shape[1] == 5 + n_classes:
        cls = out[:, 5:] * out[:, 4:5]
    elif out.shape[1] == 4 + n_classes:
        cls = out[:, 4:]
    else:
        raise ValueError("the detector output does not match its labels")
    ids = cls.argmax(axis=1)
    return out[:, :4], cls[np.arange(len(ids)), ids], ids


class YoloOnnxDetector:
    """Implements the domain's ObjectDetector port over a registered object_detection model."""

    def __init__(self, runner: ModelRunner) -> None:
        self.runner = runner
        self.name = runner.metadata.name
        self.labels = runner.metadata.labels

    def detect(self, image: np.ndarray) -> list[DetectedObject]:
        meta = self.runner.metadata
        image = as_rgb_uint8(image)
        in_h, in_w = meta.input_size or (640, 640)
        canvas, scale, pad_x, pad_y = letterbox(image, in_h, in_w)
        x = canvas.astype(np.float32) / 255.0 * (meta.value_range[1] - meta.value_range[0]) + meta.value_range[0]
        if meta.color_space == "bgr":
            x = x[..., ::-1]
        x = x[None] if meta.input_layout == "NHWC" else x.transpose(2, 0, 1)[None]
        boxes, scores, ids = decode(self.runner.run(np.ascontiguousarray(x)), len(self.labels))
        keep = scores >= meta.score_threshold
        boxes, scores, ids = boxes[keep], scores[keep], ids[keep]
        h, w = image.shape[:2]
        results = []
        for cls in np.unique(ids):
            sel = np.flatnonzero(ids == cls)
            rects = [[float(b[0] - b[2] / 2), float(b[1] - b[3] / 2), float(b[2]), float(b[3])] for b in boxes[sel]]
            kept = cv2.dnn.NMSBoxes(rects, scores[sel].tolist(), meta.score_threshold, meta.iou_threshold)
            for k in np.ravel(kept):
                x0, y0, bw, bh = rects[k]
                box = Box((x0 - pad_x) / scale, (y0 - pad_y) / scale, bw / scale, bh / scale).clipped(w, h)
                results.append(DetectedObject(self.labels[int(cls)], box, float(scores[sel][k])))
        return sorted(results, key=lambda o: -o.score)
