"""HMAC URL signer: valid, tampered, expired, rotated secrets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from imagemesh_kit.errors import InvalidArgument, PermissionDenied
from services.storage.adapters.blobs.signer import UrlSigner

SECRET = b"s" * 32


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_sign_then_verify_returns_extra_params() -> None:
    signer = UrlSigner(SECRET, clock=Clock())
    query = signer.sign("get", "/v1/blobs/x", 60, {"filename": "a b.png"})
    assert query["expires"] == str(1_800_000_060)
    assert signer.verify("GET", "/v1/blobs/x", query) == {"filename": "a b.png"}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda q: {**q, "expires": str(int(q["expires"]) + 3600)},
        lambda q: {**q, "filename": "other.png"},
        lambda q: {**q, "extra": "1"},
        lambda q: {**q, "signature": q["signature"][:-1] + ("A" if q["signature"][-1] != "A" else "B")},
        lambda q: {k: v for k, v in q.items() if k != "signature"},
        lambda q: {k: v for k, v in q.items() if k != "expires"},
        lambda q: {**q, "expires": "soon"},
    ],
)
def test_tampered_urls_are_invalid(tamper: Callable[[dict[str, str]], dict[str, str]]) -> None:
    signer = UrlSigner(SECRET, clock=Clock())
    query = signer.sign("GET", "/p", 60, {"filename": "a.png"})
    with pytest.raises(PermissionDenied) as caught:
        signer.verify("GET", "/p", tamper(query))
    assert caught.value.reason == "SIGNED_URL_INVALID"


def test_method_and_path_are_bound() -> None:
    signer = UrlSigner(SECRET, clock=Clock())
    query = signer.sign("PUT", "/v1/uploads/abc", 60)
    for method, path in [("GET", "/v1/uploads/abc"), ("PUT", "/v1/uploads/abd")]:
        with pytest.raises(PermissionDenied):
            signer.verify(method, path, query)


def test_expired_url_is_refused_with_a_clear_reason() -> None:
    clock = Clock()
    signer = UrlSigner(SECRET, clock=clock)
    query = signer.sign("GET", "/p", 30)
    clock.now += 30
    assert signer.verify("GET", "/p", query) == {}  # still valid at the exact second
    clock.now += 1
    with pytest.raises(PermissionDenied) as caught:
        signer.verify("GET", "/p", query)
    assert caught.value.reason == "SIGNED_URL_EXPIRED"
    assert "expired" in caught.value.message


def test_other_secret_is_invalid_and_rotation_keeps_old_urls() -> None:
    old = UrlSigner(b"o" * 32, clock=Clock())
    query = old.sign("GET", "/p", 60)
    with pytest.raises(PermissionDenied):
        UrlSigner(SECRET, clock=Clock()).verify("GET", "/p", query)
    rotated = UrlSigner(SECRET, previous_secrets=[b"o" * 32], clock=Clock())
    assert rotated.verify("GET", "/p", query) == {}
    assert rotated.verify("GET", "/p", rotated.sign("GET", "/p", 60)) == {}


@pytest.mark.parametrize("expires_in", [0, -1, 7 * 24 * 3600 + 1])
def test_expiry_range(expires_in: int) -> None:
    with pytest.raises(InvalidArgument):
        UrlSigner(SECRET).sign("GET", "/p", expires_in)


def test_weak_secrets_and_reserved_names_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        UrlSigner(b"short")
    with pytest.raises(InvalidArgument):
        UrlSigner(SECRET, previous_secrets=[b"short"])
    with pytest.raises(InvalidArgument):
        UrlSigner(SECRET).sign("GET", "/p", 60, {"signature": "x"})
