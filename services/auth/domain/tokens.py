"""Access tokens (JWT, EdDSA) and refresh tokens (opaque, stored hashed, single use)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from services.auth.domain.accounts import User
from services.auth.domain.keys import SigningKey


@dataclass(frozen=True)
class TokenSettings:
    issuer: str = "imagemesh-auth"
    audience: str = "imagemesh"
    access_ttl: timedelta = timedelta(minutes=30)
    refresh_ttl: timedelta = timedelta(days=7)
    service_audience: str = "imagemesh-services"
    service_ttl: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    access_expires_in: int
    refresh_expires_in: int


def mint_access_token(user: User, session_id: str, key: SigningKey, settings: TokenSettings, now: datetime) -> str:
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": user.id,
        "email": user.email,
        "role": user.role.value,
        "sid": session_id,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + settings.access_ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_pem, algorithm="EdDSA", headers={"kid": key.kid})


def mint_service_token(service: str, key: SigningKey, settings: TokenSettings, now: datetime) -> str:
    """A short-lived token for service-to-service calls; its audience is not accepted at the edge."""
    claims = {
        "iss": settings.issuer,
        "aud": settings.service_audience,
        "sub": f"service:{service}",
        "role": "service",
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + settings.service_ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_pem, algorithm="EdDSA", headers={"kid": key.kid})


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """Only the hash is stored: a leaked database does not leak usable refresh tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_id() -> str:
    return uuid.uuid4().hex
