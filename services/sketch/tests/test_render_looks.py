"""Properties of the 21 looks on real photographs: size, determinism, edges kept, pairwise distinct."""

import itertools

import cv2
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from services.sketch.domain import Method, Style, render_sketch

from .images import photo

COMBOS = [(s, m) for s in Style for m in Method]
PHOTOS = ("astronaut", "coffee")


@pytest.fixture(scope="module")
def renders() -> dict[tuple[str, Style, Method], np.ndarray]:
    return {(name, s, m): render_sketch(photo(name, 256), s, m) for name in PHOTOS for s, m in COMBOS}


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_output_has_source_size_and_dtype(renders, style, method):
    for name in PHOTOS:
        out = renders[(name, style, method)]
        assert out.shape == photo(name, 256).shape
        assert out.dtype == np.uint8


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_output_is_not_flat_nor_the_source(renders, style, method):
    out = renders[("astronaut", style, method)]
    assert out.std() > 20
    ssim = structural_similarity(out, photo("astronaut", 256), channel_axis=2, data_range=255)
    assert ssim < 0.9


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_render_is_deterministic(style, method):
    img = photo("chelsea", 96)
    first = render_sketch(img, style, method, {"seed": 7})
    again = render_sketch(img.copy(), style.value.lower(), method.value, {"seed": 7.0})
    np.testing.assert_array_equal(first, again)


def _coarse_edge_correlation(source: np.ndarray, out: np.ndarray) -> float:
    """Correlation of the source's Canny edges with the output's gradients, at 1/4 size (textures average
    out, object contours stay)."""

    def small(a):
        return cv2.resize(a, (a.shape[1] // 4, a.shape[0] // 4), interpolation=cv2.INTER_AREA)

    edges = cv2.Canny(small(cv2.cvtColor(source, cv2.COLOR_RGB2GRAY)), 40, 100).astype(np.float32)
    grey = small(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)).astype(np.float32)
    gradient = cv2.magnitude(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    a = cv2.GaussianBlur(edges, (0, 0), 1.0).ravel()
    b = cv2.GaussianBlur(gradient, (0, 0), 1.0).ravel()
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.parametrize(("style", "method"), COMBOS)
def test_edges_of_the_source_are_present(renders, style, method):
    for name in PHOTOS:
        corr = _coarse_edge_correlation(photo(name, 256), renders[(name, style, method)])
        assert corr > 0.2, (name, corr)


def test_edge_metric_tells_structure_from_noise():
    src = photo("astronaut", 256)
    noise = np.random.default_rng(0).integers(0, 256, src.shape, dtype=np.uint8)
    assert _coarse_edge_correlation(src, noise) < 0.1
    assert _coarse_edge_correlation(src, src) > 0.6


@pytest.mark.parametrize("name", PHOTOS)
def test_the_21_looks_are_pairwise_distinct(renders, name):
    """SSIM on grey (colour differences ignored, so this is the stricter check)."""
    grey = {c: cv2.cvtColor(renders[(name, *c)], cv2.COLOR_RGB2GRAY) for c in COMBOS}
    worst = 0.0
    for a, b in itertools.combinations(COMBOS, 2):
        ssim = structural_similarity(grey[a], grey[b], data_range=255)
        assert ssim < 0.95, (a, b, ssim)
        worst = max(worst, ssim)
    assert worst > 0.0


def test_monochrome_styles_are_grey_and_colour_styles_are_coloured(renders):
    def chroma(img):
        return float(np.abs(img.astype(np.int16) - img.mean(axis=2, keepdims=True)).mean())

    for method in Method:
        assert chroma(renders[("astronaut", Style.PENCIL, Method.BASIC)]) < 1.0
        assert chroma(renders[("astronaut", Style.INK, Method.BASIC)]) < 1.0
        for style in (Style.WATERCOLOR, Style.PASTEL, Style.OIL, Style.ACRYLIC):
            assert chroma(renders[("astronaut", style, method)]) > 4.0, (style, method)
