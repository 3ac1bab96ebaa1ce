"""NIQE (Mittal, Soundararajan & Bovik, IEEE SPL 2013): distance to a pristine-image model.

Following the published reference code: luma on the 0..255 scale; MSCN with C = 1 and replicated
borders; the image is cut into 96x96 blocks (48x48 at the half scale, bicubic ``0.5`` resize); each
block gives 18 AGGD features per scale (36 in all); a multivariate Gaussian is fitted to the blocks
and compared with the pristine model:

    NIQE = sqrt((mu_p - mu) ^T  pinv((cov_p + cov) / 2)  (mu_p - mu))

Lower is better.  The pristine model (``models/niqe_pristine.npz``) is fitted by
``services/quality/tools/fit_niqe_model.py`` on clean scikit-image photographs (see its notes).
Images are analysed at <= 768 px on the long side, like BRISQUE.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import cv2
import numpy as np

from imagemesh_kit.errors import FailedPrecondition

from .natural_scene import aggd_from_moments, analysis_scale, blocks, mscn, signal_moments

BLOCK = 96
SHARPNESS_FRACTION = 0.75  # pristine fitting keeps blocks at least this sharp relative to the best
_MODEL_FILE = "niqe_pristine.npz"


@dataclass(frozen=True, eq=False)
class PristineModel:
    mean: np.ndarray  # (36,)
    cov: np.ndarray  # (36, 36)


def _block_features(coeffs: np.ndarray, size: int, step: int) -> np.ndarray:
    """18 AGGD features per block of an MSCN map -> (n_blocks, 18)."""
    moments = signal_moments(coeffs, size, step)  # (n_blocks, 5 signals, 5 sums); products zero-padded
    alpha, mean, left, right = aggd_from_moments(moments, size * size, right_includes_zero=False)
    cols = [alpha[:, 0], (left[:, 0] + right[:, 0]) / 2.0]
    for k in range(1, 5):  # the four neighbour products
        cols += [alpha[:, k], mean[:, k], left[:, k] ** 2, right[:, k] ** 2]
    return np.stack(cols, axis=1)


def niqe_block_features(gray: np.ndarray, *, overlap: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(features (n, 36), block sharpness (n,)) of a [0, 1] luma image at analysis scale.

    overlap=True steps blocks by a quarter block (used when fitting the pristine model).
    """
    img = gray.astype(np.float32) * np.float32(255.0)
    h, w = img.shape
    size = min(BLOCK, (min(h, w) // 2) * 2)  # small images: one block as large as fits
    h2, w2 = (h // size) * size, (w // size) * size
    img = img[:h2, :w2]
    step = size // 4 if overlap else size
    coeffs, sigma = mscn(img, 1.0, zero_border=False)
    feats1 = _block_features(coeffs, size, step)
    sharp = blocks(sigma, size, step).mean(axis=1)
    half = cv2.resize(img, (w2 // 2, h2 // 2), interpolation=cv2.INTER_CUBIC)
    coeffs2, _ = mscn(half, 1.0, zero_border=False)
    feats2 = _block_features(coeffs2, size // 2, step // 2)
    return np.concatenate([feats1, feats2], axis=1), sharp


@functools.cache
def load_pristine_model() -> PristineModel:
    """Load (once) the pristine model committed next to the code."""
    try:
        with resources.files("services.quality.domain.models").joinpath(_MODEL_FILE).open("rb") as fh:
            data = np.load(fh)
            return PristineModel(mean=data["mean"].copy(), cov=data["cov"].copy())
    except FileNotFoundError as exc:
        raise FailedPrecondition("The NIQE model data is missing.", reason="QUALITY_MODEL_MISSING") from exc


def niqe_distance(features: np.ndarray, model: PristineModel) -> float:
    """Mahalanobis-like distance between the blocks' Gaussian and the pristine one."""
    feats = features[np.all(np.isfinite(features), axis=1)]
    mu = feats.mean(axis=0)
    cov = np.cov(feats, rowvar=False) if feats.shape[0] > 1 else np.zeros_like(model.cov)
    diff = model.mean - mu
    return float(np.sqrt(max(diff @ np.linalg.pinv((model.cov + cov) / 2.0) @ diff, 0.0)))


def niqe_score(gray: np.ndarray, *, downscale: bool = True) -> float:
    """NIQE of a [0, 1] luma image (lower = more natural; pristine photos score ~3-5)."""
    g = analysis_scale(gray) if downscale else gray
    features, _ = niqe_block_features(g)
    return niqe_distance(features, load_pristine_model())
