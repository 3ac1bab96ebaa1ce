"""render_sketch as a job worker uses it: progress, cancellation, input layouts, params and known answers."""

import itertools

import cv2
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from services.sketch.domain import Method, SketchCancelled, Style, pipeline_steps, render_sketch, variant

from .images import photo

COMBOS = [(s, m) for s in Style for m in Method]


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_progress_is_monotonic_from_0_to_1(style, method):
    seen: list[tuple[float, str]] = []
    render_sketch(photo("coffee", 64), style, method, on_progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(b > a for a, b in itertools.pairwise(fractions))
    assert len(seen) == len(pipeline_steps(style, method)) + 1
    assert all(isinstance(m, str) and m for _, m in seen)
    assert seen[-1][1] == "done"


@pytest.mark.parametrize("stop_after", [0, 1, 2])
def test_should_stop_is_honoured_between_steps(stop_after):
    progress: list[float] = []
    checks = {"n": 0}

    def should_stop() -> bool:
        checks["n"] += 1
        return checks["n"] > stop_after

    with pytest.raises(SketchCancelled) as info:
        render_sketch(photo(), "OIL", "ARTISTIC", on_progress=lambda f, m: progress.append(f), should_stop=should_stop)
    assert info.value.status == "CANCELLED" and info.value.reason == "SKETCH_CANCELLED"
    assert len(progress) == 1 + stop_after  # 0.0, then one report per step that ran
    assert progress[-1] < 1.0
    assert info.value.metadata["step"]


def test_should_stop_false_runs_to_completion():
    out = render_sketch(photo(), "PENCIL", "BASIC", should_stop=lambda: False)
    assert out.shape == photo().shape


@pytest.mark.parametrize(
    ("style", "method"),
    [(Style.PENCIL, Method.BASIC), (Style.OIL, Method.ARTISTIC), (Style.WATERCOLOR, Method.ADVANCED)],
)
def test_grey_inputs_give_rgb_of_the_same_size(style, method):
    grey = photo("camera", 128)  # a real greyscale photograph (H x W)
    assert grey.ndim == 2
    for image in (grey, grey[..., None]):
        out = render_sketch(image, style, method)
        assert out.shape == (*grey.shape, 3) and out.dtype == np.uint8
    rgb = render_sketch(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB), style, method)
    np.testing.assert_array_equal(render_sketch(grey, style, method), rgb)


def test_rgba_keeps_alpha_and_transparent_areas_are_blank_paper():
    rgb = photo("astronaut", 128)
    alpha = np.zeros(rgb.shape[:2], np.uint8)
    alpha[:, 64:] = 255
    rgba = np.dstack([rgb, alpha])
    out = render_sketch(rgba, "PENCIL", "BASIC", {"paper_grain": 0})
    assert out.shape == (128, 128, 4)
    np.testing.assert_array_equal(out[..., 3], alpha)
    assert out[8:120, :50, :3].mean() > 245  # transparent half: white paper, nothing drawn
    assert out[8:120, 70:, :3].mean() < out[8:120, :50, :3].mean() - 20


def test_seed_changes_the_texture_not_the_picture():
    img = photo("astronaut", 160)
    a = render_sketch(img, "CHARCOAL", "BASIC", {"seed": 1})
    b = render_sketch(img, "CHARCOAL", "BASIC", {"seed": 2})
    assert not np.array_equal(a, b)
    assert (
        structural_similarity(
            cv2.GaussianBlur(a, (0, 0), 2), cv2.GaussianBlur(b, (0, 0), 2), channel_axis=2, data_range=255
        )
        > 0.8
    )


def test_darkness_param_darkens_pencil():
    img = photo("coffee", 128)
    light = render_sketch(img, "PENCIL", "BASIC", {"darkness": 0.5}).mean()
    dark = render_sketch(img, "PENCIL", "BASIC", {"darkness": 2.5}).mean()
    assert dark < light - 10


