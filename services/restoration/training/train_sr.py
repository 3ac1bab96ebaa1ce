"""Train the residual ESPCN (x2 or x4, luma) on skimage.data with area downscaling; export ONNX.

Time-boxed: trains for --minutes of wall time (1 CPU thread), cosine-decayed Adam, L1 loss.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from services.restoration.training import data
from services.restoration.training.export import export_onnx
from services.restoration.training.nets import ResidualESPCN

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def make_batch(rng, lumas, scale, batch, hr_size):
    hr, lr = [], []
    for _ in range(batch):
        patch = data.random_patch(rng, lumas[int(rng.integers(0, len(lumas)))], hr_size)
        hr.append(patch)
        lr.append(data.downscale(patch, scale))
    return torch.from_numpy(np.stack(lr)[:, None]), torch.from_numpy(np.stack(hr)[:, None])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((a.astype(np.float64) - b) ** 2)))


def evaluate(net, scale) -> list[tuple[str, float, float]]:
    rows = []
    for name in data.EVAL_IMAGES:
        y = data.rgb_to_y(data.load_rgb(name)[0])
        h, w = (y.shape[0] // scale) * scale, (y.shape[1] // scale) * scale
        y = y[:h, :w]
        lr = data.downscale(y, scale)
        bicubic = np.clip(cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1)
        with torch.no_grad():
            ours = net(torch.from_numpy(lr)[None, None])[0, 0].clamp(0, 1).numpy()
        b = scale * 2  # border ignored, as is usual for SR PSNR
        rows.append((name, psnr(bicubic[b:-b, b:-b], y[b:-b, b:-b]), psnr(ours[b:-b, b:-b], y[b:-b, b:-b])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, choices=(2, 4), required=True)
    parser.add_argument("--minutes", type=float, default=9.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--act", choices=("relu", "prelu"), default="prelu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    lumas = [data.rgb_to_y(image) for image in data.training_images()]
    net = ResidualESPCN(args.scale, act=args.act)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    hr_size = 24 * args.scale
    budget = args.minutes * 60
    start = time.perf_counter()
    step = 0
    while (elapsed := time.perf_counter() - start) < budget:
        for group in opt.param_groups:
            group["lr"] = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + math.cos(math.pi * elapsed / budget))
        lr, hr = make_batch(rng, lumas, args.scale, args.batch, hr_size)
        loss = F.l1_loss(net(lr), hr)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f"step {step} t={elapsed:.0f}s loss={loss.item():.5f}", flush=True)
    wall = time.perf_counter() - start
    rows = evaluate(net.eval(), args.scale)
    for name, base, ours in rows:
        print(f"eval {name}: bicubic {base:.2f} dB, ours {ours:.2f} dB, gain {ours - base:+.2f}", flush=True)
    metadata = {
        "name": f"espcn-y-x{args.scale}",
        "task": "super_resolution",
        "version": "1.0.0",
        "scale": args.scale,
        "input_layout": "NCHW",
        "color_space": "y",
        "value_range": [0.0, 1.0],
        "input_multiple": 1,
        "tile_size": 512,
        "tile_overlap": 12,
        "description": "Residual ESPCN on full-range BT.601 luma; chroma is upscaled bicubically.",
        "training": {
            "steps": step,
            "batch": args.batch,
            "hr_patch": hr_size,
            "wall_seconds": round(wall, 1),
            "threads": 1,
            "activation": args.act,
            "degradation": "cv2 INTER_AREA downscale, 8-bit quantised",
            "train_images": list(data.TRAIN_IMAGES),
            "eval_images": list(data.EVAL_IMAGES),
        },
        "eval_psnr_y": {name: {"bicubic": round(b, 2), "model": round(o, 2)} for name, b, o in rows},
    }
    export_onnx(
        net, torch.rand(1, 1, 32, 32), MODELS_DIR / f"espcn_y_x{args.scale}.onnx", metadata, sr_scale=args.scale
    )
    print(f"done: {step} steps in {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
