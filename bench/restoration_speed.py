"""Restoration speed bench (CPU): our models vs OpenCV baselines, median of N runs, wall seconds.

Run: PYTHONPATH=libs:. /work/venvs/sci/bin/python bench/restoration_speed.py [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def timed(fn, repeat: int) -> float:
    fn()  # warm-up (session creation, first-run allocations)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["RESTORATION_ORT_THREADS"] = str(args.threads)

    import cv2
    import numpy as np
    import skimage.data

    from services.restoration.adapters.dlib_faces import DlibFaceDetector
    from services.restoration.adapters.model_registry import ModelRegistry
    from services.restoration.domain.denoise import DenoiseParams, denoise
    from services.restoration.domain.device import Device
    from services.restoration.domain.face_enhance import FaceEnhanceParams, enhance_faces
    from services.restoration.domain.super_resolution import UpscaleParams, upscale

    cv2.setNumThreads(args.threads)
    registry = ModelRegistry()
    x2 = registry.runner_for("super_resolution", Device.CPU, 2)
    x4 = registry.runner_for("super_resolution", Device.CPU, 4)
    dn = registry.runner_for("denoise", Device.CPU)
    img512 = skimage.data.astronaut()
    img1mp = cv2.resize(skimage.data.coffee(), (1000, 1000), interpolation=cv2.INTER_AREA)
    noisy = np.clip(img1mp + np.random.default_rng(0).normal(0, 25, img1mp.shape), 0, 255).astype(np.uint8)
    rows = [
        ("x2 512x512 -> 1024x1024", "ours (espcn-y-x2)", lambda: upscale(img512, UpscaleParams(2), [x2])),
        ("x2 512x512 -> 1024x1024", "cv2 INTER_CUBIC", lambda: cv2.resize(img512, (1024, 1024),
                                                                           interpolation=cv2.INTER_CUBIC)),
        ("x4 256x256 -> 1024x1024", "ours (espcn-y-x4)", lambda: upscale(img512[::2, ::2], UpscaleParams(4), [x4])),
        ("denoise 1000x1000 (1 MP)", "ours (ffdnet-lite, sigma given)",
         lambda: denoise(noisy, DenoiseParams(sigma=25), dn)),
        ("denoise 1000x1000 (1 MP)", "ours (sigma estimated)", lambda: denoise(noisy, DenoiseParams(), dn)),
        ("denoise 1000x1000 (1 MP)", "cv2 fastNlMeansDenoisingColored h=17",
         lambda: cv2.fastNlMeansDenoisingColored(noisy, None, 17, 17, 7, 21)),
    ]
    hog, cnn = DlibFaceDetector("hog"), DlibFaceDetector("cnn", upsample=0)
    faces = hog.detect_faces(img512)[:1]
    rows += [
        ("faces 512x512", "dlib HOG (upsample 1) + landmarks", lambda: hog.detect_faces(img512)),
        ("faces 512x512", "dlib CNN/MMOD (upsample 0) + landmarks", lambda: cnn.detect_faces(img512)),
        ("face enhance 512x512, 1 face", "landmark-guided", lambda: enhance_faces(img512, faces, FaceEnhanceParams())),
    ]
    print(f"onnxruntime threads={args.threads}, median of {args.repeat} runs (after one warm-up)\n")
    print("| task | method | seconds |")
    print("|---|---|---|")
    for task, method, fn in rows:
        print(f"| {task} | {method} | {timed(fn, args.repeat):.3f} |", flush=True)


if __name__ == "__main__":
    main()
