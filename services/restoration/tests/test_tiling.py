import itertools

import numpy as np
import pytest

from services.restoration.domain.errors import Cancelled
from services.restoration.domain.tiling import ramp_window, run_tiled, tile_starts


@pytest.mark.parametrize("length,tile,overlap", [(10, 16, 4), (100, 32, 8), (257, 64, 16), (64, 64, 8)])
def test_tile_starts_cover_with_overlap(length, tile, overlap):
    starts = tile_starts(length, tile, overlap)
    covered = np.zeros(length, bool)
    for s in starts:
        covered[s : s + tile] = True
    assert covered.all()
    assert all(b - a <= tile - overlap for a, b in itertools.pairwise(starts))


def test_ramp_window_is_positive_and_flat_inside():
    win = ramp_window(32, 40, 8)
    assert win.min() > 0 and win.max() == 1.0
    assert (win[8:-8, 8:-8] == 1.0).all()


def test_tiled_nearest_upsample_is_exact(astronaut):
    image = astronaut.astype(np.float32).transpose(2, 0, 1)[:, :150, :170] / 255

    def nearest(batch):
        return batch.repeat(2, axis=2).repeat(2, axis=3)

    out = run_tiled(image, nearest, scale=2, tile=48, overlap=8)
    assert out.shape == (3, 300, 340)
    np.testing.assert_allclose(out, image.repeat(2, axis=1).repeat(2, axis=2), atol=1e-6)


def test_tiled_equals_untiled_for_a_local_filter(astronaut):
    import cv2

    image = astronaut.astype(np.float32).transpose(2, 0, 1)[:1] / 255

    def blur(batch):
        return cv2.GaussianBlur(batch[0, 0], (7, 7), 1.5)[None, None]

    whole = blur(image[None])[0]
    tiled = run_tiled(image, blur, tile=96, overlap=16)
    assert np.abs(tiled - whole).max() < 2e-3


def test_progress_reaches_one_and_stop_cancels(astronaut):
    image = np.zeros((1, 100, 100), np.float32)
    seen = []
    run_tiled(image, lambda b: b, tile=40, overlap=8, on_progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 1
    with pytest.raises(Cancelled) as err:
        run_tiled(image, lambda b: b, tile=40, overlap=8, should_stop=lambda: True)
    assert err.value.reason == "RESTORATION_CANCELLED"


def test_padding_for_multiple_is_cropped_back():
    image = np.random.default_rng(0).random((3, 33, 47), dtype=np.float32)
    out = run_tiled(image, lambda b: b, multiple=2, tile=16, overlap=4)
    np.testing.assert_allclose(out, image, atol=1e-6)
