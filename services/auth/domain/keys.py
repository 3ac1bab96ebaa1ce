"""Ed25519 signing keys and their JWK form.

Key life cycle: NEXT (published in the JWKS, not yet signing) -> CURRENT (signing) -> RETIRED
(published until every token it signed has expired, then dropped). Publishing the next key ahead
means caches that refresh on a schedule (Envoy's) already know a key before it signs anything.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class KeyState(StrEnum):
    NEXT = "next"
    CURRENT = "current"
    RETIRED = "retired"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_x: str  # base64url of the raw 32-byte public key
    state: KeyState
    created_at: datetime
    retired_at: datetime | None = None

    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.public_x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def is_published(self, now: datetime, token_ttl: timedelta) -> bool:
        if self.state is not KeyState.RETIRED:
            return True
        return self.retired_at is not None and self.retired_at + token_ttl + timedelta(minutes=1) > now


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def generate_key(state: KeyState, now: datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = _b64url(hashlib.sha256(public_raw).digest())[:16]  # RFC 7638-style: derived from the key
    return SigningKey(kid=kid, private_pem=pem, public_x=_b64url(public_raw), state=state, created_at=now)
