"""Thumbnails: size validation, aspect, EXIF orientation, alpha handling, similarity to a reference."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import structural_similarity

from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from services.storage.domain.errors import Cancelled
from services.storage.domain.limits import ImageLimits
from services.storage.domain.thumbnails import make_thumbnail, validate_thumbnail_size

from .samples import FORMATS, chelsea, decode, encode, jpeg_with_orientation, png_header_only, sample


def reference(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.LANCZOS))


def ssim_rgb(a: np.ndarray, b: np.ndarray) -> float:
    return structural_similarity(a, b, channel_axis=2, data_range=255)


@pytest.mark.parametrize("size", [16, 64, 256])
def test_aspect_is_kept_and_box_respected(size: int) -> None:
    thumb = make_thumbnail(sample("PNG"), size)
    assert max(thumb.width, thumb.height) == size
    assert abs(thumb.width / thumb.height - 451 / 300) < 2 / min(thumb.width, thumb.height)
    assert decode(thumb.data).size == (thumb.width, thumb.height)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_a_faithful_jpeg(fmt: str) -> None:
    thumb = make_thumbnail(sample(fmt), 128)
    assert thumb.content_type == "image/jpeg" and thumb.data[:3] == b"\xff\xd8\xff"
    got = np.asarray(decode(thumb.data).convert("RGB"))
    expected = reference(chelsea(), (thumb.width, thumb.height))
    assert ssim_rgb(got, expected) > (0.6 if fmt == "GIF" else 0.8)  # GIF is palette-quantised


def test_small_images_are_not_upscaled() -> None:
    thumb = make_thumbnail(encode(chelsea()[:40, :30], "PNG"), 256)
    assert (thumb.width, thumb.height) == (30, 40)


@pytest.mark.parametrize(("orientation", "turn"), [(1, 0), (3, 2), (6, -1), (8, 1)])
def test_exif_orientation_is_applied(orientation: int, turn: int) -> None:
    thumb = make_thumbnail(jpeg_with_orientation(chelsea(), orientation), 200)
    upright = np.rot90(chelsea(), turn)  # what a viewer shows
    assert max(thumb.width, thumb.height) == 200
    assert (thumb.width > thumb.height) == (upright.shape[1] > upright.shape[0])
    got = np.asarray(decode(thumb.data).convert("RGB"))
    assert ssim_rgb(got, reference(np.ascontiguousarray(upright), (thumb.width, thumb.height))) > 0.8


def test_portrait_orientation_swaps_the_box() -> None:
    thumb = make_thumbnail(jpeg_with_orientation(chelsea(), 6), 150)
    assert thumb.height == 150 and thumb.width < thumb.height


def test_used_alpha_gives_png_with_alpha() -> None:
    alpha = np.zeros(chelsea().shape[:2], np.uint8)
    alpha[50:250, 100:350] = 255
    thumb = make_thumbnail(encode(np.dstack([chelsea(), alpha]), "PNG"), 100)
    assert thumb.content_type == "image/png"
    image = decode(thumb.data)
    assert image.mode == "RGBA"
    a = np.asarray(image)[:, :, 3]
    assert a[0, 0] == 0 and a[thumb.height // 2, thumb.width // 2] == 255


def test_opaque_alpha_gives_jpeg() -> None:
    rgba = np.dstack([chelsea(), np.full(chelsea().shape[:2], 255, np.uint8)])
    assert make_thumbnail(encode(rgba, "PNG"), 64).content_type == "image/jpeg"


def test_palette_gif_with_transparency_keeps_it() -> None:
    image = Image.fromarray(chelsea()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    pixels = np.asarray(image).copy()
    pixels[:100, :] = 0
    image = Image.fromarray(pixels, mode="P")
    image.putpalette(Image.fromarray(chelsea()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).getpalette())
    thumb = make_thumbnail(encode(image, "GIF", transparency=0), 90)
    assert thumb.content_type == "image/png"
    assert np.asarray(decode(thumb.data))[0, 0, 3] == 0


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256), (64, 1)).astype(np.uint16)
    thumb = make_thumbnail(encode(Image.fromarray(ramp), "PNG"), 128)
    grey = np.asarray(decode(thumb.data).convert("L")).astype(int)
    assert grey[:, 0].mean() < 10 and grey[:, -1].mean() > 245
    assert 100 < grey[:, grey.shape[1] // 2].mean() < 155


def test_cmyk_jpeg_becomes_rgb() -> None:
    cmyk = Image.fromarray(chelsea()).convert("CMYK")
    thumb = make_thumbnail(encode(cmyk, "JPEG"), 64)
    got = np.asarray(decode(thumb.data).convert("RGB"))
    assert ssim_rgb(got, reference(chelsea(), (thumb.width, thumb.height))) > 0.7


@pytest.mark.parametrize("bad", [0, 15, 1025, -5, 2.5, True, "256", None])
def test_size_is_validated(bad: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        make_thumbnail(sample("PNG"), bad)  # type: ignore[arg-type]
    assert caught.value.reason == "INVALID_THUMBNAIL_SIZE"
    assert caught.value.violations[0].field == "size"
    assert validate_thumbnail_size(16) == 16 and validate_thumbnail_size(1024) == 1024


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        make_thumbnail(b"", 64)
    with pytest.raises(InvalidArgument):
        make_thumbnail(sample("JPEG")[:500], 64)
    with pytest.raises(ResourceExhausted):
        make_thumbnail(png_header_only(100_000, 100_000), 64)
    with pytest.raises(ResourceExhausted):
        make_thumbnail(sample("PNG"), 64, ImageLimits(max_pixels=1000))


def test_progress_and_cancel() -> None:
    fractions: list[float] = []
    make_thumbnail(sample("JPEG"), 64, on_progress=lambda f, _m: fractions.append(f))
    assert fractions[-1] == 1.0 and len(fractions) == 6
    with pytest.raises(Cancelled):
        make_thumbnail(sample("JPEG"), 64, should_stop=lambda: True)


def test_rgb_colour_key_transparency_is_kept() -> None:
    array = chelsea().copy()
    array[:60] = (1, 2, 3)
    thumb = make_thumbnail(encode(array, "PNG", transparency=(1, 2, 3)), 90)
    assert thumb.content_type == "image/png"
    pixels = np.asarray(decode(thumb.data).convert("RGBA"))
    assert pixels[0, 0, 3] == 0 and pixels[-1, -1, 3] == 255


def test_grey_with_unused_alpha_and_bilevel_images_become_grey_jpeg() -> None:
    grey = chelsea()[:, :, 1]
    la = Image.fromarray(np.dstack([grey, np.full_like(grey, 255)]), mode="LA")
    for image in (la, Image.fromarray(grey).convert("1")):
        thumb = make_thumbnail(encode(image, "PNG"), 64)
        assert thumb.content_type == "image/jpeg"
        assert decode(thumb.data).mode == "L"
