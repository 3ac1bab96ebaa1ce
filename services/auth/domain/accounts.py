"""Account rules: email normalisation, password policy, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from imagemesh_kit.errors import InvalidArgument

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # bounds the hashing work one request can ask for
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: Role
    disabled: bool
    created_at: datetime


def normalise_email(raw: str) -> str:
    """Trim and lower-case the whole address (we treat addresses case-insensitively)."""
    email = (raw or "").strip().lower()
    if not email:
        raise InvalidArgument.for_field("email", "is required", reason="EMAIL_REQUIRED")
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidArgument.for_field("email", "is not a valid email address", reason="EMAIL_INVALID")
    return email


def check_password_policy(password: str) -> None:
    if not password:
        raise InvalidArgument.for_field("password", "is required", reason="PASSWORD_REQUIRED")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidArgument.for_field(
            "password", f"must be at least {MIN_PASSWORD_LENGTH} characters", reason="PASSWORD_TOO_SHORT"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgument.for_field(
            "password", f"must be at most {MAX_PASSWORD_LENGTH} characters", reason="PASSWORD_TOO_LONG"
        )


def normalise_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgument.for_field("name", f"must be at most {MAX_NAME_LENGTH} characters", reason="NAME_TOO_LONG")
    return name
