"""The bytes-level cached pipeline: header size, reduced-decode pHash, full decode only on a miss."""

import io

import numpy as np
import pytest
from PIL import Image

from imagemesh_kit.errors import InvalidArgument
from services.facial.domain import (
    ContourParams,
    InMemoryLruStore,
    LayeredStore,
    PerceptualCache,
    compute_contours_from_bytes,
    hamming,
    image_header_size,
    phash,
)
from services.facial.domain.cache import unbands
from services.facial.domain.image_io import decode_gray_for_hash
from services.facial.domain.phash import bands

from .conftest import encode


def test_hits_on_a_reencoded_copy_and_matches_the_array_path(astronaut, astronaut_landmarks):
    cache = PerceptualCache(InMemoryLruStore())
    params = ContourParams.create(output_formats=["svg", "json"])
    first = compute_contours_from_bytes(encode(astronaut), params, cache, astronaut_landmarks)
    again = compute_contours_from_bytes(encode(astronaut, ".jpg", 80), params, cache, astronaut_landmarks)
    assert not first.from_cache and again.from_cache and again.svg == first.svg
    assert (cache.hits, cache.misses) == (1, 1)


def test_the_reduced_decode_hashes_like_the_full_image(astronaut):
    big = np.kron(astronaut, np.ones((4, 4, 1), np.uint8))  # 2048 x 2048: decoded at 1/8
    data = encode(big, ".jpg", 90)
    gray = decode_gray_for_hash(data, (2048, 2048))
    assert max(gray.shape) == 256
    assert hamming(phash(gray), phash(big)) <= 2


def test_header_size_follows_exif_orientation(astronaut):
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: the decoded image is tall
    Image.fromarray(astronaut[:, :300]).save(buf, "JPEG", exif=exif)
    assert image_header_size(buf.getvalue()) == (512, 300)


def test_bad_bytes_are_refused_before_decoding(astronaut_landmarks):
    cache = PerceptualCache(InMemoryLruStore())
    with pytest.raises(InvalidArgument) as exc:
        compute_contours_from_bytes(b"junk", ContourParams.create(), cache, astronaut_landmarks)
    assert exc.value.reason == "UNDECODABLE_IMAGE"
    assert cache.misses == 0


class CountingStore(InMemoryLruStore):
    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def candidates(self, params_hash, hash_bands):
        self.queries += 1
        return super().candidates(params_hash, hash_bands)


def test_layered_store_asks_the_shared_store_only_when_the_front_has_no_hit(astronaut, astronaut_landmarks):
    back = CountingStore()
    params = ContourParams.create(output_formats=["json"])
    # Replica A computes; replica B (its own front) finds it in the shared store, then in its front.
    a = PerceptualCache(LayeredStore(InMemoryLruStore(), back))
    b_front = InMemoryLruStore()
    b = PerceptualCache(LayeredStore(b_front, back))
    compute_contours_from_bytes(encode(astronaut), params, a, astronaut_landmarks)
    queries = back.queries
    hit = compute_contours_from_bytes(encode(astronaut, ".jpg", 80), params, b, astronaut_landmarks)
    assert hit.from_cache and back.queries == queries + 1 and len(b_front) == 1
    again = compute_contours_from_bytes(encode(astronaut, ".jpg", 85), params, b, astronaut_landmarks)
    assert again.from_cache and back.queries == queries + 1  # served by B's front
    assert unbands(bands(0x0123456789ABCDEF)) == 0x0123456789ABCDEF
