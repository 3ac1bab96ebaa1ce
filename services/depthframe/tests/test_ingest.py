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
    assert caught.value.reason == "CANCELLED" and caught.value.status == "ABORTED"
