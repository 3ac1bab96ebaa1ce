"""Distortion ladders: does each aspect metric order 5 steps of its distortion correctly?

    PYTHONPATH=libs:. .venv/bin/python bench/quality_ladders.py

Target (issue 5): >= 95% of ordered pairs correct, on images and distortions not used while
tuning.  Tuning used astronaut, coffee, chelsea, camera, rocket and the motorcycle pair (NIQE
model fit, enhancement and score tuning); the ladders below use eight other scikit-image images.
Distortions: Gaussian blur sigma, Gaussian noise sigma, JPEG quality, contrast loss (blend toward
the mean), 5 steps each -> 10 ordered pairs per image and distortion.  A pair counts as correct
when the metric moves strictly in the expected direction.  The baseline in the same run is the
plain (uncompensated) statistic each aspect metric refines: variance of the Laplacian for
sharpness, raw RMS contrast for contrast, the edge-blind Immerkaer estimate for noise, and
BRISQUE for JPEG (the aspect metric there is the blockiness of the compression aspect).
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np
import skimage.data

from services.quality.domain.measure import measure
from services.quality.domain.scoring import aspect_scores, overall_score
from services.quality.domain.working_image import to_working_image

cv2.setNumThreads(1)

HELD_OUT = ("coins", "moon", "brick", "grass", "gravel", "hubble_deep_field", "immunohistochemistry", "retina")
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    bgr = img[..., ::-1] if img.ndim == 3 else img
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(bgr), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    out = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    return out[..., ::-1] if img.ndim == 3 else out


def noise(img: np.ndarray, sigma: float) -> np.ndarray:
    rng = np.random.default_rng(int(sigma * 10))
    return np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).round().astype(np.uint8)


def contrast(img: np.ndarray, keep: float) -> np.ndarray:
    mean = img.reshape(-1, img.shape[2] if img.ndim == 3 else 1).mean(axis=0)
    return np.clip(mean + keep * (img - mean), 0, 255).round().astype(np.uint8)


# name -> (steps from mildest to strongest, distort(img, step))
LADDERS = {
    "blur": ((0.5, 1.0, 1.5, 2.0, 3.0), lambda im, s: cv2.GaussianBlur(im, (0, 0), s)),
    "noise": ((2, 5, 10, 20, 30), noise),
    "jpeg": ((90, 70, 50, 30, 10), jpeg),
    "contrast": ((0.9, 0.75, 0.6, 0.45, 0.3), contrast),
}
# metric -> (how to read it, +1 if it should grow with distortion, -1 if it should fall)
METRICS = {
    "sharpness": (lambda m, s: m.sharpness, -1),
    "noise_sigma": (lambda m, s: m.noise_sigma, +1),
    "contrast": (lambda m, s: m.contrast, -1),
    "blockiness": (lambda m, s: m.blockiness, +1),
    "brisque": (lambda m, s: m.brisque, +1),
    "niqe": (lambda m, s: m.niqe, +1),
    "overall": (lambda m, s: s, -1),
    "baseline_laplacian_var": (None, -1),
    "baseline_raw_rms": (None, -1),
    "baseline_immerkaer": (None, +1),
}
PRIMARY = {"blur": "sharpness", "noise": "noise_sigma", "jpeg": "blockiness", "contrast": "contrast"}


def baselines(img: np.ndarray) -> dict[str, float]:
    g = to_working_image(img).gray * np.float32(255.0)
    lap = cv2.Laplacian(g, cv2.CV_32F, ksize=1)
    imm = np.abs(cv2.filter2D(g, cv2.CV_32F, _IMMERKAER))[1:-1, 1:-1]
    return {
        "baseline_laplacian_var": float(lap.var()),
        "baseline_raw_rms": float(g.std()),
        "baseline_immerkaer": float(imm.mean() * np.sqrt(np.pi / 2) / 6),
    }


def load(name: str) -> np.ndarray:
    return getattr(skimage.data, name)()


def evaluate() -> dict[tuple[str, str], tuple[int, int]]:
    counts: dict[tuple[str, str], list[int]] = {}
    for name in HELD_OUT:
        img = load(name)
        for ladder, (steps, distort) in LADDERS.items():
            values: dict[str, list[float]] = {k: [] for k in METRICS}
            for step in steps:
                d = distort(img, step)
                w = to_working_image(d)
                m = measure(w)
                overall = overall_score(aspect_scores(m, is_grayscale=w.is_grayscale))
                base = baselines(d)
                for metric, (read, _) in METRICS.items():
                    values[metric].append(base[metric] if read is None else read(m, overall))
            for metric, (_, direction) in METRICS.items():
                ok_total = counts.setdefault((ladder, metric), [0, 0])
                for i, j in itertools.combinations(range(len(steps)), 2):
                    ok_total[0] += int(direction * (values[metric][j] - values[metric][i]) > 0)
                    ok_total[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def main() -> None:
    counts = evaluate()
    print(f"held-out images: {', '.join(HELD_OUT)}")
    print("| distortion | aspect metric | correct pairs | baseline (same run) |")
    print("|---|---|---|---|")
    base_of = {
        "blur": "baseline_laplacian_var",
        "noise": "baseline_immerkaer",
        "jpeg": "brisque",
        "contrast": "baseline_raw_rms",
    }
    for ladder, metric in PRIMARY.items():
        ok, total = counts[(ladder, metric)]
        b = base_of[ladder]
        base = f"{b}: {counts[(ladder, b)][0] / counts[(ladder, b)][1]:.1%}" if b else "-"
        print(f"| {ladder} | {metric} | {ok}/{total} = {ok / total:.1%} | {base} |")
    print()
    print("all metrics x all ladders (fraction of pairs ordered as 'more distortion = worse'):")
    names = [m for m in METRICS if not m.startswith("baseline")]
    print("| distortion | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for ladder in LADDERS:
        cells = [f"{counts[(ladder, m)][0] / counts[(ladder, m)][1]:.0%}" for m in names]
        print(f"| {ladder} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
