"""Blob keys and upload ids."""

from __future__ import annotations

import hashlib

import pytest

from imagemesh_kit.errors import InvalidArgument
from services.storage.adapters.blobs.keys import new_upload_id, shard_parts, validate_key, validate_upload_id


def test_sha256_hex_is_a_key_and_shards_by_its_first_bytes() -> None:
    key = hashlib.sha256(b"x").hexdigest()
    assert validate_key(key) == key
    assert shard_parts(key) == (key[:2], key[2:4], key)


def test_upload_ids_are_unique_and_valid() -> None:
    ids = {new_upload_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(validate_upload_id(upload_id) == upload_id and len(upload_id) == 32 for upload_id in ids)


@pytest.mark.parametrize(
    "upload_id", ["", "short", "a" * 65, "../../etc/passwd0000", "with space 0123456", "dot.dot.dot.dot.dot", 42]
)
def test_bad_upload_ids(upload_id: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_upload_id(upload_id)  # type: ignore[arg-type]
    assert caught.value.reason == "INVALID_UPLOAD_ID"
    assert caught.value.violations[0].field == "upload_id"


@pytest.mark.parametrize("key", [None, 123, "A" * 64, "a" * 63])
def test_bad_keys(key: object) -> None:
    with pytest.raises(InvalidArgument):
        validate_key(key)  # type: ignore[arg-type]
