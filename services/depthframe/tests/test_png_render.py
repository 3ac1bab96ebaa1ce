"""PNG frames and strips: decodable, right sizes, exact colors."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from imagemesh_kit.errors import InvalidArgument
from services.depthframe.domain import (
    Cancelled,
    ColorScale,
    apply_colormap,
    decode_png_rgb,
    encode_png_rgb,
    render_frames,
    render_strip,
    resize_rows,
    resolve_colormap,
    select_rows,
)

ROWS = resize_rows(data.camera()[:300], 150)
DEPTHS = 500.0 + np.arange(300) / 10
SCALE = ColorScale.from_pixels(ROWS)
MAGMA = resolve_colormap("magma")


def test_strip_decodes_to_the_right_size_and_colors():
    png = render_strip(ROWS, MAGMA, SCALE)
    assert png.startswith(b"\x89PNG")
    decoded = decode_png_rgb(png)
    assert decoded.shape == (300, 150, 3)
    assert np.array_equal(decoded, apply_colormap(ROWS, MAGMA, SCALE))


def test_strip_of_a_range_with_taller_rows():
    rows = ROWS[select_rows(DEPTHS, 501.0, 502.0)]
    decoded = decode_png_rgb(render_strip(rows, MAGMA, SCALE, row_height=3))
    assert decoded.shape == (33, 150, 3)
    assert np.array_equal(decoded[::3], apply_colormap(rows, MAGMA, SCALE))


def test_frames_one_per_row_in_order():
    frames = render_frames(DEPTHS[:20], ROWS[:20], MAGMA, SCALE)
    assert [f.depth for f in frames] == DEPTHS[:20].tolist()
    for frame, row in zip(frames, ROWS[:20], strict=True):
        assert (frame.width, frame.height) == (150, 1)
        assert np.array_equal(decode_png_rgb(frame.png)[0], apply_colormap(row, MAGMA, SCALE))


def test_frame_height_repeats_the_row():
    frame = render_frames(DEPTHS[:1], ROWS[:1], MAGMA, SCALE, frame_height=8)[0]
    decoded = decode_png_rgb(frame.png)
    assert decoded.shape == (8, 150, 3) and frame.height == 8
    assert np.all(decoded == decoded[0])


def test_empty_range_gives_no_frames_and_no_strip():
    assert render_frames(DEPTHS[:0], ROWS[:0], MAGMA, SCALE) == []
    with pytest.raises(InvalidArgument) as caught:
        render_strip(ROWS[:0], MAGMA, SCALE)
    assert caught.value.reason == "EMPTY_DEPTH_RANGE"


def test_frames_progress_and_stop():
    seen = []
    render_frames(DEPTHS, ROWS, MAGMA, SCALE, on_progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        render_frames(DEPTHS, ROWS, MAGMA, SCALE, should_stop=lambda: True)


@pytest.mark.parametrize("height", [0, 65, 2.0])
def test_bad_heights(height):
    with pytest.raises(InvalidArgument):
        render_strip(ROWS, MAGMA, SCALE, row_height=height)
    with pytest.raises(InvalidArgument):
        render_frames(DEPTHS[:2], ROWS[:2], MAGMA, SCALE, frame_height=height)


def test_rgb_encoder_round_trips_a_real_image():
    image = data.astronaut()
    assert np.array_equal(decode_png_rgb(encode_png_rgb(image)), image)


def test_mismatched_inputs_are_rejected():
    with pytest.raises(InvalidArgument):
        render_frames(DEPTHS[:5], ROWS[:4], MAGMA, SCALE)
    with pytest.raises(InvalidArgument):
        encode_png_rgb(np.zeros((4, 4), np.uint8))
    with pytest.raises(InvalidArgument):
        decode_png_rgb(b"not a png")
