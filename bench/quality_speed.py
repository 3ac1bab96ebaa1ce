"""Speed of the quality domain on this machine.

    PYTHONPATH=libs:. .venv/bin/python bench/quality_speed.py

Targets (issue 5): compare two 2-megapixel images including enhancement <= 0.25 s; assess a
12-megapixel image <= 0.5 s.  Each case runs once to warm up, then REPEATS times; min and median
wall times are printed (the dev box is shared, so the min is the best estimate of the cost and
the median shows the interference); process CPU time (all threads) is printed too, as the load-
independent cost: on an idle 2-core box the wall time would be at most about that.
Baselines in the same run: scikit-image's PSNR + SSIM on the same 2 MP pair, and the aspect
metrics computed on the full 12 MP frame without sampling.
OpenCV keeps its default threads (the service would run it so); numpy BLAS is pinned to 1.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2
import numpy as np
import skimage.data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from imagemesh_kit import native
from services.quality.domain.assess import assess
from services.quality.domain.compare import compare
from services.quality.domain.fidelity import psnr, ssim
from services.quality.domain.metrics.brisque import brisque_score
from services.quality.domain.metrics.niqe import niqe_score
from services.quality.domain.metrics.noise import noise_levels
from services.quality.domain.metrics.sharpness import sharpness
from services.quality.domain.working_image import to_working_image

# (imported by name: the domain package exports a function called `enhance`, which hides the subpackage)
denoise_module = importlib.import_module("services.quality.domain.enhance.denoise")

REPEATS = 5


def timed(fn, repeats: int = REPEATS) -> tuple[float, float, float]:
    """(min wall, median wall, min process CPU time) in seconds."""
    fn()
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(times), statistics.median(times), min(cpu)


def photo(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A realistic large frame: astronaut upscaled, with a little sensor noise."""
    img = cv2.resize(skimage.data.astronaut(), size, interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)


def without_kernels(fn, *args):
    """fn(*args) with the kit's C kernels taken as not built (their OpenCV/numpy forms)."""
    load = native.load
    native.load = lambda: None
    try:
        return fn(*args)
    finally:
        native.load = load


@contextlib.contextmanager
def opencv_bilateral():
    """Denoising with OpenCV's bilateralFilter instead of the kit's kernel (the baseline)."""
    kernel = denoise_module._filter
    denoise_module._filter = lambda plane, sigma: cv2.bilateralFilter(
        plane, denoise_module.DIAMETER, sigma, denoise_module.SPATIAL_SIGMA
    )
    try:
        yield
    finally:
        denoise_module._filter = kernel


def bilateral_rows(image) -> list[tuple]:
    """The denoising step's bilateral filters, the kit's kernel against OpenCV's: as a comparison's apply runs them
    (the image in two bands side by side, OpenCV with its threads) and alone on one thread."""
    ycc = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2YCrCb)
    half = ycc.shape[0] // 2
    bands = [np.ascontiguousarray(ycc[: half + 16]), np.ascontiguousarray(ycc[half - 16 :])]
    rows = []
    with ThreadPoolExecutor(2) as pool:

        def denoise_bands() -> None:
            list(pool.map(lambda band: denoise_module.denoise(band, 8.9, 1.0, is_grayscale=False), bands))

        rows.append(("denoise step, 2 MP in two bands side by side (bilateral kernel)", *timed(denoise_bands), None))
        with opencv_bilateral():
            rows.append(("  baseline: the same with OpenCV's bilateralFilter", *timed(denoise_bands), None))
    luma = np.ascontiguousarray(ycc[..., 0])
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        rows.append(("bilateral filter of a 2 MP luma plane, one thread (kernel)",
                     *timed(lambda: denoise_module._filter(luma, 0.07)), None))  # fmt: skip
        rows.append(("  baseline: cv2.bilateralFilter, one thread",
                     *timed(lambda: cv2.bilateralFilter(luma, 5, 0.07, 2.0)), None))  # fmt: skip
    finally:
        cv2.setNumThreads(threads)
    return rows


def main() -> None:
    rows = []
    ref2 = photo((1633, 1225))
    rng = np.random.default_rng(1)
    candidates = {
        "noisy (sigma 10)": np.clip(ref2 + rng.normal(0, 10, ref2.shape), 0, 255).astype(np.uint8),
        "blurred (sigma 1.5)": cv2.GaussianBlur(ref2, (0, 0), 1.5),
        "low contrast (x0.6)": np.clip(ref2.mean() + 0.6 * (ref2 - ref2.mean()), 0, 255).astype(np.uint8),
    }
    for label, cand in candidates.items():
        rows.append((f"compare 2 MP, level 1, candidate {label}", *timed(lambda c=cand: compare(ref2, c, 1.0)), 0.25))
    rows.append(
        (
            "compare 2 MP, level 0 (no enhancement)",
            *timed(lambda: compare(ref2, candidates["noisy (sigma 10)"], 0.0)),
            None,
        )
    )

    a, b = to_working_image(ref2), to_working_image(candidates["noisy (sigma 10)"])
    rows.append(("ours: PSNR + SSIM (luma), 2 MP", *timed(lambda: (psnr(a.rgb, b.rgb), ssim(a.gray, b.gray))), None))
    rows.append(("  ours: SSIM alone (kernel), 2 MP", *timed(lambda: ssim(a.gray, b.gray)), None))
    rows.append(("  baseline: SSIM with OpenCV's filters, 2 MP (the form without the kit's kernel)",
                 *timed(lambda: without_kernels(ssim, a.gray, b.gray)), None))  # fmt: skip
    rows.append(
        (
            "baseline skimage: PSNR + SSIM (luma), 2 MP",
            *timed(
                lambda: (
                    peak_signal_noise_ratio(a.rgb, b.rgb, data_range=1.0),
                    structural_similarity(
                        a.gray, b.gray, data_range=1.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
                    ),
                ),
                repeats=2,
            ),
            None,
        )
    )

    rows.extend(bilateral_rows(b))

    big = photo((4000, 3000), seed=2)
    rows.append(("assess 12 MP (incl. decode-array normalisation)", *timed(lambda: assess(big)), 0.5))

    def full_frame() -> None:
        w = to_working_image(big)
        n = noise_levels([w.gray], [w.rgb])
        sharpness([w.gray], n.luma)
        brisque_score(w.gray, downscale=False)
        niqe_score(w.gray, downscale=False)

    rows.append(("baseline: same metrics on the full 12 MP frame", *timed(full_frame, repeats=1), None))

    print("| case | wall min s | wall median s | CPU min s | target s | met (wall min) |")
    print("|---|---|---|---|---|---|")
    for label, best, med, cpu, target in rows:
        met = "-" if target is None else ("yes" if best <= target else "no")
        tgt = "-" if target is None else f"{target:.2f}"
        print(f"| {label} | {best:.3f} | {med:.3f} | {cpu:.3f} | {tgt} | {met} |")


if __name__ == "__main__":
    main()
