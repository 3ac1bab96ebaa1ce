from datetime import UTC, datetime, timedelta

import jwt
import pytest

from imagemesh_kit.errors import InvalidArgument
from services.auth.domain.accounts import Role, User, check_password_policy, normalise_email, normalise_name
from services.auth.domain.keys import KeyState, generate_key
from services.auth.domain.passwords import Argon2Params, Passwords
from services.auth.domain.tokens import TokenSettings, hash_refresh_token, mint_access_token, new_refresh_token


def test_email_is_trimmed_and_lower_cased():
    assert normalise_email("  Alice@Example.COM ") == "alice@example.com"


@pytest.mark.parametrize("bad", ["", "   ", "alice", "a@b", "a@@b.com", "a b@c.com", "x" * 250 + "@e.com"])
def test_bad_emails_are_refused(bad):
    with pytest.raises(InvalidArgument) as exc:
        normalise_email(bad)
    assert exc.value.violations[0].field == "email"


def test_password_policy():
    check_password_policy("12345678")
    for bad, reason in (
        ("", "PASSWORD_REQUIRED"),
        ("1234567", "PASSWORD_TOO_SHORT"),
        ("x" * 1025, "PASSWORD_TOO_LONG"),
    ):
        with pytest.raises(InvalidArgument) as exc:
            check_password_policy(bad)
        assert exc.value.reason == reason


def test_names_are_whitespace_normalised_and_bounded():
    assert normalise_name("  Ada   Lovelace ") == "Ada Lovelace"
    with pytest.raises(InvalidArgument):
        normalise_name("x" * 101)


def test_argon2id_hash_verifies_only_the_right_password():
    pw = Passwords(Argon2Params(time_cost=1, memory_kib=8192))
    h = pw.hash("correct horse")
    assert h.startswith("$argon2id$") and pw.verify(h, "correct horse")
    assert not pw.verify(h, "wrong horse") and not pw.verify(None, "correct horse") and not pw.verify("junk", "x")


def test_access_token_carries_claims_and_kid():
    now = datetime.now(UTC)
    key = generate_key(KeyState.CURRENT, now)
    user = User("u1", "a@b.co", "A", Role.ADMIN, False, now)
    token = mint_access_token(user, "fam", key, TokenSettings(), now)
    assert jwt.get_unverified_header(token)["kid"] == key.kid
    public = jwt.PyJWK(key.jwk())
    claims = jwt.decode(token, public, algorithms=["EdDSA"], audience="imagemesh", issuer="imagemesh-auth")
    assert claims["sub"] == "u1" and claims["role"] == "admin" and claims["sid"] == "fam"
    assert claims["exp"] - claims["iat"] == 1800


def test_refresh_tokens_are_random_and_stored_hashed():
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b and len(a) >= 40
    assert hash_refresh_token(a) != a and len(hash_refresh_token(a)) == 64


def test_retired_keys_stay_published_until_their_tokens_expire():
    now = datetime.now(UTC)
    key = generate_key(KeyState.RETIRED, now)
    retired = key.__class__(**{**key.__dict__, "retired_at": now})
    ttl = timedelta(minutes=30)
    assert retired.is_published(now + timedelta(minutes=29), ttl)
    assert not retired.is_published(now + timedelta(minutes=32), ttl)
