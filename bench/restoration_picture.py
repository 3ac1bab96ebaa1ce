"""Draw docs/restoration/comparison.png: SR crops, denoising crops, detections, face enhancement.

Run: PYTHONPATH=libs:. .venv/bin/python bench/restoration_picture.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import skimage.data

from services.restoration.adapters.detectors import DetectorCatalog
from services.restoration.adapters.dlib_faces import DlibFaceDetector
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.domain.denoise import DenoiseParams, denoise
from services.restoration.domain.device import Device
from services.restoration.domain.face_enhance import FaceEnhanceParams, enhance_faces
from services.restoration.domain.images import psnr, psnr_y
from services.restoration.domain.super_resolution import UpscaleParams, upscale

OUT = Path(__file__).resolve().parents[1] / "docs" / "restoration" / "comparison.png"
PANEL = 256


def label(image: np.ndarray, text: str) -> np.ndarray:
    out = cv2.resize(image, (PANEL, PANEL), interpolation=cv2.INTER_NEAREST).copy()
    cv2.rectangle(out, (0, 0), (PANEL, 22), (0, 0, 0), -1)
    cv2.putText(out, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def sr_row(registry: ModelRegistry) -> list[np.ndarray]:
    hr = skimage.data.astronaut()[40:296, 120:376]  # the face, 256x256
    lr = cv2.resize(hr, (64, 64), interpolation=cv2.INTER_AREA)
    bic = cv2.resize(lr, (256, 256), interpolation=cv2.INTER_CUBIC)
    ours = upscale(lr, UpscaleParams(4), [registry.runner_for("super_resolution", Device.CPU, 4)])
    hr2 = np.stack([skimage.data.camera()[40:168, 200:328]] * 3, axis=-1)  # the cameraman's head and camera
    lr2 = cv2.resize(hr2, (64, 64), interpolation=cv2.INTER_AREA)
    bic2 = cv2.resize(lr2, (128, 128), interpolation=cv2.INTER_CUBIC)
    ours2 = upscale(lr2, UpscaleParams(2), [registry.runner_for("super_resolution", Device.CPU, 2)])
    return [
        label(bic, f"x4 bicubic {psnr_y(bic, hr):.2f} dB"),
        label(ours, f"x4 ours {psnr_y(ours, hr):.2f} dB"),
        label(hr, "x4 original"),
        label(bic2, f"x2 bicubic {psnr_y(bic2, hr2):.2f} dB"),
        label(ours2, f"x2 ours {psnr_y(ours2, hr2):.2f} dB"),
    ]


def denoise_row(registry: ModelRegistry) -> list[np.ndarray]:
    clean = skimage.data.chelsea()[40:232, 150:342]
    noisy = np.clip(np.round(clean + np.random.default_rng(5).normal(0, 25, clean.shape)), 0, 255).astype(np.uint8)
    nlm = cv2.fastNlMeansDenoisingColored(noisy, None, 17.5, 17.5, 7, 21)
    ours = denoise(noisy, DenoiseParams(), registry.runner_for("denoise", Device.CPU))
    return [
        label(noisy, f"noisy s=25 {psnr(noisy, clean):.2f} dB"),
        label(nlm, f"NLM h=17.5 {psnr(nlm, clean):.2f} dB"),
        label(ours, f"ours {psnr(ours, clean):.2f} dB"),
        label(clean, "original"),
        label(np.clip(np.abs(ours.astype(int) - clean) * 4, 0, 255).astype(np.uint8), "|ours - original| x4"),
    ]


def detection_row() -> list[np.ndarray]:
    astro = skimage.data.astronaut()
    faces = DlibFaceDetector("hog").detect_faces(astro)[:1]
    drawn = astro.copy()
    for face in faces:
        b = face.box
        cv2.rectangle(drawn, (int(b.x), int(b.y)), (int(b.x + b.width), int(b.y + b.height)), (0, 255, 0), 2)
        for x, y in face.landmarks68:
            cv2.circle(drawn, (int(x), int(y)), 1, (255, 255, 0), -1)
        for x, y in face.landmarks5:
            cv2.circle(drawn, (int(x), int(y)), 2, (255, 0, 0), -1)
    catalog = DetectorCatalog()
    for obj in catalog.get("haar_eyes").detect(astro):
        b = obj.box
        cv2.rectangle(drawn, (int(b.x), int(b.y)), (int(b.x + b.width), int(b.y + b.height)), (255, 0, 255), 1)
    crop = drawn[40:296, 120:376]
    cat = skimage.data.chelsea().copy()
    for obj in catalog.get("haar_cat_face").detect(cat):
        b = obj.box
        cv2.rectangle(cat, (int(b.x), int(b.y)), (int(b.x + b.width), int(b.y + b.height)), (0, 255, 0), 2)
    face_crop = astro[50:230, 150:330]
    enhanced = enhance_faces(astro, faces, FaceEnhanceParams())[50:230, 150:330]
    return [
        label(crop, "dlib HOG + 5/68 pts, haar eyes"),
        label(cat[:, 100:400], "haar cat face (as found)"),
        label(face_crop, "face: before"),
        label(enhanced, "face: enhanced"),
        label(np.clip(np.abs(enhanced.astype(int) - face_crop) * 4, 0, 255).astype(np.uint8), "|change| x4"),
    ]


def main() -> None:
    registry = ModelRegistry()
    rows = [np.hstack(r) for r in (sr_row(registry), denoise_row(registry), detection_row())]
    sheet = np.vstack(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(OUT), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"wrote {OUT} {sheet.shape[1]}x{sheet.shape[0]}")


if __name__ == "__main__":
    main()
