"""The upload validation pipeline: limits, bad bodies, truncation, corruption, pixel bombs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from services.storage.domain import inspect as inspect_module
from services.storage.domain.errors import Cancelled
from services.storage.domain.formats import ImageFormat
from services.storage.domain.inspect import check_upload_head, inspect_file, inspect_header, inspect_image
from services.storage.domain.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from services.storage.domain.verify import verify_decodable

from .samples import (
    FORMATS,
    bmp_core_header,
    chelsea,
    encode,
    gif_with_frame,
    minimal_tiff,
    png_header_only,
    sample,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_images_are_described(fmt: str) -> None:
    data = sample(fmt)
    info = inspect_image(data)
    assert (info.width, info.height, info.size_bytes) == (451, 300, len(data))
    assert info.content_type == info.format.content_type
    assert info.format.name == fmt


@pytest.mark.parametrize("order", ["<", ">"])
def test_hand_made_tiff_and_bmp_pass(order: str) -> None:
    assert inspect_image(minimal_tiff(9, 4, order)).format is ImageFormat.TIFF
    assert (inspect_image(bmp_core_header(10, 6)).width, 6) == (10, 6)


def test_defaults() -> None:
    assert ImageLimits() == ImageLimits(25 * 1024 * 1024, 50_000_000)
    assert (DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS) == (26_214_400, 50_000_000)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_limits_are_validated(bad: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        ImageLimits(max_bytes=bad)  # type: ignore[arg-type]
    assert caught.value.reason == "INVALID_LIMITS"


def test_empty_body() -> None:
    with pytest.raises(InvalidArgument) as caught:
        inspect_image(b"")
    assert caught.value.reason == "EMPTY_BODY"
    with pytest.raises(InvalidArgument):
        check_upload_head(b"")


@pytest.mark.parametrize(
    "body",
    [
        b"just text",
        b"%PDF-1.4\n" + b"x" * 100,
        b"<html></html>",
        b"\x00" * 64,
        np.arange(256, dtype=np.uint8).tobytes(),
    ],
)
def test_non_images_are_unsupported(body: bytes) -> None:
    with pytest.raises(InvalidArgument) as caught:
        inspect_image(body)
    assert caught.value.reason == "UNSUPPORTED_MEDIA_TYPE"
    assert "PNG, JPEG" in caught.value.message


def test_byte_limit_is_checked_before_anything_else() -> None:
    data = sample("PNG")
    inspect_image(data, ImageLimits(max_bytes=len(data)))
    with pytest.raises(ResourceExhausted) as caught:
        inspect_image(data, ImageLimits(max_bytes=len(data) - 1))
    assert caught.value.reason == "IMAGE_TOO_LARGE"
    with pytest.raises(ResourceExhausted):
        inspect_image(b"not even an image", ImageLimits(max_bytes=4))


def test_pixel_limit_is_inclusive() -> None:
    data = sample("JPEG")
    inspect_image(data, ImageLimits(max_pixels=451 * 300))
    with pytest.raises(ResourceExhausted) as caught:
        inspect_image(data, ImageLimits(max_pixels=451 * 300 - 1))
    assert caught.value.reason == "TOO_MANY_PIXELS"
    assert caught.value.metadata["width"] == "451"


@pytest.mark.parametrize(
    "bomb",
    [png_header_only(100_000, 100_000), minimal_tiff(3, 3, ">")],
    ids=["png-100k-square", "tiff-patched"],
)
def test_pixel_bombs_are_refused_before_decoding(bomb: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    if bomb.startswith(b"MM"):  # patch the TIFF's SHORT width/height to 65535 x 65535
        bomb = bomb[:18] + b"\xff\xff" + bomb[20:30] + b"\xff\xff" + bomb[32:]

    def must_not_decode(*_args: object) -> None:
        raise AssertionError("decoded a pixel bomb")

    monkeypatch.setattr(inspect_module, "verify_decodable", must_not_decode)
    with pytest.raises(ResourceExhausted) as caught:
        inspect_image(bomb)
    assert caught.value.reason == "TOO_MANY_PIXELS"
    with pytest.raises(ResourceExhausted):
        check_upload_head(bomb[:256])


def test_gif_frame_larger_than_its_screen_counts_against_the_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspect_module, "verify_decodable", lambda *_a: pytest.fail("decoded"))
    with pytest.raises(ResourceExhausted) as caught:
        inspect_image(gif_with_frame((1, 1), (9000, 9000)))  # 81 MP hidden behind a 1x1 screen
    assert caught.value.reason == "TOO_MANY_PIXELS"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.5, 0.9, -1, -2, -20])
def test_truncated_images_are_corrupt(fmt: str, keep: float) -> None:
    data = sample(fmt)
    cut = data[: int(len(data) * keep)] if keep > 0 else data[: int(keep)]
    with pytest.raises(InvalidArgument) as caught:
        inspect_image(cut)
    assert caught.value.reason == "CORRUPT_IMAGE"


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_corrupt_bytes_in_checked_formats(fmt: str) -> None:
    data = bytearray(sample(fmt))
    middle = len(data) // 2
    data[middle : middle + 32] = bytes(b ^ 0x5A for b in data[middle : middle + 32])
    with pytest.raises(InvalidArgument) as caught:
        inspect_image(bytes(data))
    assert caught.value.reason == "CORRUPT_IMAGE"


def test_verification_rejects_size_or_format_disagreeing_with_the_header() -> None:
    png = sample("PNG")
    verify_decodable(io.BytesIO(png), ImageFormat.PNG, (451, 300))
    for fmt, size in [(ImageFormat.PNG, (452, 300)), (ImageFormat.JPEG, (451, 300))]:
        with pytest.raises(InvalidArgument) as caught:
            verify_decodable(io.BytesIO(png), fmt, size)
        assert caught.value.reason == "CORRUPT_IMAGE"


def test_public_messages_carry_no_internals() -> None:
    with pytest.raises(InvalidArgument) as caught:
        inspect_image(sample("JPEG")[:1000])
    assert "Traceback" not in caught.value.message and "PIL" not in caught.value.message
    assert caught.value.__cause__ is not None  # the library error stays attached for logs


def test_inspect_file_matches_inspect_image() -> None:
    data = sample("WEBP")
    assert inspect_file(io.BytesIO(data)) == inspect_image(data)
    with pytest.raises(InvalidArgument):
        inspect_file(io.BytesIO(b""))


def test_check_upload_head_fails_fast_and_defers_when_header_is_later() -> None:
    assert check_upload_head(sample("PNG")[:64]) is ImageFormat.PNG
    exif = Image.Exif()
    exif[0x010E] = "x" * 60000
    late_sof = encode(chelsea(), "JPEG", exif=exif.tobytes())
    assert check_upload_head(late_sof[:4096]) is ImageFormat.JPEG  # decided on the whole file later
    with pytest.raises(InvalidArgument):
        check_upload_head(b"GIF? no")


def test_progress_and_cancellation() -> None:
    seen: list[tuple[float, str]] = []
    inspect_image(sample("PNG"), on_progress=lambda f, m: seen.append((f, m)))
    assert [f for f, _ in seen] == sorted(f for f, _ in seen) and seen[-1][0] == 1.0
    assert len(seen) == 7 and all(message for _, message in seen)
    calls = iter([False, False, True])
    with pytest.raises(Cancelled) as caught:
        inspect_image(sample("PNG"), should_stop=lambda: next(calls))
    assert caught.value.status == "CANCELLED"


def test_inspect_header_checks_limits_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspect_module, "verify_decodable", lambda *_a: pytest.fail("decoded"))
    assert inspect_header(sample("JPEG")[:2000]).width == 451  # header only: the cut goes unseen
    with pytest.raises(ResourceExhausted):
        inspect_header(sample("JPEG"), ImageLimits(max_pixels=10))


def test_pillow_bomb_guard_maps_to_too_many_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.storage.domain.thumbnails import make_thumbnail

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # limits configured above Pillow's guard
    for call in (lambda: inspect_image(sample("PNG")), lambda: make_thumbnail(sample("PNG"), 64)):
        with pytest.raises(ResourceExhausted) as caught:
            call()
        assert caught.value.reason == "TOO_MANY_PIXELS"
