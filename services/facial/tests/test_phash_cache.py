import cv2
import numpy as np
import pytest
from skimage import data

from imagemesh_kit.errors import InvalidArgument
from services.facial.domain.cache import CacheKey, InMemoryLruStore, PerceptualCache, params_hash
from services.facial.domain.image_io import decode_image
from services.facial.domain.params import ContourParams
from services.facial.domain.phash import bands, hamming, phash
from services.facial.domain.pipeline import ContourInput, compute_contours_cached

from .conftest import encode

THRESHOLD = 6


def near_duplicate(image: np.ndarray) -> np.ndarray:
    """Re-encoded as JPEG q=80 and resized to 0.9x."""
    small = cv2.resize(image, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA)
    return decode_image(encode(small, ".jpg", 80))


@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "chelsea", "rocket"])
def test_near_duplicates_match(name):
    image = getattr(data, name)()
    assert hamming(phash(image), phash(near_duplicate(image))) <= THRESHOLD


def test_different_images_and_faces_do_not_match():
    images = [data.astronaut(), data.camera(), data.coffee(), data.chelsea(), data.rocket()]
    faces = data.lfw_subset()[:20]  # 25x25 face crops of different people
    hashes = [phash(i) for i in images] + [phash((f * 255).astype(np.uint8)) for f in faces]
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            assert hamming(hashes[i], hashes[j]) > THRESHOLD, (i, j)


def test_bands_split_the_hash():
    value = 0x0123456789ABCDEF
    assert bands(value) == (0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF)
    assert bands(value, 4) == (0x0123, 0x4567, 0x89AB, 0xCDEF)


def test_lookup_finds_near_hashes_with_the_same_params_only():
    cache = PerceptualCache(InMemoryLruStore(8), max_distance=6)
    base = 0xF0F0_F0F0_0F0F_0F0F
    cache.put(CacheKey("p1", base, (10, 10)), "value")
    near = base ^ 0b1011_0000_0000_0000_0000_0001_0000_0000_0000_0000_0000_0000_0000_0001_0000_0001
    assert hamming(base, near) == 6
    assert cache.lookup(CacheKey("p1", near, (9, 9))).value == "value"
    assert cache.lookup(CacheKey("p2", base, (10, 10))) is None
    assert cache.lookup(CacheKey("p1", base ^ 0x7F, (10, 10))) is None  # 7 bits away
    assert (cache.hits, cache.misses) == (1, 2)
    assert cache.hit_rate == pytest.approx(1 / 3)


def test_lru_evicts_the_least_recently_used():
    store = InMemoryLruStore(2)
    cache = PerceptualCache(store, max_distance=0)
    for i, h in enumerate([1 << 60, 2 << 50, 3 << 40]):
        cache.put(CacheKey("p", h, (1, 1)), i)
        if i == 1:
            assert cache.lookup(CacheKey("p", 1 << 60, (1, 1))).value == 0  # touch the first
    assert len(store) == 2
    assert cache.lookup(CacheKey("p", 2 << 50, (1, 1))) is None
    assert cache.lookup(CacheKey("p", 1 << 60, (1, 1))).value == 0


def test_bad_cache_settings():
    with pytest.raises(InvalidArgument):
        PerceptualCache(InMemoryLruStore(), max_distance=8)
    with pytest.raises(InvalidArgument):
        InMemoryLruStore(0)


def test_params_hash_changes_with_inputs():
    lm = np.zeros((68, 2))
    assert params_hash({"a": 1}) == params_hash({"a": 1})
    assert params_hash({"a": 1}) != params_hash({"a": 2})
    assert params_hash({"a": 1}, lm) != params_hash({"a": 1}, lm + 1)
    assert params_hash({"a": 1}, lm) == params_hash({"a": 1}, lm + 0.001)
    assert params_hash({"a": 1}, label_map=np.zeros((4, 4))) != params_hash({"a": 1}, label_map=np.ones((4, 4)))


def test_cache_hit_on_reencoded_image(detector, astronaut):
    cache = PerceptualCache(InMemoryLruStore())
    params = ContourParams.create(output_formats=["svg", "json", "png"])
    first = compute_contours_cached(ContourInput(astronaut), params, cache, detector)
    assert not first.from_cache
    again = decode_image(encode(astronaut, ".jpg", 80))
    hit = compute_contours_cached(ContourInput(again), params, cache, detector)
    assert hit.from_cache and hit.svg == first.svg
    other = compute_contours_cached(ContourInput(again), ContourParams.create(regions=["nose"]), cache, detector)
    assert not other.from_cache


def test_cache_hit_on_resized_copy_is_rescaled(detector, astronaut):
    cache = PerceptualCache(InMemoryLruStore())
    params = ContourParams.create(output_formats=["svg", "png"])
    first = compute_contours_cached(ContourInput(astronaut), params, cache, detector)
    small = near_duplicate(astronaut)
    hit = compute_contours_cached(ContourInput(small), params, cache, detector)
    assert hit.from_cache
    assert hit.geometry.size == (small.shape[1], small.shape[0])
    assert b'viewBox="-0.5 -0.5 461 461"' in hit.svg
    fresh = compute_contours_cached(ContourInput(small), params, PerceptualCache(InMemoryLruStore()), detector)
    # the rescaled landmarks agree with landmarks detected on the small copy itself
    error = np.linalg.norm(hit.geometry.faces[0].landmarks - fresh.geometry.faces[0].landmarks, axis=1)
    assert np.median(error) < 1.5
    scale = (small.shape[1] / 512) * (small.shape[0] / 512)
    for a, b in zip(first.geometry.faces[0].shapes, hit.geometry.faces[0].shapes, strict=True):
        assert b.area() == pytest.approx(a.area() * scale, rel=0.01), a.region


def test_cache_hit_in_aligned_space_rescales_the_crop(astronaut, astronaut_landmarks):
    cache = PerceptualCache(InMemoryLruStore())
    params = ContourParams.create(align=True, space="aligned")
    first = compute_contours_cached(ContourInput(astronaut, astronaut_landmarks), params, cache)
    # same landmarks and same size: a re-encoded copy hits
    again = decode_image(encode(astronaut, ".jpg", 80))
    hit = compute_contours_cached(ContourInput(again, astronaut_landmarks), params, cache)
    assert hit.from_cache and hit.geometry.alignment.size == first.geometry.alignment.size
