"""PSNR-improvement KPI: degrade clean photos, enhance at level 1.0, compare with the original.

    PYTHONPATH=libs:. .venv/bin/python bench/quality_psnr_gain.py

KPI (issue 5): PSNR(enhanced, clean) / PSNR(degraded, clean) averages >= 1.25 over the noise and
contrast cases, blur cases gain >= 0.5 dB, no case gets worse.  Two modes are reported:
- blind: `enhance` with no reference (what :enhance does);
- ref-stats: enhancement given the clean image's *statistics* (histogram, noise, sharpness; never
  its pixels), as a comparison with that image as reference does.
The baseline in the same run is the degraded image itself (ratio 1.0, gain 0 dB).
`--held-out` runs the same on six scikit-image images not used while tuning.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np
import skimage.data

from services.quality.domain.enhance.params import enhance_params, reference_stats
from services.quality.domain.enhance.pipeline import enhance_working
from services.quality.domain.fidelity import psnr
from services.quality.domain.measure import measure
from services.quality.domain.working_image import to_working_image

cv2.setNumThreads(1)

PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "motorcycle")  # used while tuning
HELD_OUT = ("hubble_deep_field", "immunohistochemistry", "coins", "moon", "brick", "gravel")


def load(name: str) -> np.ndarray:
    if name == "motorcycle":
        return skimage.data.stereo_motorcycle()[0]
    return getattr(skimage.data, name)()


def add_noise(img: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0.0, sigma, img.shape), 0, 255).round().astype(np.uint8)


def contrast_loss(img: np.ndarray, keep: float) -> np.ndarray:
    mean = img.reshape(-1, img.shape[2] if img.ndim == 3 else 1).mean(axis=0)
    return np.clip(mean + keep * (img - mean), 0, 255).round().astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


DEGRADATIONS = {
    "noise s=10": ("noise", lambda im, i: add_noise(im, 10, i)),
    "noise s=20": ("noise", lambda im, i: add_noise(im, 20, i)),
    "noise s=30": ("noise", lambda im, i: add_noise(im, 30, i)),
    "contrast x0.6": ("contrast", lambda im, i: contrast_loss(im, 0.6)),
    "contrast x0.4": ("contrast", lambda im, i: contrast_loss(im, 0.4)),
    "blur s=1": ("blur", lambda im, i: blur(im, 1.0)),
    "blur s=1.5": ("blur", lambda im, i: blur(im, 1.5)),
    "blur s=2": ("blur", lambda im, i: blur(im, 2.0)),
}


def run(mode: str, photos=PHOTOS) -> dict[str, list[tuple[float, float]]]:
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in DEGRADATIONS}
    params = enhance_params(1.0)
    for i, name in enumerate(photos):
        clean_px = load(name)
        clean = to_working_image(clean_px)
        ref = reference_stats(clean, measure(clean, natural_scene=False)) if mode == "ref-stats" else None
        for label, (_, degrade) in DEGRADATIONS.items():
            deg = to_working_image(degrade(clean_px, i))
            out = enhance_working(deg, params, reference=ref)
            results[label].append((psnr(clean.rgb, deg.rgb), psnr(clean.rgb, out.rgb)))
    return results


def table(mode: str, results: dict[str, list[tuple[float, float]]]) -> list[str]:
    lines = [
        f"mode: {mode}",
        "| degradation | PSNR degraded | PSNR enhanced | ratio | gain dB | worst gain dB |",
        "|---|---|---|---|---|---|",
    ]
    ratios_nc = []
    for label, pairs in results.items():
        d = np.array([p[0] for p in pairs])
        e = np.array([p[1] for p in pairs])
        ratio = float(np.mean(e / d))
        if DEGRADATIONS[label][0] in ("noise", "contrast"):
            ratios_nc.extend(list(e / d))
        lines.append(
            f"| {label} | {d.mean():.2f} | {e.mean():.2f} | {ratio:.3f} | {np.mean(e - d):+.2f} | "
            f"{np.min(e - d):+.2f} |"
        )
    lines.append(f"mean ratio over noise+contrast cases: {np.mean(ratios_nc):.3f} (target >= 1.25)")
    return lines


def main() -> None:
    held_out = "--held-out" in sys.argv
    photos = HELD_OUT if held_out else PHOTOS
    modes = [a for a in sys.argv[1:] if not a.startswith("--")] or ["blind", "ref-stats"]
    print(f"images: {', '.join(photos)}")
    for mode in modes:
        print("\n".join(table(mode, run(mode, photos))))
        print()


if __name__ == "__main__":
    main()
