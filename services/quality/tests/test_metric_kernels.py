"""The fast forms of the metric kernels equal their plain definitions: noise pooled over a stack of tiles,
blockiness pooled over tiles, MSCN with a separable window, samples gathered once, banded uint8 conversion,
the AGGD moment sums of the C kernel (and of its numpy stand-in)."""

import ctypes
import dataclasses
import math

import cv2
import numpy as np
import pytest
import scipy.ndimage
import skimage.data

from services.quality.domain import parallel, working_image
from services.quality.domain.metrics import colorfulness, natural_scene, noise, sharpness
from services.quality.domain.metrics.blockiness import BLOCK, SOFT_FLOOR, blockiness
from services.quality.domain.metrics.brisque import brisque_score
from services.quality.domain.metrics.natural_scene import gaussian_window, mscn, pair_products, signal_moments
from services.quality.domain.metrics.niqe import niqe_score
from services.quality.domain.metrics.noise import EDGE_EXCLUDED_FRACTION, noise_levels
from services.quality.domain.sampling import stack_rows, strided, tile_rows, tiles
from services.quality.domain.working_image import LUMA_WEIGHTS, to_pixels, to_working_image
from services.quality.tests.images import add_noise, photo

_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)


def plain_noise(gray_tiles, rgb_tiles):
    """Immerkaer with Tai-Yang edge exclusion, tile by tile, written out (channel, luma, rg, yb)."""
    edges, responses = [], []
    for g, t in zip(gray_tiles, rgb_tiles, strict=True):
        gx = cv2.Sobel(g * 255.0, cv2.CV_32F, 1, 0, ksize=3)[1:-1, 1:-1]
        gy = cv2.Sobel(g * 255.0, cv2.CV_32F, 0, 1, ksize=3)[1:-1, 1:-1]
        edges.append((np.abs(gx) + np.abs(gy)).ravel())
        responses.append(cv2.filter2D(t * 255.0, cv2.CV_32F, _IMMERKAER)[1:-1, 1:-1].reshape(-1, 3))
    edge = np.concatenate(edges)
    keep = edge <= np.quantile(edge[::7], 1.0 - EDGE_EXCLUDED_FRACTION)
    r, g, b = np.concatenate(responses)[keep].astype(np.float64).T
    wr, wg, wb = LUMA_WEIGHTS

    def sigma(values):
        return float(np.mean(np.abs(values))) * math.sqrt(math.pi / 2.0) / 6.0

    return (
        sigma((np.abs(r) + np.abs(g) + np.abs(b)) / 3.0),
        sigma(wr * r + wg * g + wb * b),
        sigma(r - g),
        sigma(0.5 * (r + g) - b),
    )


def plain_blockiness(gray_tiles):
    def direction(diffs):
        sums, counts = np.zeros(BLOCK), np.zeros(BLOCK)
        for d in diffs:
            for p in range(BLOCK):
                sums[p] += d[:, p::BLOCK].sum()
                counts[p] += d[:, p::BLOCK].size
        means = sums / counts
        best = int(np.argmax(means))
        others = np.delete(means, best).mean()
        return (means[best] - others) / (others + SOFT_FLOOR)

    horiz = [np.abs(np.diff(t.astype(np.float64), axis=1)) for t in gray_tiles]
    vert = [np.abs(np.diff(t.astype(np.float64), axis=0)).T for t in gray_tiles]
    return max(0.0, 0.5 * (direction(horiz) + direction(vert)))


def jpeg(img, quality):
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


@pytest.mark.parametrize(("name", "sigma"), [("astronaut", 0.0), ("astronaut", 10.0), ("coffee", 25.0)])
def test_noise_on_a_stack_of_tiles_equals_the_tile_by_tile_definition(name, sigma):
    image = to_working_image(add_noise(photo(name), sigma, seed=1) if sigma else photo(name))
    gray, rgb = tiles(image.gray, tile=64), tiles(image.rgb, tile=64)
    assert len(gray) == 16
    got = noise_levels(gray, rgb)
    want = plain_noise(gray, rgb)
    assert (got.channel, got.luma, got.rg, got.yb) == pytest.approx(want, rel=2e-3, abs=1e-3)


@pytest.mark.parametrize("gray_only", [False, True])
def test_noise_is_the_same_without_the_native_pooling_pass(monkeypatch, gray_only):
    image = to_working_image(add_noise(photo("coffee"), 9.0, seed=3))
    gray, rgb = tiles(image.gray, tile=64), None if gray_only else tiles(image.rgb, tile=64)
    with_kernel = dataclasses.astuple(noise_levels(gray, rgb))
    monkeypatch.setattr(noise.native, "load", lambda: None)
    assert dataclasses.astuple(noise_levels(gray, rgb)) == pytest.approx(with_kernel, rel=1e-5)


