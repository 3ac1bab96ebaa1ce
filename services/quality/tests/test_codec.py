"""Decoding stored bytes into the domain's pixel layout, encoding enhanced images, the JSON record."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from services.quality.codec import decode, encode_png
from services.quality.domain.compare import compare
from services.quality.records import result_json
from services.quality.store.models import ComparisonRow
from services.quality.store.repository import to_comparison
from services.quality.tests.harness import png
from services.quality.tests.images import photo

LIMIT = 10_000_000


def pillow_bytes(pixels: np.ndarray, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "pixels",
    [
        photo("camera")[:40, :50],
        photo("astronaut")[:40, :50],
        np.dstack([photo("astronaut")[:40, :50], np.full((40, 50), 77, np.uint8)]),
        photo("camera")[:40, :50].astype(np.uint16) * 257 + 3,
    ],
    ids=["gray", "rgb", "rgba", "gray16"],
)
def test_png_round_trip_keeps_layout_order_and_depth(pixels):
    out = decode(png(pixels), field="image_id", max_pixels=LIMIT)
    assert out.dtype == pixels.dtype and out.shape == pixels.shape
    assert np.array_equal(out, pixels)
    assert np.array_equal(decode(encode_png(out), field="image_id", max_pixels=LIMIT), pixels)


def test_pillow_formats_decode_in_rgb_order():
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    for fmt, options in [("GIF", {}), ("BMP", {}), ("TIFF", {}), ("WEBP", {"lossless": True})]:
        out = decode(pillow_bytes(rgb, fmt, **options), field="image_id", max_pixels=LIMIT)
        assert out.shape[:2] == (32, 32), fmt
        assert out[..., 0].min() >= 250 and out[..., 2].max() <= 5, fmt


def test_gray_alpha_encodes_as_rgba():
    ga = np.dstack([photo("camera")[:20, :20], np.full((20, 20), 9, np.uint8)])
    out = decode(encode_png(ga), field="x", max_pixels=LIMIT)
    assert out.shape == (20, 20, 4)
    assert np.array_equal(out[..., 0], ga[..., 0]) and np.array_equal(out[..., 3], ga[..., 1])


def test_undecodable_and_too_large():
    with pytest.raises(InvalidArgument) as err:
        decode(b"\x89PNG\r\n\x1a\nnot really", field="image1_id", max_pixels=LIMIT)
    assert err.value.reason == "UNDECODABLE_IMAGE"
    with pytest.raises(ResourceExhausted) as err:
        decode(png(photo("camera")[:40, :50]), field="image_id", max_pixels=40 * 50 - 1)
    assert err.value.reason == "IMAGE_TOO_LARGE"


def test_comparison_record_round_trips_through_json_with_infinite_psnr():
    import json
    from datetime import UTC, datetime

    img = photo("camera")[:64, :64]
    result = compare(img, img, 0.0)
    data = json.loads(json.dumps(result_json(result), allow_nan=False))  # valid JSON for PostgreSQL
    row = ComparisonRow(
        id="c" * 32, owner_id="u", request_id=None, image1_id="a", image2_id="b", enhancement_level=0.0,
        psnr=result.psnr, ssim=result.ssim, enhanced_image_id="", processing_time_ms=1.0, result=data,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    stored = to_comparison(row)
    assert stored.psnr == math.inf
    assert stored.report1 == result.report1
    assert stored.differences == result.differences
