"""What an image record is, and the rules for the fields a client may set (no SQL, no gRPC)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from imagemesh_kit.errors import InvalidArgument, NotFound

ORIGINAL = "original"
MAX_DESCRIPTION_CHARS = 2000
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_IMAGE_ID = re.compile(r"[0-9a-f\-]{1,36}")


@dataclass(frozen=True)
class StoredImage:
    id: str
    owner_id: str
    filename: str
    description: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    sha256: str
    kind: str
    source_image_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class NewImage:
    """The caller-settable part of an image being created, already validated by `new_image`."""

    filename: str = ""
    description: str = ""
    kind: str = ORIGINAL
    source_image_id: str | None = None
    request_id: str | None = None


def new_image(
    filename: str = "", description: str = "", kind: str = "", source_image_id: str = "", request_id: str = ""
) -> NewImage:
    kind = kind or ORIGINAL
    if not _KIND.fullmatch(kind):
        raise InvalidArgument.for_field(
            "kind",
            "must be 1-32 lowercase letters, digits or underscores, starting with a letter",
            reason="INVALID_KIND",
        )
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidArgument.for_field(
            "description", f"must be at most {MAX_DESCRIPTION_CHARS} characters", reason="DESCRIPTION_TOO_LONG"
        )
    if request_id and not _REQUEST_ID.fullmatch(request_id):
        raise InvalidArgument.for_field(
            "request_id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -", reason="INVALID_REQUEST_ID"
        )
    if source_image_id:
        check_image_id(source_image_id, field="source_image_id")
    return NewImage(filename, description, kind, source_image_id or None, request_id or None)


def image_not_found() -> NotFound:
    return NotFound("the image does not exist", reason="IMAGE_NOT_FOUND")


def source_not_found() -> NotFound:
    return NotFound("source_image_id: the source image does not exist", reason="SOURCE_IMAGE_NOT_FOUND")


def check_image_id(image_id: str, *, field: str = "image_id") -> str:
    """A required image id. Ids we could never have issued are simply not found."""
    if not image_id:
        raise InvalidArgument.for_field(field, "is required", reason=f"{field.upper()}_REQUIRED")
    if not _IMAGE_ID.fullmatch(image_id):
        raise source_not_found() if field == "source_image_id" else image_not_found()
    return image_id


def can_read(owner_id: str, subject: str, is_admin: bool) -> bool:
    """Owners see their images; admins see everybody's."""
    return owner_id == subject or is_admin