def test_ink_shadow_threshold_fills_more_black():
    img = photo("coffee", 128)

    def black(t):
        return (render_sketch(img, "INK", "BASIC", {"shadow_threshold": t}) < 40).mean()

    assert black(0.5) > black(0.05) + 0.1


def test_blank_white_page_stays_paper_for_every_style_except_on_black_paper():
    white = np.full((96, 96, 3), 255, np.uint8)
    for style, method in COMBOS:
        out = render_sketch(white, style, method)
        if (style, method) == (Style.PASTEL, Method.ARTISTIC):
            assert out.mean() > 150  # white chalk over the whole black sheet
        else:
            assert out.mean() > 170, (style, method, out.mean())


def test_black_square_on_white_is_drawn_dark_inside_and_light_outside():
    img = np.full((128, 128, 3), 255, np.uint8)
    img[40:88, 40:88] = 0
    for style, method in [
        (Style.PENCIL, Method.BASIC),
        (Style.INK, Method.BASIC),
        (Style.CHARCOAL, Method.ADVANCED),
        (Style.OIL, Method.BASIC),
    ]:
        out = render_sketch(img, style, method).astype(np.float32)
        inside, outside = out[52:76, 52:76].mean(), out[:24].mean()
        assert outside - inside > 100, (style, method, inside, outside)


def test_ink_basic_outlines_a_grey_disc():
    img = np.full((128, 128, 3), 255, np.uint8)
    cv2.circle(img, (64, 64), 36, (150, 150, 150), -1)
    out = render_sketch(img, "INK", "BASIC", {"shadow_threshold": 0.1})[..., 0]
    ring = np.zeros((128, 128), np.uint8)
    cv2.circle(ring, (64, 64), 36, 255, 5)
    dark = out < 128
    assert dark[ring > 0].mean() > 0.1  # a dark (1-px) contour on the disc's edge...
    assert dark[ring == 0].mean() < 0.01  # ...and nowhere else: the light-grey flat stays paper


def test_big_pictures_are_drawn_at_the_detail_cap_and_enlarged():
    img = photo("astronaut", 256)
    capped = render_sketch(img, "WATERCOLOR", "BASIC", detail_max_pixels=128 * 128)
    assert capped.shape == img.shape and capped.dtype == np.uint8
    small = render_sketch(cv2.resize(img, (128, 128), interpolation=cv2.INTER_AREA), "WATERCOLOR", "BASIC")
    enlarged = cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC)
    np.testing.assert_array_equal(capped, enlarged)


def test_pencil_basic_is_always_drawn_at_full_size():
    img = photo("astronaut", 256)
    full = render_sketch(img, "PENCIL", "BASIC")
    np.testing.assert_array_equal(render_sketch(img, "PENCIL", "BASIC", detail_max_pixels=128 * 128), full)


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_smallest_and_thin_images_work(style, method):
    tiny = photo("coffee", 16)[:, :16]
    strip = cv2.resize(photo("coffee", 64), (600, 16), interpolation=cv2.INTER_AREA)
    for image in (tiny, strip, np.ascontiguousarray(strip.transpose(1, 0, 2))):
        out = render_sketch(image, style, method)
        assert out.shape == image.shape and out.dtype == np.uint8


def test_views_flipped_and_read_only_inputs_are_accepted():
    img = photo("astronaut", 96)  # read-only
    flipped = img[::-1, ::-1]
    out = render_sketch(flipped, "OIL", "BASIC")
    np.testing.assert_array_equal(out, render_sketch(np.ascontiguousarray(flipped), "OIL", "BASIC"))
    grey_view = np.broadcast_to(np.uint8(128), (64, 64))  # zero strides
    assert render_sketch(grey_view, "INK", "BASIC").shape == (64, 64, 3)


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_extreme_params_render(style, method):
    """Every parameter at its minimum, then at its maximum (seed 2**31-1 included)."""
    img = photo("coffee", 48)
    for pick in ("minimum", "maximum"):
        params = {p.name: getattr(p, pick) for p in variant(style, method).params}
        out = render_sketch(img, style, method, params)
        assert out.shape == img.shape and out.dtype == np.uint8
