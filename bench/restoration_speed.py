"""Restoration speed bench (CPU): our models vs OpenCV baselines, median of N runs, wall seconds.

Run: PYTHONPATH=libs:. .venv/bin/python bench/restoration_speed.py [--threads 2] [--repeat 3]
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


def calibration_gflops(threads: int) -> float:
    """Effective conv GFLOP/s of this box right now: 4 x conv3x3(32->32) on 512x512 (19.3 GFLOP)."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, prev = [], [], "x"
    rng = np.random.default_rng(0)
    for i in range(4):
        inits.append(numpy_helper.from_array((rng.standard_normal((32, 32, 3, 3)) * 0.05).astype(np.float32), f"w{i}"))
        nodes += [
            helper.make_node("Conv", [prev, f"w{i}"], [f"c{i}"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", [f"c{i}"], [f"r{i}"]),
        ]
        prev = f"r{i}"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32, 512, 512])
    y = helper.make_tensor_value_info(prev, TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "calib", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).random((1, 32, 512, 512), dtype=np.float32)
    seconds = timed(lambda: session.run(None, {"x": x}), 3)
    return 4 * 32 * 32 * 9 * 2 * 512 * 512 / 1e9 / seconds


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
        (
            "x2 512x512 -> 1024x1024",
            "cv2 INTER_CUBIC",
            lambda: cv2.resize(img512, (1024, 1024), interpolation=cv2.INTER_CUBIC),
        ),
        ("x4 256x256 -> 1024x1024", "ours (espcn-y-x4)", lambda: upscale(img512[::2, ::2], UpscaleParams(4), [x4])),
        (
            "denoise 1000x1000 (1 MP)",
            "ours (ffdnet-lite, sigma given)",
            lambda: denoise(noisy, DenoiseParams(sigma=25), dn),
        ),
        ("denoise 1000x1000 (1 MP)", "ours (sigma estimated)", lambda: denoise(noisy, DenoiseParams(), dn)),
        (
            "denoise 1000x1000 (1 MP)",
            "cv2 fastNlMeansDenoisingColored h=17",
            lambda: cv2.fastNlMeansDenoisingColored(noisy, None, 17, 17, 7, 21),
        ),
    ]
    hog, cnn = DlibFaceDetector("hog"), DlibFaceDetector("cnn", upsample=0)
    faces = hog.detect_faces(img512)[:1]
    rows += [
        ("faces 512x512", "dlib HOG (upsample 1) + landmarks", lambda: hog.detect_faces(img512)),
        ("faces 512x512", "dlib CNN/MMOD (upsample 0) + landmarks", lambda: cnn.detect_faces(img512)),
        ("face enhance 512x512, 1 face", "landmark-guided", lambda: enhance_faces(img512, faces, FaceEnhanceParams())),
    ]
    print(f"onnxruntime threads={args.threads}, median of {args.repeat} runs (after one warm-up)")
    print(
        f"box calibration: {calibration_gflops(args.threads):.1f} effective conv GFLOP/s "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n"
    )
    print("| task | method | seconds |")
    print("|---|---|---|")
    for task, method, fn in rows:
        print(f"| {task} | {method} | {timed(fn, args.repeat):.3f} |", flush=True)


if __name__ == "__main__":
    main()
