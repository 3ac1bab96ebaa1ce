import numpy as np
import pytest

from services.quality.domain.metrics.niqe import load_pristine_model, niqe_block_features, niqe_score
from services.quality.domain.working_image import to_working_image
from services.quality.tests.images import add_noise, blur, photo


def niqe(img):
    return niqe_score(to_working_image(img).gray)


def test_pristine_model_shape_and_covariance():
    model = load_pristine_model()
    assert model.mean.shape == (36,) and model.cov.shape == (36, 36)
    np.testing.assert_allclose(model.cov, model.cov.T, atol=1e-9)
    assert np.linalg.eigvalsh(model.cov).min() > -1e-9


def test_block_features_have_36_columns():
    feats, sharp = niqe_block_features(to_working_image(photo("camera")).gray)
    assert feats.shape == (25, 36) and sharp.shape == (25,)


@pytest.mark.parametrize("name", ["rocket", "coins"])  # not in the model's fitting set
def test_distortions_move_away_from_pristine(name):
    img = photo(name)
    clean = niqe(img)
    assert clean < niqe(blur(img, 1.0)) < niqe(blur(img, 2.0))
    assert clean < niqe(add_noise(img, 10)) < niqe(add_noise(img, 30))


def test_small_images_use_one_block():
    assert np.isfinite(niqe(photo("camera")[:60, :80]))
