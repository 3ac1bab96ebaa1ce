"""BRISQUE: our implementation vs the `brisque` package's own pipeline on the same inputs."""

import cv2
import numpy as np
import pytest
import skimage.color

from services.quality.domain.metrics.brisque import brisque_features, brisque_score
from services.quality.domain.metrics.brisque_model import load_brisque_model
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import add_noise, blur, photo


def reference_brisque(img: np.ndarray) -> float:
    """The `brisque` 0.2.0 package's score() pipeline, step by step.

    Its score() crashes under numpy 2 (its AGGD fit returns 1-element arrays that its own float()
    conversion rejects); the computation is otherwise the package's own: its features, its
    half-scale resize, its scaling and its libsvm prediction.
    """
    from brisque import BRISQUE

    ref = BRISQUE(url=False)
    gray = skimage.color.rgb2gray(img) if img.ndim == 3 else img / 255.0
    full = ref.calculate_brisque_features(gray, kernel_size=7, sigma=7 / 6)
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)
    halff = ref.calculate_brisque_features(half, kernel_size=7, sigma=7 / 6)
    feats = np.array([float(np.ravel(v)[0]) for v in np.concatenate([full, halff])])
    return float(ref.calculate_image_quality_score(feats))


def test_model_is_read_from_the_package_data():
    model = load_brisque_model()
    assert model.support_vectors.shape == (770, 36)
    assert model.gamma == pytest.approx(0.05)
    assert np.all(model.feature_max > model.feature_min)


@pytest.mark.parametrize("name", ["astronaut", "camera"])
def test_agrees_with_the_brisque_package(name):
    img = photo(name)
    ours = brisque_score(to_working_image(img).gray)
    assert ours == pytest.approx(reference_brisque(img), abs=0.05)


def test_agrees_with_the_package_on_a_distorted_image():
    img = blur(photo("coffee"), 2.0)
    ours = brisque_score(to_working_image(img).gray)
    assert ours == pytest.approx(reference_brisque(img), abs=0.05)


def test_features_have_the_published_layout():
    f = brisque_features(to_working_image(photo("camera")).gray)
    assert f.shape == (36,)
    assert 0.2 < f[0] < 10.0 and f[1] > 0  # GGD shape and variance of the MSCN coefficients


def test_distortions_raise_the_score():
    img = photo("camera")
    clean = brisque_score(to_working_image(img).gray)
    assert brisque_score(to_working_image(blur(img, 2.0)).gray) > clean + 20
    assert brisque_score(to_working_image(add_noise(img, 20)).gray) > clean + 20
