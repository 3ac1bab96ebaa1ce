"""BRISQUE (Mittal, Moorthy & Bovik, IEEE TIP 2012): blind spatial quality, lower = better.

36 features = 18 AGGD parameters of the MSCN coefficients and their four neighbour products, at
full and half scale, scaled and fed to the SVR shipped by the `brisque` package (see
brisque_model).  Conventions follow that package so the scores agree with it: luma in [0, 1]
(Rec. 709), C = 1/255, zero-padded Gaussian filtering, bicubic half-scale (resized in float32: scores move
by < 0.001).

Images larger than 768 px on the long side are first area-downscaled to 768 px (the size of the
LIVE images the model was trained on); see natural_scene.ANALYSIS_LONG_SIDE.
"""

from __future__ import annotations

import cv2
import numpy as np

from .brisque_model import load_brisque_model
from .natural_scene import aggd_from_moments, analysis_scale, mscn, product_counts, signal_moments

_C = 1.0 / 255.0


def brisque_features_one_scale(gray: np.ndarray) -> np.ndarray:
    """The 18 features of one scale, in the order the model expects."""
    coeffs, _ = mscn(gray, _C, zero_border=True)
    alpha, mean, left, right = aggd_from_moments(signal_moments(coeffs)[0], product_counts(*coeffs.shape))
    feats = [alpha[0], (left[0] ** 2 + right[0] ** 2) / 2.0]
    for k in range(1, 5):  # the four neighbour products
        feats += [alpha[k], mean[k], left[k] ** 2, right[k] ** 2]
    return np.array(feats)


def brisque_features(gray: np.ndarray) -> np.ndarray:
    """All 36 features of a [0, 1] luma image (already at analysis scale)."""
    g = np.ascontiguousarray(gray, dtype=np.float32)  # the half scale in float32; the MSCN in double (see mscn)
    half = cv2.resize(g, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)
    return np.concatenate([brisque_features_one_scale(g), brisque_features_one_scale(half)])


def brisque_score(gray: np.ndarray, *, downscale: bool = True) -> float:
    """BRISQUE score of a [0, 1] luma image; ~0 pristine, ~100 badly distorted (can exceed both)."""
    g = analysis_scale(gray) if downscale else gray
    return load_brisque_model().predict(brisque_features(g))
