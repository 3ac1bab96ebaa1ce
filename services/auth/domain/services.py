"""Service identities: which services may obtain service tokens, and how their secrets are checked."""

from __future__ import annotations

import hmac
import re

from imagemesh_kit.errors import InvalidArgument, Unauthenticated

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def parse_service_credentials(spec: str) -> dict[str, str]:
    """'sketch=s3cret,facial=other' -> {'sketch': 's3cret', ...}; raises ValueError on malformed input."""
    creds: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, secret = item.partition("=")
        if not sep or not _NAME.match(name) or len(secret) < 16:
            raise ValueError(f"bad service credential for {name or '?'!r}: expected name=secret (secret >= 16 chars)")
        creds[name] = secret
    return creds


def check_service_credential(credentials: dict[str, str], service: str, secret: str) -> None:
    if not service:
        raise InvalidArgument.for_field("service", "is required", reason="SERVICE_REQUIRED")
    if not secret:
        raise InvalidArgument.for_field("secret", "is required", reason="SECRET_REQUIRED")
    expected = credentials.get(service, "")
    # compare_digest even for unknown services: no timing hint about which names exist
    if not hmac.compare_digest(expected.encode() or b"\0" * 32, secret.encode()) or not expected:
        raise Unauthenticated("unknown service or wrong secret", reason="INVALID_SERVICE_CREDENTIALS")
