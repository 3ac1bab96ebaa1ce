"""Decoding stored images for the domain and encoding drawings for storage."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imagemesh_kit import imaging
from imagemesh_kit.errors import InvalidArgument
from services.sketch.tests.images import photo
from services.sketch.use_cases import parse_spec


def saved(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "fmt", "channels"),
    [("RGB", "JPEG", 3), ("RGB", "PNG", 3), ("L", "PNG", 3), ("RGBA", "PNG", 4), ("LA", "PNG", 4), ("RGB", "WEBP", 3)],
)
def test_decode_gives_rgb_or_rgba_of_the_stored_size(mode, fmt, channels):
    image = Image.fromarray(photo("astronaut", 64)).convert(mode)
    pixels = imaging.decode(saved(image, fmt))
    assert pixels.dtype == np.uint8 and pixels.shape == (image.height, image.width, channels)


def test_decode_keeps_palette_transparency():
    image = Image.fromarray(photo("astronaut", 64)).convert("P")
    assert imaging.decode(saved(image, "GIF", transparency=0)).shape[2] == 4


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(InvalidArgument) as exc:
        imaging.decode(b"\x89PNG\r\n\x1a\n truncated")
    assert exc.value.reason == "IMAGE_UNREADABLE"


def test_encode_png_round_trips_and_falls_back_to_jpeg_when_too_big():
    pixels = photo("astronaut", 128)
    png = imaging.encode(pixels, max_png_bytes=1 << 30)
    assert png.content_type == "image/png" and np.array_equal(imaging.decode(png.data), pixels)
    jpeg = imaging.encode(pixels, max_png_bytes=100)
    assert jpeg.content_type == "image/jpeg" and jpeg.extension == "jpg"
    assert imaging.decode(jpeg.data).shape == pixels.shape
    grey = np.repeat(pixels[..., :1], 3, axis=2)
    stored = imaging.encode(grey, max_png_bytes=1 << 30)
    assert stored.content_type == "image/png" and np.array_equal(imaging.decode(stored.data), grey)
    assert Image.open(io.BytesIO(stored.data)).mode == "L"  # a grey drawing is stored as a grey PNG
    rgba = np.dstack([pixels, np.full(pixels.shape[:2], 128, np.uint8)])
    assert imaging.encode(rgba, max_png_bytes=100).content_type == "image/png"  # alpha is never dropped


def test_parse_spec_normalises_and_fills_defaults():
    spec = parse_spec("img", "style_pencil", "Basic", {"seed": 4.0})
    assert (spec.style, spec.method, spec.params["seed"]) == ("PENCIL", "BASIC", 4)
    assert isinstance(spec.params["seed"], int) and len(spec.params) > 1
