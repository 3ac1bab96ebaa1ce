"""Rows <-> bytes for storage."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument
from services.depthframe.domain import decode_rows, encode_rows


def test_round_trip_real_image():
    image = data.coffee()[..., 0]
    blobs = encode_rows(image)
    assert len(blobs) == image.shape[0] and all(len(b) == image.shape[1] for b in blobs)
    assert np.array_equal(decode_rows(blobs, image.shape[1]), image)


def test_non_contiguous_input_and_empty():
    image = data.camera()[::2, ::3]
    assert np.array_equal(decode_rows(encode_rows(image), image.shape[1]), image)
    assert decode_rows([], 150).shape == (0, 150)


def test_corrupt_row_and_bad_input():
    with pytest.raises(FailedPrecondition) as caught:
        decode_rows([b"\x00" * 150, b"\x00" * 149], 150)
    assert caught.value.reason == "CORRUPT_STORED_ROW"
    with pytest.raises(InvalidArgument):
        encode_rows(np.zeros((2, 2), np.int16))