def test_noise_of_tiles_of_different_sizes_is_pooled_like_one_set():
    image = to_working_image(add_noise(photo("chelsea"), 12.0, seed=2))
    boxes = [(slice(0, 100), slice(0, 80)), (slice(120, 250), slice(200, 400)), (slice(10, 60), slice(300, 350))]
    gray = [image.gray[r, c] for r, c in boxes]
    rgb = [image.rgb[r, c] for r, c in boxes]
    got = noise_levels(gray, rgb)
    assert (got.channel, got.luma, got.rg, got.yb) == pytest.approx(plain_noise(gray, rgb), rel=2e-3)


@pytest.mark.parametrize("quality", [20, 60, 95])
def test_blockiness_pooled_over_tiles_equals_the_plain_definition(quality):
    gray = to_working_image(jpeg(photo("camera"), quality)).gray
    same_size = tiles(gray, tile=96)
    mixed = [gray[:100, :77], gray[100:164, :300], gray[200:400, 200:500]]
    for group in (same_size, mixed, [gray]):
        assert blockiness(group) == pytest.approx(plain_blockiness(group), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("zero_border", [True, False])
def test_separable_mscn_equals_the_2d_window(monkeypatch, zero_border):
    image = to_working_image(photo("camera")).gray.astype(np.float64)
    # scipy's float64 window (OpenCV's filter2D rounds the 2-D kernel to float32: flat areas then read ~1e-8)
    mode = "constant" if zero_border else "nearest"
    mu = scipy.ndimage.correlate(image, gaussian_window(), mode=mode)
    var = scipy.ndimage.correlate(image * image, gaussian_window(), mode=mode) - mu * mu
    sigma = np.sqrt(np.abs(var))
    # windows flat to float32 rounding (and a few balanced to within 1e-4 of an 8-bit step) are 0 (natural_scene.FLAT)
    flat = np.abs(image - mu) <= natural_scene.FLAT * np.abs(image)
    want = np.where(flat, 0.0, (image - mu) / (sigma + 1.0 / 255.0))
    assert np.count_nonzero(flat & (np.abs(image - mu) > 1e-12)) < 1e-3 * image.size
    coeffs, local_std = mscn(image, 1.0 / 255.0, zero_border=zero_border)  # the C kernel: float32 maps
    np.testing.assert_allclose(local_std, sigma, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(coeffs, want, rtol=1e-6, atol=1e-6)
    monkeypatch.setattr(natural_scene.native, "load", lambda: None)
    coeffs, local_std = mscn(image, 1.0 / 255.0, zero_border=zero_border)  # OpenCV's float64 filters
    np.testing.assert_allclose(local_std, sigma, atol=1e-9)
    np.testing.assert_allclose(coeffs, want, atol=1e-9)


@pytest.mark.parametrize("zero_border", [True, False])
@pytest.mark.parametrize("shape", [(576, 768), (288, 384), (37, 9), (5, 3), (100, 1), (1, 1)])
def test_the_mscn_kernel_equals_opencvs_float64_form(monkeypatch, shape, zero_border):
    """mscn.c (one pass, double precision, float32 maps) against OpenCV's float64 filters: the same maps to float32
    rounding, any size, both borders."""
    assert natural_scene.native.load() is not None, "the C kernels are not built: run `make setup`"
    gray = natural_scene.analysis_scale(to_working_image(photo("astronaut")).gray)
    image = np.ascontiguousarray(gray[: shape[0], : shape[1]]) * np.float32(255.0)
    ours, ours_std = mscn(image, 1.0, zero_border=zero_border)
    monkeypatch.setattr(natural_scene.native, "load", lambda: None)
    theirs, theirs_std = mscn(image, 1.0, zero_border=zero_border)
    assert ours.shape == ours_std.shape == image.shape and ours.dtype == ours_std.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    # a flat window's std is the root of a rounding-sized difference: sqrt(2.2e-16) x 255 = 4e-6 either way
    np.testing.assert_allclose(ours_std, theirs_std, rtol=1e-6, atol=1e-5)


def test_a_flat_window_has_coefficients_of_exactly_zero(monkeypatch):
    """Where the window is flat, I - mu is 0: what a summation order leaves there is rounding, which NIQE's
    per-block fits would describe (a JPEG at quality 10 has flat 8x8 blocks). Both forms give 0 - also where the
    float32 image is flat only to its own rounding - and the same NIQE and BRISQUE on such a JPEG."""
    image = np.full((64, 80), 0.37, dtype=np.float32)
    image[20:30, 40:50] = 0.8
    flat = np.ones(image.shape, dtype=bool)
    flat[20 - 3 : 30 + 3, 40 - 3 : 50 + 3] = False  # the windows that see the square
    flat[:3] = flat[-3:] = flat[:, :3] = flat[:, -3:] = False  # and those that see the border (zeros for BRISQUE)
    moon = to_working_image(jpeg(skimage.data.moon(), 10)).gray
    scores = []
    for native_on in (True, False):
        if not native_on:
            monkeypatch.setattr(natural_scene.native, "load", lambda: None)
        coeffs, _ = mscn(image, 1.0 / 255.0, zero_border=True)
        assert np.all(coeffs[flat] == 0.0) and np.count_nonzero(coeffs[~flat]) > 0.9 * np.count_nonzero(~flat)
        coeffs, _ = mscn(image, 1.0 / 255.0, zero_border=False)
        inner = np.ones(image.shape, dtype=bool)
        inner[20 - 3 : 30 + 3, 40 - 3 : 50 + 3] = False
        assert np.all(coeffs[inner] == 0.0)  # replicated edges are flat too
        # a flat 2 MP region downscaled to the analysis scale is flat only to float32 rounding (a few steps apart)
        downscaled = natural_scene.analysis_scale(np.full((1225, 1633), 0.7137255, dtype=np.float32))
        assert np.unique(downscaled).size > 1
        coeffs, _ = mscn(downscaled * np.float32(255.0), 1.0, zero_border=False)
        assert np.all(coeffs == 0.0)
        scores.append((niqe_score(moon), brisque_score(moon)))
    np.testing.assert_allclose(scores[0], scores[1], rtol=1e-4)


def test_the_strided_samples_are_gathered_once_and_contiguous():
    image = to_working_image(photo("astronaut"))
    big = to_working_image(cv2.resize(photo("astronaut"), (1200, 1000)))
    for img in (image, big):
        assert np.array_equal(img.rgb_sample, strided(img.rgb)) and img.rgb_sample.flags.c_contiguous
        assert np.array_equal(img.gray_sample, strided(img.gray)) and img.gray_sample.flags.c_contiguous
        assert img.rgb_sample is img.rgb_sample
    assert big.rgb_sample.shape[0] < big.height


def test_banded_uint8_conversion_equals_the_whole_image(monkeypatch):
    rgb = np.random.default_rng(3).uniform(-0.2, 1.2, (301, 200, 3)).astype(np.float32)
    whole = to_pixels(rgb, None, is_grayscale=False, bit_depth=8)
    monkeypatch.setattr(parallel, "WORKERS", 3)
    monkeypatch.setattr(parallel, "BAND_MIN_ROWS", 64)
    banded = to_pixels(rgb, None, is_grayscale=False, bit_depth=8)
    assert np.array_equal(banded, whole)
    assert np.array_equal(whole, np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8))


@pytest.mark.parametrize("shape", [(301, 200, 3), (7, 5), (1, 1, 3)])
def test_uint8_conversion_kernel_gives_opencvs_bytes(shape, monkeypatch):
    """Rounding to nearest, ties to even, saturation, NaN -> 0: the same bytes as convertScaleAbs(max(x, 0))."""
    values = np.random.default_rng(9).uniform(-0.2, 1.2, shape).astype(np.float32)
    special = np.array([np.nan, -0.0, 0.5, 1.5, 2.5, 253.5, 254.5, 255.0, 300.0, -1.0], dtype=np.float32) / 255
    values.ravel()[: min(values.size, special.size)] = special[: values.size]
    values.ravel()[-3:] = np.array([np.inf, 300.0, np.nan], dtype=np.float32)[-min(3, values.size) :]  # the tail loop
    fast = working_image._to_uint8(values)
    monkeypatch.setattr(working_image.native, "load", lambda: None)
    assert np.array_equal(fast, working_image._to_uint8(values))


def plain_moments(values: np.ndarray) -> np.ndarray:
    """The five sums of an AGGD fit, written out in float64."""
    v = values.astype(np.float64).ravel()
    neg = np.minimum(v, 0.0)
    return np.array([v @ v, neg @ neg, np.abs(v).sum(), (v < 0).sum(), (v > 0).sum()])


@pytest.mark.parametrize("shape", [(57, 83), (96, 96), (1, 7), (7, 1)])
def test_whole_map_moments_equal_the_plain_sums_over_each_product(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    c = rng.normal(0, 1, shape).astype(np.float32)
    c[rng.random(shape) < 0.05] = 0.0  # zeros: neither left nor right
    want = np.stack([plain_moments(c), *(plain_moments(p) for p in pair_products(c))])
    np.testing.assert_allclose(signal_moments(c)[0], want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(("shape", "size", "step"), [((96, 192), 48, 48), ((100, 130), 32, 8), ((64, 64), 64, 64)])
def test_block_moments_equal_the_plain_sums_with_zero_padded_products(shape, size, step) -> None:
    rng = np.random.default_rng(size + step)
    c = rng.normal(0, 1, shape).astype(np.float32)
    h, w = shape
    padded = []
    for p in pair_products(c):
        z = np.zeros(shape, np.float64)
        z[: p.shape[0], : p.shape[1]] = p
        padded.append(z)
    want = []
    for y in range(0, h - size + 1, step):
        for x in range(0, w - size + 1, step):
            window = (slice(y, y + size), slice(x, x + size))
            want.append([plain_moments(c[window]), *(plain_moments(z[window]) for z in padded)])
    got = signal_moments(c, size, step)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-5, atol=1e-4)


def test_brisque_and_niqe_scores_are_the_same_without_the_native_kernels(monkeypatch) -> None:
    gray = to_working_image(add_noise(photo("astronaut"), 8.0)).gray
    with_kernels = brisque_score(gray), niqe_score(gray)
    monkeypatch.setattr(natural_scene.native, "load", lambda: None)
    without = brisque_score(gray), niqe_score(gray)
    np.testing.assert_allclose(with_kernels, without, rtol=1e-4)


def test_sharpness_of_a_stack_of_tiles_equals_the_tile_by_tile_responses():
    image = to_working_image(add_noise(photo("astronaut"), 6.0, seed=4))
    gray = tiles(image.gray, tile=64)
    margin = sharpness._MARGIN
    stacked = sharpness._kept_responses(list(gray))
    one_by_one = [sharpness._response(np.ascontiguousarray(t))[margin:-margin, margin:-margin] for t in gray]
    assert len(stacked) == len(one_by_one) == 16
    assert all(np.array_equal(a, b) for a, b in zip(stacked, one_by_one, strict=True))


@pytest.mark.parametrize(("tile_h", "tile_w", "count"), [(128, 128, 16), (37, 40, 3), (9, 37, 1), (12, 9, 5)])
def test_the_sharpness_kernel_equals_opencvs_filters(monkeypatch, tile_h, tile_w, count):
    """log_sums.c (blur, Laplacian and sums in one pass per tile, read where it lies) against the stacked OpenCV form:
    the same detail energy to float rounding, for tiles down to one kept pixel across."""
    assert sharpness.native.load() is not None, "the C kernels are not built: run `make setup`"
    gray = to_working_image(add_noise(photo("astronaut"), 4.0)).gray
    views = [gray[i * 30 : i * 30 + tile_h, i * 11 : i * 11 + tile_w] for i in range(count)]  # views, not copies
    ours = sharpness.detail_energy(views)
    monkeypatch.setattr(sharpness.native, "load", lambda: None)
    assert ours == pytest.approx(sharpness.detail_energy(views), rel=1e-5)
    assert ours > 0.0


@pytest.mark.parametrize(("tile_h", "tile_w", "count"), [(64, 64, 16), (37, 40, 3), (9, 37, 1), (3, 3, 5)])
def test_the_noise_kernel_takes_numpys_edge_threshold(tile_h, tile_w, count):
    """The kernel's sample of edge strengths (every 7th inside pixel, in pooled order) and its quantile are
    numpy's: the threshold equals np.quantile over the same values, for any tile width."""
    lib = noise.native.load()
    assert lib is not None, "the C kernels are not built: run `make setup`"
    rng = np.random.default_rng(tile_h * tile_w)
    gray = rng.random((tile_h * count, tile_w), dtype=np.float32)
    edge = noise._edge_strength(gray)
    pooled = edge.reshape(count, tile_h, tile_w)[:, 1:-1, 1:-1].ravel()
    want = np.quantile(pooled[:: noise.EDGE_SAMPLE_STEP], 1.0 - EDGE_EXCLUDED_FRACTION)
    sums, threshold = np.zeros(4), ctypes.c_float()
    rows, stride = tile_rows([gray[i * tile_h : (i + 1) * tile_h] for i in range(count)], 1)
    kept = lib.noise_tile_sums(
        rows, rows, count, tile_h, tile_w, stride, stride, 1, noise.EDGE_SAMPLE_STEP,
        1.0 - EDGE_EXCLUDED_FRACTION, noise._LUMA.ctypes.data, sums.ctypes.data, ctypes.byref(threshold),
    )  # fmt: skip
    assert threshold.value == pytest.approx(want, rel=1e-6)
    assert kept == np.count_nonzero(pooled <= threshold.value)


@pytest.mark.parametrize("shape", [(1225, 1633), (3000, 4000), (769, 577), (800, 800), (1536, 1000)])
def test_analysis_scale_equals_opencvs_area_resize(shape):
    """The kernel's vertical-first area average has OpenCV's INTER_AREA weights: the same image to float rounding
    (non-integer factors, a factor of exactly 2, a 1-pixel shrink)."""
    assert natural_scene.native.load() is not None, "the C kernels are not built: run `make setup`"
    gray = np.random.default_rng(sum(shape)).random(shape, dtype=np.float32)
    ours = natural_scene.analysis_scale(gray)
    h, w = shape
    factor = natural_scene.ANALYSIS_LONG_SIDE / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    theirs = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    assert np.array_equal(natural_scene.analysis_scale(gray[:700, :700]), gray[:700, :700])  # small: as it is
    flipped = gray[::-1]  # a negative row stride: OpenCV's path
    np.testing.assert_allclose(natural_scene.analysis_scale(flipped), theirs[::-1], rtol=1e-6, atol=1e-7)


def test_stack_rows_is_a_view_only_of_tiles_lying_back_to_back():
    stack = np.random.default_rng(5).random((64, 10, 3), dtype=np.float32)
    parts = [stack[0:16], stack[16:40], stack[40:64]]
    joined = stack_rows(parts)
    assert np.shares_memory(joined, stack) and np.array_equal(joined, stack)
    for copied in ([stack[0:16], stack[40:64]], [stack[16:40], stack[0:16]], [stack[0:16], stack[16:40].copy()]):
        out = stack_rows(copied)
        assert not np.shares_memory(out, stack) and np.array_equal(out, np.concatenate(copied))
    image = np.random.default_rng(6).random((300, 300), dtype=np.float32)
    image_tiles = tiles(image, tile=64)  # tiles of an image: views, but not back to back
    assert np.array_equal(stack_rows(image_tiles), np.concatenate(image_tiles))


def test_the_noise_kernel_reads_tiles_where_they_lie():
    """Tiles that are views into an image (rows further apart than a tile is wide), the same tiles copied into a
    stack, and tiles whose layout the kernel does not read (a float64 copy) give the same noise levels."""
    image = to_working_image(add_noise(photo("coffee"), 11.0, seed=4))
    gray, rgb = tiles(image.gray, tile=64), tiles(image.rgb, tile=64)
    assert tile_rows(gray, 1) is not None and tile_rows(rgb, 3) is not None  # read in place
    in_place = dataclasses.astuple(noise_levels(gray, rgb))
    stacked = dataclasses.astuple(noise_levels([g.copy() for g in gray], [t.copy() for t in rgb]))
    wide = dataclasses.astuple(noise_levels([g.astype(np.float64) for g in gray], [t.astype(np.float64) for t in rgb]))
    assert in_place == stacked
    assert wide == pytest.approx(in_place, rel=1e-6)
    assert tile_rows([g[::-1] for g in gray], 1) is None  # flipped views are stacked first
    flipped = dataclasses.astuple(noise_levels([g[::-1] for g in gray], [t[::-1] for t in rgb]))
    copied = [np.ascontiguousarray(g[::-1]) for g in gray], [np.ascontiguousarray(t[::-1]) for t in rgb]
    assert flipped == dataclasses.astuple(noise_levels(*copied))


@pytest.mark.parametrize("shape", [(409, 545, 3), (1, 1, 3), (7, 3), (300, 1, 3)])
def test_colourfulness_is_the_same_without_the_kernel(shape, monkeypatch):
    lib = colorfulness.native.load()
    assert lib is not None, "the C kernels are not built: run `make setup`"
    rng = np.random.default_rng(sum(shape))
    rgb = rng.random(shape if len(shape) == 3 else (*shape, 3)).astype(np.float32)
    rgb[::2, ..., 2] = rgb[::2, ..., 0]  # some structure: correlated channels
    fast_stats, plain_stats = colorfulness._opponent_stats_native(lib, rgb), colorfulness._opponent_stats(rgb)
    np.testing.assert_allclose(fast_stats, plain_stats, rtol=1e-9, atol=1e-9)
    fast = colorfulness.colorfulness(rgb, 3.0, 2.0)
    monkeypatch.setattr(colorfulness.native, "load", lambda: None)
    assert fast == pytest.approx(colorfulness.colorfulness(rgb, 3.0, 2.0), rel=1e-9)
