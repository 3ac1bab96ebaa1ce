"""Train the FFDNet-style denoiser on skimage.data with AWGN sigma ~ U(0, 55); export ONNX.

Time-boxed: trains for --minutes of wall time (1 CPU thread), cosine-decayed Adam, MSE loss.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from services.restoration.training import data
from services.restoration.training.export import export_onnx
from services.restoration.training.nets import FFDNetLite

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
MAX_SIGMA = 55.0
EVAL_SIGMAS = (15, 25, 50)


def to_input(noisy: np.ndarray, sigma: float) -> np.ndarray:
    """HWC uint8 noisy image -> 4 x H x W float32 (RGB in [0,1] + sigma/255 map)."""
    rgb = noisy.astype(np.float32).transpose(2, 0, 1) / 255.0
    level = np.full((1, *rgb.shape[1:]), sigma / 255.0, np.float32)
    return np.concatenate([rgb, level])


def make_batch(rng, images, batch, size):
    inputs, targets = [], []
    for _ in range(batch):
        clean = data.random_patch(rng, images[int(rng.integers(0, len(images)))], size)
        sigma = float(rng.uniform(0.0, MAX_SIGMA))
        inputs.append(to_input(data.add_noise(rng, clean, sigma), sigma))
        targets.append(clean.astype(np.float32).transpose(2, 0, 1) / 255.0)
    return torch.from_numpy(np.stack(inputs)), torch.from_numpy(np.stack(targets))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def evaluate(net) -> list[tuple[str, int, float, float]]:
    rows = []
    rng = np.random.default_rng(1234)
    for name in data.EVAL_IMAGES:
        clean = data.load_rgb(name)[0]
        clean = clean[: clean.shape[0] // 2 * 2, : clean.shape[1] // 2 * 2]
        for sigma in EVAL_SIGMAS:
            noisy = data.add_noise(rng, clean, sigma)
            with torch.no_grad():
                out = net(torch.from_numpy(to_input(noisy, sigma))[None])[0]
            ours = np.round(out.clamp(0, 1).numpy().transpose(1, 2, 0) * 255.0)
            rows.append((name, sigma, psnr(noisy, clean), psnr(ours, clean)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=12.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--patch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--resume", type=Path, default=None, help="state_dict to start from")
    parser.add_argument("--checkpoint", type=Path, default=Path("/tmp/rtrain/ffdnet_lite_rgb.pt"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    images = data.training_images()
    net = FFDNetLite()
    if args.resume is not None:
        net.load_state_dict(torch.load(args.resume))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    budget = args.minutes * 60
    start = time.perf_counter()
    step = 0
    while (elapsed := time.perf_counter() - start) < budget:
        for group in opt.param_groups:
            group["lr"] = 1e-5 + 0.5 * (args.lr - 1e-5) * (1 + math.cos(math.pi * elapsed / budget))
        inputs, targets = make_batch(rng, images, args.batch, args.patch)
        loss = F.mse_loss(net(inputs), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f"step {step} t={elapsed:.0f}s loss={loss.item():.6f}", flush=True)
    wall = time.perf_counter() - start
    args.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), args.checkpoint)
    rows = evaluate(net.eval())
    for name, sigma, noisy, ours in rows:
        print(f"eval {name} sigma={sigma}: noisy {noisy:.2f} dB, ours {ours:.2f} dB", flush=True)
    metadata = {
        "name": "ffdnet-lite-rgb",
        "task": "denoise",
        "version": "1.0.0",
        "scale": 1,
        "input_layout": "NCHW",
        "color_space": "rgb",
        "value_range": [0.0, 1.0],
        "input_multiple": 2,
        "noise_level_input": True,
        "max_noise_sigma": MAX_SIGMA,
        "tile_size": 1024,
        "tile_overlap": 32,
        "description": "FFDNet-style residual denoiser; input RGB + noise-level map (sigma/255).",
        "training": {
            "steps": step,
            "batch": args.batch,
            "patch": args.patch,
            "wall_seconds": round(wall, 1),
            "threads": 1,
            "degradation": "AWGN sigma ~ U(0, 55) on 0..255, clipped and 8-bit quantised",
            "train_images": list(data.TRAIN_IMAGES),
            "eval_images": list(data.EVAL_IMAGES),
        },
        "eval_psnr_rgb": {f"{n}@{s}": {"noisy": round(a, 2), "model": round(b, 2)} for n, s, a, b in rows},
    }
    export_onnx(net, torch.rand(1, 4, 32, 32), MODELS_DIR / "ffdnet_lite_rgb.onnx", metadata)
    print(f"done: {step} steps in {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
