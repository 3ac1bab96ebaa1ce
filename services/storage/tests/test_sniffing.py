"""Format sniffing from magic bytes, for every supported format and for things that are not images."""

from __future__ import annotations

import cv2
import pytest

from services.storage.domain.formats import ImageFormat, sniff_format

from .samples import FORMATS, astronaut, minimal_tiff, sample


@pytest.mark.parametrize("fmt", FORMATS)
def test_sniffs_pillow_samples(fmt: str) -> None:
    expected = {
        "PNG": ImageFormat.PNG,
        "JPEG": ImageFormat.JPEG,
        "WEBP": ImageFormat.WEBP,
        "GIF": ImageFormat.GIF,
        "TIFF": ImageFormat.TIFF,
        "BMP": ImageFormat.BMP,
    }[fmt]
    assert sniff_format(sample(fmt)[:16]) is expected


@pytest.mark.parametrize(
    ("ext", "expected"),
    [
        (".png", ImageFormat.PNG),
        (".jpg", ImageFormat.JPEG),
        (".webp", ImageFormat.WEBP),
        (".tiff", ImageFormat.TIFF),
        (".bmp", ImageFormat.BMP),
    ],
)
def test_sniffs_opencv_samples(ext: str, expected: ImageFormat) -> None:
    ok, encoded = cv2.imencode(ext, astronaut()[:, :, ::-1])
    assert ok
    assert sniff_format(encoded.tobytes()) is expected


@pytest.mark.parametrize("order", ["<", ">"])
def test_sniffs_tiff_in_both_byte_orders(order: str) -> None:
    assert sniff_format(minimal_tiff(5, 3, order)) is ImageFormat.TIFF


def test_content_type_and_extension() -> None:
    assert ImageFormat.JPEG.content_type == "image/jpeg"
    assert ImageFormat.PNG.extension == ".png"
    assert {f.content_type for f in ImageFormat} == {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/gif",
        "image/tiff",
        "image/bmp",
    }


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello world, not an image",
        b"%PDF-1.7\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x00\x00\x00\x1cftypheic\x00\x00",  # HEIC
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF but audio
        b"\x89PN",  # cut PNG signature
        b"BM",  # too short to be a BMP
        b"GIF88a",
        b"II+\x00\x10\x00\x00\x00",  # BigTIFF
    ],
)
def test_rejects_non_images(head: bytes) -> None:
    assert sniff_format(head) is None
