"""Restoration quality bench: PSNR of our models vs OpenCV baselines on held-out skimage.data images.

SR: HR -> LR by INTER_AREA; PSNR on full-range BT.601 luma, 2*scale border ignored; baselines
cv2.resize INTER_CUBIC (and INTER_LANCZOS4). Denoise: AWGN sigma 15/25/50 (seeded, clipped, 8-bit);
baseline cv2.fastNlMeansDenoisingColored with its best h per sigma (grid-searched in this run, mean
PSNR over the images); ours with the true sigma and with the estimated one (the API default).

Run: PYTHONPATH=libs:. .venv/bin/python bench/restoration_quality.py [--quick]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("RESTORATION_ORT_THREADS", "1")

import cv2
import numpy as np
import skimage.data

from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.domain.denoise import DenoiseParams, denoise
from services.restoration.domain.device import Device
from services.restoration.domain.images import as_rgb_uint8, psnr, psnr_y
from services.restoration.domain.super_resolution import UpscaleParams, upscale

EVAL = ("astronaut", "camera", "chelsea", "coffee")  # never used in training (see MODEL_CARD.md)
SIGMAS = (15, 25, 50)
NLM_H_FACTORS = (0.4, 0.55, 0.7, 0.85, 1.0)


def load(name: str) -> np.ndarray:
    return as_rgb_uint8(getattr(skimage.data, name)())


def sr_table(registry: ModelRegistry) -> None:
    print("\n## Super-resolution, PSNR-Y (dB)\n")
    print("| image | scale | bicubic | lanczos4 | ours | gain vs bicubic |")
    print("|---|---|---|---|---|---|")
    for factor in (2, 4):
        runner = registry.runner_for("super_resolution", Device.CPU, factor)
        gains = []
        for name in EVAL:
            hr = load(name)
            h, w = hr.shape[0] // factor * factor, hr.shape[1] // factor * factor
            hr = hr[:h, :w]
            lr = cv2.resize(hr, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
            bic = cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC)
            lan = cv2.resize(lr, (w, h), interpolation=cv2.INTER_LANCZOS4)
            ours = upscale(lr, UpscaleParams(factor), [runner])
            b = 2 * factor
            p_bic, p_lan, p_ours = psnr_y(bic, hr, b), psnr_y(lan, hr, b), psnr_y(ours, hr, b)
            gains.append(p_ours - p_bic)
            print(f"| {name} | x{factor} | {p_bic:.2f} | {p_lan:.2f} | {p_ours:.2f} | {p_ours - p_bic:+.2f} |")
        print(f"| **mean** | x{factor} | | | | **{np.mean(gains):+.2f}** |")


def noisy(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, image.shape)
    return np.clip(np.round(image + noise), 0, 255).astype(np.uint8)


def denoise_table(registry: ModelRegistry, images: tuple[str, ...]) -> None:
    runner = registry.runner_for("denoise", Device.CPU)
    print("\n## Denoising, PSNR RGB (dB)\n")
    print("| sigma | image | noisy | NLM (best h) | ours (true sigma) | ours (estimated sigma) |")
    print("|---|---|---|---|---|---|")
    for sigma in SIGMAS:
        cleans = [load(n) for n in images]
        noisies = [noisy(c, sigma, seed=i + sigma) for i, c in enumerate(cleans)]
        best_h, best_scores = None, None
        for factor in NLM_H_FACTORS:
            h = sigma * factor
            scores = [
                psnr(cv2.fastNlMeansDenoisingColored(n, None, h, h, 7, 21), c)
                for n, c in zip(noisies, cleans, strict=True)
            ]
            if best_scores is None or np.mean(scores) > np.mean(best_scores):
                best_h, best_scores = h, scores
        rows = []
        for name, clean, noisy_img, nlm in zip(images, cleans, noisies, best_scores, strict=True):
            ours = psnr(denoise(noisy_img, DenoiseParams(sigma=sigma), runner), clean)
            est = psnr(denoise(noisy_img, DenoiseParams(), runner), clean)
            rows.append((psnr(noisy_img, clean), nlm, ours, est))
            print(f"| {sigma} | {name} | {rows[-1][0]:.2f} | {nlm:.2f} | {ours:.2f} | {est:.2f} |")
        m = np.mean(rows, axis=0)
        print(
            f"| {sigma} | **mean** (NLM h={best_h:.1f}) | {m[0]:.2f} | {m[1]:.2f} | **{m[2]:.2f}** "
            f"({m[2] - m[1]:+.2f}) | {m[3]:.2f} ({m[3] - m[1]:+.2f}) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="denoise on two images only")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    registry = ModelRegistry()
    sr_table(registry)
    denoise_table(registry, EVAL[2:] if args.quick else EVAL)


if __name__ == "__main__":
    main()
