"""Blob keys (lowercase sha256 hex) and upload ids: validation and layout helpers."""

from __future__ import annotations

import re
import secrets

from imagemesh_kit.errors import InvalidArgument

_KEY = re.compile(r"[0-9a-f]{64}")
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")

INVALID_BLOB_KEY = "INVALID_BLOB_KEY"
INVALID_UPLOAD_ID = "INVALID_UPLOAD_ID"


def validate_key(key: str) -> str:
    """`key` if it is a lowercase sha256 hex digest, else InvalidArgument(INVALID_BLOB_KEY)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidArgument.for_field("sha256", "must be 64 lowercase hex digits", reason=INVALID_BLOB_KEY)
    return key


def shard_parts(key: str) -> tuple[str, str, str]:
    """('ab', 'cd', key) for key 'abcd...': the directory fan-out of the local backend."""
    validate_key(key)
    return key[0:2], key[2:4], key


def new_upload_id() -> str:
    """A fresh, unguessable id for a presigned upload (32 url-safe characters)."""
    return secrets.token_urlsafe(24)


def validate_upload_id(upload_id: str) -> str:
    """`upload_id` if it is 16..64 url-safe characters, else InvalidArgument(INVALID_UPLOAD_ID)."""
    if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
        raise InvalidArgument.for_field("upload_id", "is not a valid upload id", reason=INVALID_UPLOAD_ID)
    return upload_id
