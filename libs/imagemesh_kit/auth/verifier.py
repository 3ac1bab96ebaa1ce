"""Access-token verification: signature (EdDSA via JWKS), expiry, issuer, audience.

Verified tokens are cached until they expire, so a client that sends the same token on every call
pays for the signature check once.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import jwt

from imagemesh_kit.auth.jwks import JwksCache
from imagemesh_kit.context import Principal
from imagemesh_kit.errors import PermissionDenied, Unauthenticated

ALGORITHMS = ["EdDSA"]


class TokenVerifier:
    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        service_audience: str = "imagemesh-services",
        cache_size: int = 10_000,
    ) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._service_audience = service_audience
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Principal:
        hit = self._cache.get(token)
        if hit is not None:
            if hit.claims["exp"] > time.time():
                self._cache.move_to_end(token)
                return hit
            del self._cache[token]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise Unauthenticated("the access token is malformed", reason="TOKEN_MALFORMED") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated("the access token's algorithm is not accepted", reason="TOKEN_INVALID")
        key = await self._jwks.get(str(header.get("kid", "")))
        if key is None:
            raise Unauthenticated("the access token was signed by an unknown key", reason="TOKEN_UNKNOWN_KEY")
        principal = self._decode(token, key)
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def _decode(self, token: str, key: jwt.PyJWK) -> Principal:
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=[self._audience, self._service_audience],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the access token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.InvalidAudienceError:
            raise PermissionDenied(
                "the access token is not meant for this API", reason="TOKEN_WRONG_AUDIENCE"
            ) from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the access token has the wrong issuer", reason="TOKEN_INVALID") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the access token's signature is invalid", reason="TOKEN_INVALID") from None
        except jwt.PyJWTError:
            raise Unauthenticated("the access token is invalid", reason="TOKEN_INVALID") from None
        if claims.get("typ") not in (None, "access"):
            raise Unauthenticated("this token is not an access token", reason="TOKEN_INVALID")
        # Only the services' audience makes a service; a user token can never claim that role.
        is_service = claims["aud"] == self._service_audience or self._service_audience in claims["aud"]
        role = str(claims.get("role", "user"))
        if is_service != (role == "service"):
            raise Unauthenticated("the access token's role does not match its audience", reason="TOKEN_INVALID")
        return Principal(
            subject=str(claims["sub"]),
            role=role,
            email=str(claims.get("email", "")),
            session_id=str(claims.get("sid", "")),
            token=token,
            claims=claims,
        )


def token_from_metadata(metadata: tuple | list | None) -> str | None:
    """`authorization: Bearer <t>` first, else the `access_token` cookie (browsers)."""
    if not metadata:
        return None
    cookie_token = None
    for key, value in metadata:
        if key == "authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif key == "cookie" and cookie_token is None:
            for part in value.split(";"):
                name, _, val = part.strip().partition("=")
                if name == "access_token" and val:
                    cookie_token = val
    return cookie_token
