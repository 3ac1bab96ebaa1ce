"""AIP-158 pagination: page_size clamping and opaque, tamper-evident-enough page tokens."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from imagemesh_kit.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def clamp_page_size(page_size: int, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    if page_size < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative", reason="INVALID_PAGE_SIZE")
    if page_size == 0:
        return default
    return min(page_size, maximum)


def encode_page_token(cursor: dict) -> str:
    raw = json.dumps(cursor, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, required_keys: tuple[str, ...] = ()) -> dict | None:
    """None for an empty token (first page); InvalidArgument for anything we did not issue."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        cursor = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(cursor, dict) or any(k not in cursor for k in required_keys):
            raise ValueError("missing keys")
        return cursor
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InvalidArgument.for_field(
            "page_token", "is not a token this API issued", reason="INVALID_PAGE_TOKEN"
        ) from None


def encode_time_cursor(created_at: datetime, item_id: str) -> str:
    """The next-page token of a list ordered by (created_at, id): the last item's position."""
    return encode_page_token({"t": created_at.isoformat(), "id": item_id})


def decode_time_cursor(page_token: str) -> tuple[datetime, str] | None:
    """(created_at, id) of the last item of the previous page; None on the first page."""
    cursor = decode_page_token(page_token, ("t", "id"))
    if cursor is None:
        return None
    try:
        return datetime.fromisoformat(cursor["t"]), str(cursor["id"])
    except (TypeError, ValueError):
        raise InvalidArgument.for_field(
            "page_token", "is not a token this API issued", reason="INVALID_PAGE_TOKEN"
        ) from None
