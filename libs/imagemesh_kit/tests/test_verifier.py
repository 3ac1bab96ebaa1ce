"""Token verification against a JWKS that rotates."""

import base64
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from imagemesh_kit.auth.jwks import JwksCache
from imagemesh_kit.auth.verifier import TokenVerifier, token_from_metadata
from imagemesh_kit.errors import PermissionDenied, Unauthenticated


def make_key(kid):
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
        "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    return private, jwk


def mint(private, kid, **overrides):
    now = int(time.time())
    claims = {
        "iss": "imagemesh-auth",
        "aud": "imagemesh",
        "sub": "u1",
        "role": "user",
        "sid": "s1",
        "iat": now,
        "exp": now + 60,
        "typ": "access",
        **overrides,
    }
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid})


class FakeJwksSource:
    """Stands in for the auth service's GetJwks (the kit is tested without the service)."""

    def __init__(self, *jwks):
        self.jwks = list(jwks)
        self.fetches = 0

    async def __call__(self):
        self.fetches += 1
        return list(self.jwks)


@pytest.fixture
def keys():
    return make_key("k1"), make_key("k2")


async def test_valid_token_gives_principal_and_is_cached(keys):
    (p1, j1), _ = keys
    source = FakeJwksSource(j1)
    verifier = TokenVerifier(JwksCache(source), issuer="imagemesh-auth", audience="imagemesh")
    token = mint(p1, "k1", role="admin")
    principal = await verifier.verify(token)
    assert principal.subject == "u1" and principal.is_admin and principal.session_id == "s1"
    await verifier.verify(token)
    assert source.fetches == 1


async def test_unknown_kid_triggers_one_refresh_then_verifies(keys):
    (p1, j1), (p2, j2) = keys
    source = FakeJwksSource(j1)
    cache = JwksCache(source, min_refresh_s=0)
    verifier = TokenVerifier(cache, issuer="imagemesh-auth", audience="imagemesh")
    await verifier.verify(mint(p1, "k1"))
    source.jwks.append(j2)  # rotation: the auth service publishes k2
    assert (await verifier.verify(mint(p2, "k2"))).subject == "u1"
    assert source.fetches == 2


@pytest.mark.parametrize(
    ("claims", "kid", "error", "reason"),
    [
        ({"exp": int(time.time()) - 10}, "k1", Unauthenticated, "TOKEN_EXPIRED"),
        ({"aud": "someone-else"}, "k1", PermissionDenied, "TOKEN_WRONG_AUDIENCE"),
        ({"iss": "evil"}, "k1", Unauthenticated, "TOKEN_INVALID"),
        ({}, "nope", Unauthenticated, "TOKEN_UNKNOWN_KEY"),
    ],
)
async def test_bad_tokens_are_refused(keys, claims, kid, error, reason):
    (p1, j1), _ = keys
    verifier = TokenVerifier(JwksCache(FakeJwksSource(j1)), issuer="imagemesh-auth", audience="imagemesh")
    with pytest.raises(error) as exc:
        await verifier.verify(mint(p1, kid, **claims))
    assert exc.value.reason == reason


async def test_tampered_and_forged_tokens_are_refused(keys):
    (p1, j1), (p2, _) = keys
    verifier = TokenVerifier(JwksCache(FakeJwksSource(j1)), issuer="imagemesh-auth", audience="imagemesh")
    header, payload, sig = mint(p1, "k1").split(".")
    forged_payload = base64.urlsafe_b64encode(b'{"sub":"admin","role":"admin"}').decode().rstrip("=")
    for bad in (f"{header}.{forged_payload}.{sig}", mint(p2, "k1"), "not.a.jwt", "garbage"):
        with pytest.raises(Unauthenticated):
            await verifier.verify(bad)
    hs = jwt.encode({"sub": "x"}, "s" * 32, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(Unauthenticated):
        await verifier.verify(hs)


def test_token_from_metadata_prefers_bearer_then_cookie():
    assert token_from_metadata((("authorization", "Bearer abc"),)) == "abc"
    assert token_from_metadata((("cookie", "a=1; access_token=xyz; b=2"),)) == "xyz"
    assert token_from_metadata((("cookie", "access_token=c"), ("authorization", "Bearer h"))) == "h"
    assert token_from_metadata((("authorization", "Basic abc"),)) is None
    assert token_from_metadata(()) is None
