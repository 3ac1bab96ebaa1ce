"""Fit the NIQE pristine model on clean photographs shipped with scikit-image.

Run from the repository root:
    PYTHONPATH=libs:. .venv/bin/python -m services.quality.tools.fit_niqe_model

Images (the "tuning set"; the distortion-ladder benchmark uses other images): astronaut, coffee,
chelsea, camera, motorcycle_left, motorcycle_right.  As in the NIQE paper, 96x96 blocks (here
overlapping by 3/4, in four mirrored/rotated views) whose mean local deviation is at least 0.75x
the sharpest block of their image are kept; the 36 features of the kept blocks give the mean and covariance written to
services/quality/domain/models/niqe_pristine.npz.  The original NIQE model was fitted on 125
high-quality photos; ours has far fewer, so scores are on a similar but not identical scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import skimage.data

from services.quality.domain.metrics.natural_scene import analysis_scale
from services.quality.domain.metrics.niqe import SHARPNESS_FRACTION, niqe_block_features
from services.quality.domain.working_image import to_working_image

TUNING_IMAGES = ("astronaut", "coffee", "chelsea", "camera", "motorcycle_left", "motorcycle_right")


def load_tuning_image(name: str) -> np.ndarray:
    """A tuning-set photo by name (the stereo pair comes from skimage.data.stereo_motorcycle)."""
    if name.startswith("motorcycle_"):
        left, right, _ = skimage.data.stereo_motorcycle()
        return left if name.endswith("left") else right
    return getattr(skimage.data, name)()


OUTPUT = Path(__file__).resolve().parents[1] / "domain" / "models" / "niqe_pristine.npz"


def pristine_features() -> np.ndarray:
    rows = []
    for name in TUNING_IMAGES:
        gray = analysis_scale(to_working_image(load_tuning_image(name)).gray)
        kept = total = 0
        for view in (gray, gray[:, ::-1], gray.T, gray.T[:, ::-1]):  # mirror / rotate: more samples
            feats, sharp = niqe_block_features(np.ascontiguousarray(view), overlap=True)
            keep = sharp >= SHARPNESS_FRACTION * sharp.max()
            rows.append(feats[keep])
            kept, total = kept + int(keep.sum()), total + len(keep)
        print(f"{name}: {kept} of {total} blocks kept")
    return np.concatenate(rows)


def main() -> None:
    feats = pristine_features()
    feats = feats[np.all(np.isfinite(feats), axis=1)]
    np.savez_compressed(
        OUTPUT,
        mean=feats.mean(axis=0),
        cov=np.cov(feats, rowvar=False),
        n_blocks=np.array(len(feats)),
        images=np.array(TUNING_IMAGES),
    )
    print(f"wrote {OUTPUT} from {len(feats)} blocks")


if __name__ == "__main__":
    main()
