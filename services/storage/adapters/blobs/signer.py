"""HMAC signer for expiring URLs of the local backend (presigned upload PUT and download GET).

A signed URL carries `expires` (unix seconds) and `signature` = base64url(HMAC-SHA256(secret,
"v1\\n" METHOD "\\n" path "\\n" expires "\\n" sorted extra params)). Verification compares in constant
time and checks the signature before the expiry, so "expired" is only said of genuine URLs.
Older secrets may be listed for rotation (verify-only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from imagemesh_kit.errors import InvalidArgument, PermissionDenied

SIGNED_URL_INVALID = "SIGNED_URL_INVALID"
SIGNED_URL_EXPIRED = "SIGNED_URL_EXPIRED"
INVALID_EXPIRY = "INVALID_EXPIRY"
MIN_SECRET_BYTES = 32
MAX_EXPIRY_SECONDS = 7 * 24 * 3600
_RESERVED = ("expires", "signature")


class UrlSigner:
    """Signs and verifies (method, path, expiry, params) with HMAC-SHA256."""

    def __init__(
        self,
        secret: bytes,
        *,
        previous_secrets: Sequence[bytes] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        for candidate in (secret, *previous_secrets):
            if len(candidate) < MIN_SECRET_BYTES:
                raise InvalidArgument(f"URL signing secrets must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._verify_secrets = (secret, *previous_secrets)
        self._clock = clock

    def sign(self, method: str, path: str, expires_in: int, params: Mapping[str, str] | None = None) -> dict[str, str]:
        """Query parameters (params + expires + signature) that make `method path` valid for
        `expires_in` seconds (1 .. 7 days)."""
        if not 1 <= expires_in <= MAX_EXPIRY_SECONDS:
            raise InvalidArgument.for_field(
                "expires_in", f"must be from 1 to {MAX_EXPIRY_SECONDS} seconds", reason=INVALID_EXPIRY
            )
        extra = dict(params or {})
        if any(name in extra for name in _RESERVED):
            raise InvalidArgument("params may not use the reserved names expires/signature")
        expires = str(int(self._clock()) + expires_in)
        signature = _signature(self._secret, method, path, expires, extra)
        return {**extra, "expires": expires, "signature": signature}

    def verify(self, method: str, path: str, query: Mapping[str, str]) -> dict[str, str]:
        """The extra params of a valid, unexpired signed request; PermissionDenied otherwise
        (reason SIGNED_URL_INVALID or SIGNED_URL_EXPIRED)."""
        expires = query.get("expires", "")
        given = query.get("signature", "")
        extra = {k: v for k, v in query.items() if k not in _RESERVED}
        if not expires.isdigit() or not given:
            raise PermissionDenied("the signed URL is invalid", reason=SIGNED_URL_INVALID)
        valid = False
        for secret in self._verify_secrets:  # no early exit: same work whichever secret matches
            expected = _signature(secret, method, path, expires, extra)
            valid |= hmac.compare_digest(expected.encode(), given.encode())
        if not valid:
            raise PermissionDenied("the signed URL is invalid", reason=SIGNED_URL_INVALID)
        if int(expires) < self._clock():
            raise PermissionDenied("the signed URL has expired", reason=SIGNED_URL_EXPIRED)
        return extra


def _signature(secret: bytes, method: str, path: str, expires: str, params: Mapping[str, str]) -> str:
    canonical_params = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(params.items()))
    message = f"v1\n{method.upper()}\n{path}\n{expires}\n{canonical_params}".encode()
    mac = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")
