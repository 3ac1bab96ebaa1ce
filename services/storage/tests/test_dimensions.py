"""Header dimension readers: known answers from Pillow-made samples and hand-made headers."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imagemesh_kit.errors import InvalidArgument
from services.storage.domain.formats import ImageFormat, sniff_format
from services.storage.domain.headers.dispatch import read_dimensions
from services.storage.domain.headers.source import BytesSource, FileSource

from .samples import FORMATS, bmp_core_header, chelsea, encode, gif_with_frame, minimal_tiff, png_header_only


def dims(data: bytes) -> tuple[int, int]:
    fmt = sniff_format(data[:16])
    assert fmt is not None
    return read_dimensions(fmt, BytesSource(data))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("size", [(1, 1), (451, 300), (37, 1000)])
def test_matches_pillow_for_every_format(fmt: str, size: tuple[int, int]) -> None:
    image = Image.fromarray(chelsea()).resize(size)
    assert dims(encode(image, fmt)) == size


@pytest.mark.parametrize(
    "options",
    [{"lossless": True}, {"quality": 50}, {"lossless": False, "exif": b"Exif\0\0" + b"\0" * 40}],
    ids=["vp8l", "vp8", "vp8x"],
)
def test_webp_variants(options: dict) -> None:
    data = encode(Image.fromarray(chelsea()), "WEBP", **options)
    assert (
        data[12:16]
        == {"vp8l": b"VP8L", "vp8": b"VP8 ", "vp8x": b"VP8X"}[
            "vp8l" if options.get("lossless") else ("vp8x" if "exif" in options else "vp8")
        ]
    )
    assert dims(data) == (451, 300)


def test_webp_with_alpha_uses_canvas_size() -> None:
    rgba = np.dstack([chelsea(), np.full(chelsea().shape[:2], 128, np.uint8)])
    assert dims(encode(rgba, "WEBP", quality=80)) == (451, 300)


def test_jpeg_progressive_and_large_exif_before_frame_header() -> None:
    exif = Image.Exif()
    exif[0x010E] = "x" * 60000  # ImageDescription: a ~60 KB APP1 segment before SOF
    data = encode(chelsea(), "JPEG", progressive=True, exif=exif.tobytes())
    assert data.find(b"\xff\xc2") > 60000  # SOF2 sits after the big segment
    assert dims(data) == (451, 300)


def test_jpeg_grayscale() -> None:
    assert dims(encode(chelsea()[:, :, 0], "JPEG")) == (451, 300)


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("long_dims", [False, True])
def test_tiff_both_byte_orders_short_and_long_tags(order: str, long_dims: bool) -> None:
    data = minimal_tiff(7, 5, order, long_dims)
    assert dims(data) == (7, 5)
    with Image.open(io.BytesIO(data)) as decoded:  # the hand-made file is a real TIFF
        assert decoded.size == (7, 5)


def test_tiff_with_ifd_after_the_pixels() -> None:
    data = encode(Image.fromarray(chelsea()), "TIFF", compression="tiff_lzw")
    assert dims(data) == (451, 300)


def test_bmp_top_down_and_core_header() -> None:
    top_down = bytearray(encode(chelsea(), "BMP"))
    top_down[22:26] = (-300).to_bytes(4, "little", signed=True)
    assert dims(bytes(top_down)) == (451, 300)
    assert dims(bmp_core_header(33, 21)) == (33, 21)


def test_gif_canvas_grows_to_the_first_frame() -> None:
    assert dims(gif_with_frame((1, 1), (9000, 9000))) == (9000, 9000)
    assert dims(gif_with_frame((300, 200), (10, 10))) == (300, 200)
    animated = encode(
        Image.fromarray(chelsea()),
        "GIF",
        save_all=True,
        append_images=[Image.fromarray(chelsea()[::-1])],
        comment=b"x" * 600,
        loop=0,
    )
    assert dims(animated) == (451, 300)


def test_png_bomb_header_is_read_without_decoding() -> None:
    assert dims(png_header_only(100_000, 100_000)) == (100_000, 100_000)


def test_file_source_reads_only_ranges() -> None:
    data = encode(chelsea(), "PNG")
    assert read_dimensions(ImageFormat.PNG, FileSource(io.BytesIO(data))) == (451, 300)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        (ImageFormat.PNG, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00"),  # cut
        (ImageFormat.PNG, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT" + b"\0" * 16),  # IHDR not first
        (ImageFormat.PNG, png_header_only(0, 10)),
        (ImageFormat.JPEG, b"\xff\xd8\xff\xe0\x00\x10JFIF"),  # cut inside APP0
        (ImageFormat.JPEG, b"\xff\xd8\xff\xda\x00\x08" + b"\0" * 8),  # scan before any frame header
        (ImageFormat.JPEG, b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x00\x10" + b"\0" * 12),  # height 0
        (ImageFormat.JPEG, b"\xff\xd8\xff\xe0\x00\x01"),  # segment length < 2
        (ImageFormat.JPEG, b"\xff\xd8\x00\x00"),  # no marker
        (ImageFormat.WEBP, b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
        (ImageFormat.WEBP, b"RIFF\x00\x00\x00\x00WEBPABCD" + b"\0" * 16),
        (ImageFormat.WEBP, b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x00\x00"),  # bad signature
        (ImageFormat.GIF, b"GIF89a\x00\x00\x10\x00"),
        (ImageFormat.GIF, b"GIF89a\x10"),
        (ImageFormat.GIF, b"GIF89a\x10\x00\x10\x00\x00\x00\x00\x99"),  # unknown block
        (ImageFormat.GIF, b"GIF89a\x10\x00\x10\x00\x80\x00\x00\x00"),  # colour table cut
        (ImageFormat.GIF, b"GIF89a\x10\x00\x10\x00\x00\x00\x00\x21\xfe\x05ab"),  # extension cut
        (ImageFormat.TIFF, b"II*\x00\x00\x10\x00\x00"),  # IFD beyond the end
        (ImageFormat.TIFF, b"II*\x00\x04\x00\x00\x00"),  # IFD inside the header
        (ImageFormat.TIFF, minimal_tiff(3, 3, "<")[:8] + b"\x00\x00"),  # zero entries
        (ImageFormat.BMP, b"BM" + b"\0" * 12 + b"\x99\x00\x00\x00" + b"\0" * 8),  # unknown DIB size
        (ImageFormat.BMP, b"BM" + b"\0" * 12 + b"\x28\x00\x00\x00" + b"\0" * 8),  # zero width
    ],
)
def test_malformed_headers_are_corrupt(fmt: ImageFormat, data: bytes) -> None:
    with pytest.raises(InvalidArgument) as caught:
        read_dimensions(fmt, BytesSource(data))
    assert caught.value.reason == "CORRUPT_IMAGE"
    assert caught.value.violations[0].field == "content"


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".tiff", ".bmp"])
def test_opencv_encoded_images_pass_the_whole_pipeline(ext: str) -> None:
    import cv2

    from services.storage.domain.inspect import inspect_image

    ok, encoded = cv2.imencode(ext, np.ascontiguousarray(chelsea()[:123, :77, ::-1]))
    assert ok
    info = inspect_image(encoded.tobytes())
    assert (info.width, info.height) == (77, 123)
    assert info.format.extension.startswith(ext[:4])
