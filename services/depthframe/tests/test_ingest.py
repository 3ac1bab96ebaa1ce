"""The ingest pipeline: steps, progress, cancellation, fail-fast width check."""

from __future__ import annotations

import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import Cancelled, ColorScale, ingest_csv
from services.depthframe.sample_data.depth_log import make_depth_csv

from .csv_samples import area_resize_reference, csv_bytes


def test_ingest_generated_file():
    progress = []
    result = ingest_csv(make_depth_csv(rows=1001), on_progress=lambda f, m: progress.append((f, m)))
    assert result.rows == 1000 and result.width == 150 and result.resized.shape == (1000, 150)
    assert np.array_equal(result.resized, area_resize_reference(result.parsed.pixels, 150))
    assert result.color_scale == ColorScale.from_pixels(result.resized)
    fractions = [f for f, _ in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in progress)


def test_configurable_width():
    assert ingest_csv(make_depth_csv(rows=11), width=60).resized.shape == (10, 60)


def test_width_above_source_fails_before_parsing():
    bad_body = csv_bytes(["1,1,2,3", "oops"])
    with pytest.raises(InvalidArgument) as caught:
        ingest_csv(bad_body, width=4)
    assert caught.value.reason == "WIDTH_EXCEEDS_SOURCE"


def test_csv_errors_pass_through():
    with pytest.raises(InvalidArgument) as caught:
        ingest_csv(b"")
    assert caught.value.reason == "EMPTY_FILE"


def test_stop_between_steps():
    calls = []

    def stop_on_third_check() -> bool:
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(Cancelled) as caught:
        ingest_csv(make_depth_csv(rows=50), should_stop=stop_on_third_check)
    assert caught.value.reason == "CANCELLED" and caught.value.status == "CANCELLED"  # the kit's Cancelled


def test_real_image_through_ingest_and_strip_keeps_its_look():
    from skimage import data
    from skimage.metrics import structural_similarity
    from skimage.transform import resize as sk_resize

    from services.depthframe.domain import decode_png_rgb, render_strip, resolve_colormap

    from .csv_samples import csv_from_arrays

    camera = data.camera()[:256]
    result = ingest_csv(csv_from_arrays(1000.0 + np.arange(256) * 0.25, camera), width=150)
    strip = decode_png_rgb(render_strip(result.resized, resolve_colormap("gray"), ColorScale.full_range()))
    assert strip.shape == (256, 150, 3)
    expected = sk_resize(camera, (256, 150), anti_aliasing=True, preserve_range=True).round().astype(np.uint8)
    assert structural_similarity(strip[..., 0], expected, data_range=255) > 0.95
