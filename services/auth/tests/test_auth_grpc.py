"""The auth service over a real gRPC channel, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import grpc
import jwt
import pytest
from sqlalchemy import update

from imagemesh.auth.v1 import auth_pb2
from imagemesh_kit.auth.jwks import JwksCache
from imagemesh_kit.auth.verifier import TokenVerifier
from imagemesh_kit.db_types import utcnow
from imagemesh_kit.grpc_errors import error_info
from imagemesh_kit.testing import expect_error
from services.auth.domain.accounts import Role
from services.auth.store.models import RefreshTokenRow
from services.auth.tests.conftest import bearer

pytestmark = pytest.mark.integration


async def test_register_normalises_email_and_never_returns_the_hash(auth):
    user = await auth.register("  Bob@Example.com ", name=" Bob  B ")
    assert user.email == "bob@example.com" and user.name == "Bob B" and user.role == auth_pb2.ROLE_USER
    assert user.id and user.created_at.seconds > 0 and not user.disabled


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("", "correct horse", "EMAIL_REQUIRED"),
        ("not-an-email", "correct horse", "EMAIL_INVALID"),
        ("c@example.com", "", "PASSWORD_REQUIRED"),
        ("c@example.com", "short", "PASSWORD_TOO_SHORT"),
    ],
)
async def test_register_bad_input(auth, email, password, reason):
    err = await expect_error(auth.register(email, password), grpc.StatusCode.INVALID_ARGUMENT, reason)
    assert err.details()


async def test_duplicate_email_is_refused_case_insensitively(auth):
    await auth.register("dup@example.com")
    await expect_error(auth.register("DUP@example.com"), grpc.StatusCode.ALREADY_EXISTS, "EMAIL_TAKEN")


async def test_concurrent_registrations_of_one_email_create_one_account(auth):
    results = await asyncio.gather(*(auth.register("race@example.com") for _ in range(4)), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(r.code() == grpc.StatusCode.ALREADY_EXISTS for r in results if isinstance(r, Exception))


async def test_login_returns_tokens_and_sets_http_only_cookie(auth):
    await auth.register("eve@example.com")
    call = auth.stub.Login(auth_pb2.LoginRequest(email="EVE@example.com", password="correct horse"))
    reply = await call
    assert reply.token_type == "Bearer" and reply.expires_in == 1800 and reply.refresh_expires_in == 7 * 86400
    cookie = dict(await call.initial_metadata())["set-cookie"]
    assert cookie.startswith(f"access_token={reply.access_token};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=1800" in cookie
    me = await auth.stub.GetMe(auth_pb2.GetMeRequest(), metadata=bearer(reply.access_token))
    assert me.user.email == "eve@example.com"
    by_cookie = await auth.stub.GetMe(
        auth_pb2.GetMeRequest(), metadata=(("cookie", f"access_token={reply.access_token}"),)
    )
    assert by_cookie.user.id == me.user.id


async def test_wrong_password_and_unknown_user_get_the_same_answer(auth):
    await auth.register("f@example.com")
    a = await expect_error(
        auth.login("f@example.com", "wrong password"), grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS"
    )
    b = await expect_error(auth.login("nobody@example.com"), grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    assert a.details() == b.details()
    await expect_error(auth.login("", "x"), grpc.StatusCode.INVALID_ARGUMENT, "EMAIL_REQUIRED")


async def test_me_refuses_missing_tampered_expired_and_foreign_tokens(auth):
    await auth.register("g@example.com")
    token = (await auth.login("g@example.com")).access_token
    me = auth.stub.GetMe
    await expect_error(me(auth_pb2.GetMeRequest()), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    head, payload, sig = token.split(".")
    tampered = f"{head}.{payload[:-4]}AAAA.{sig}"
    await expect_error(
        me(auth_pb2.GetMeRequest(), metadata=bearer(tampered)), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"
    )
    await expect_error(
        me(auth_pb2.GetMeRequest(), metadata=bearer("x.y.z")), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MALFORMED"
    )
    keys = await auth.use_cases.jwks()
    current = next(k for k in await _keys(auth) if k.state.value == "current")
    assert any(k["kid"] == current.kid for k in keys)
    now = int(time.time())
    base = {"iss": "imagemesh-auth", "sub": "x", "iat": now - 100, "typ": "access"}
    expired = jwt.encode(
        {**base, "aud": "imagemesh", "exp": now - 10}, current.private_pem, "EdDSA", {"kid": current.kid}
    )
    foreign = jwt.encode(
        {**base, "aud": "other-api", "exp": now + 60}, current.private_pem, "EdDSA", {"kid": current.kid}
    )
    await expect_error(
        me(auth_pb2.GetMeRequest(), metadata=bearer(expired)), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED"
    )
    await expect_error(
        me(auth_pb2.GetMeRequest(), metadata=bearer(foreign)), grpc.StatusCode.PERMISSION_DENIED, "TOKEN_WRONG_AUDIENCE"
    )


async def _keys(auth):
    from services.auth.store import repository as repo

    async with auth.use_cases._sessions() as session:
        return await repo.signing_keys(session)


async def test_refresh_rotates_and_reuse_revokes_the_family(auth):
    await auth.register("h@example.com")
    first = await auth.login("h@example.com")
    second = await auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=first.refresh_token))
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=first.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_REUSED",
    )
    # The thief's reuse ended the session: the legitimate successor is revoked as well.
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=second.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_REVOKED",
    )
    # Another session of the same user is untouched.
    other = await auth.login("h@example.com")
    assert (await auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=other.refresh_token))).access_token


async def test_concurrent_use_of_one_refresh_token_succeeds_at_most_once(auth):
    await auth.register("i@example.com")
    pair = await auth.login("i@example.com")
    calls = [auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=pair.refresh_token)) for _ in range(3)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) <= 1
    assert any(isinstance(r, grpc.aio.AioRpcError) and error_info(r).reason == "REFRESH_TOKEN_REUSED" for r in results)


async def test_refresh_bad_input(auth):
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest()), grpc.StatusCode.INVALID_ARGUMENT, "REFRESH_TOKEN_REQUIRED"
    )
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token="made-up")),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_INVALID",
    )
    await auth.register("j@example.com")
    pair = await auth.login("j@example.com")
    async with auth.use_cases._sessions.begin() as session:
        await session.execute(update(RefreshTokenRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=pair.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_EXPIRED",
    )


async def test_logout_revokes_the_session_and_clears_the_cookie(auth):
    await auth.register("k@example.com")
    pair = await auth.login("k@example.com")
    call = auth.stub.Logout(auth_pb2.LogoutRequest(refresh_token=pair.refresh_token))
    assert (await call).revoked == 1
    assert "Max-Age=0" in dict(await call.initial_metadata())["set-cookie"]
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=pair.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_REVOKED",
    )
    # With only the access token: its session id names the session to end.
    pair2 = await auth.login("k@example.com")
    assert (await auth.stub.Logout(auth_pb2.LogoutRequest(), metadata=bearer(pair2.access_token))).revoked == 1
    # Logging out twice, or with nothing, is harmless.
    assert (await auth.stub.Logout(auth_pb2.LogoutRequest())).revoked == 0


async def make_admin(auth, email="root@example.com"):
    await auth.use_cases.register(email, "correct horse", "Root", role=Role.ADMIN)
    return (await auth.login(email)).access_token


async def test_admin_lists_users_page_by_page(auth):
    admin = await make_admin(auth)
    for i in range(5):
        await auth.register(f"user{i}@example.com")
    seen, token = [], ""
    while True:
        page = await auth.stub.ListUsers(
            auth_pb2.ListUsersRequest(page_size=2, page_token=token), metadata=bearer(admin)
        )
        assert len(page.users) <= 2
        seen += [u.email for u in page.users]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 6 and len(set(seen)) == 6
    await expect_error(
        auth.stub.ListUsers(auth_pb2.ListUsersRequest(page_token="bogus"), metadata=bearer(admin)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )


async def test_users_cannot_use_admin_methods(auth):
    await auth.register("l@example.com")
    token = (await auth.login("l@example.com")).access_token
    await expect_error(
        auth.stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=bearer(token)),
        grpc.StatusCode.PERMISSION_DENIED,
        "ADMIN_REQUIRED",
    )
    me = (await auth.stub.GetMe(auth_pb2.GetMeRequest(), metadata=bearer(token))).user
    await expect_error(
        auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id=me.id, role=auth_pb2.ROLE_ADMIN), metadata=bearer(token)),
        grpc.StatusCode.PERMISSION_DENIED,
        "ADMIN_REQUIRED",
    )


async def test_disabled_users_cannot_log_in_refresh_or_call(auth):
    admin = await make_admin(auth)
    user = await auth.register("m@example.com")
    pair = await auth.login("m@example.com")
    updated = await auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id=user.id, disabled=True), metadata=bearer(admin))
    assert updated.user.disabled and updated.user.role == auth_pb2.ROLE_USER
    await expect_error(auth.login("m@example.com"), grpc.StatusCode.PERMISSION_DENIED, "USER_DISABLED")
    await expect_error(
        auth.stub.Refresh(auth_pb2.RefreshRequest(refresh_token=pair.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_REVOKED",
    )
    await expect_error(
        auth.stub.GetMe(auth_pb2.GetMeRequest(), metadata=bearer(pair.access_token)),
        grpc.StatusCode.PERMISSION_DENIED,
        "USER_DISABLED",
    )
    await auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id=user.id, disabled=False), metadata=bearer(admin))
    assert (await auth.login("m@example.com")).access_token


async def test_promotion_and_admin_guard_rails(auth):
    admin = await make_admin(auth)
    me = (await auth.stub.GetMe(auth_pb2.GetMeRequest(), metadata=bearer(admin))).user
    user = await auth.register("n@example.com")
    promoted = await auth.stub.UpdateUser(
        auth_pb2.UpdateUserRequest(id=user.id, role=auth_pb2.ROLE_ADMIN), metadata=bearer(admin)
    )
    assert promoted.user.role == auth_pb2.ROLE_ADMIN
    await expect_error(
        auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id=me.id, disabled=True), metadata=bearer(admin)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "CANNOT_CHANGE_SELF",
    )
    await expect_error(
        auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id="no-such-user", disabled=True), metadata=bearer(admin)),
        grpc.StatusCode.NOT_FOUND,
        "USER_NOT_FOUND",
    )
    await expect_error(
        auth.stub.UpdateUser(auth_pb2.UpdateUserRequest(id=user.id, role=7), metadata=bearer(admin)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ROLE_INVALID",
    )


async def test_key_rotation_keeps_old_tokens_valid_and_keys_survive_restarts(auth):
    await auth.register("o@example.com")
    old = (await auth.login("o@example.com")).access_token
    old_kid = jwt.get_unverified_header(old)["kid"]
    jwks_before = {k["kid"] for k in await auth.use_cases.jwks()}
    assert len(jwks_before) == 2  # current + the pre-published next key
    promoted = await auth.use_cases.rotate_keys()
    assert promoted.kid in jwks_before  # the new signing key was already published before it signed anything
    new = (await auth.login("o@example.com")).access_token
    assert jwt.get_unverified_header(new)["kid"] == promoted.kid != old_kid
    fresh_verifier = TokenVerifier(JwksCache(auth.use_cases.jwks), issuer="imagemesh-auth", audience="imagemesh")
    assert (await fresh_verifier.verify(old)).subject == (await fresh_verifier.verify(new)).subject
    # A restart over the same database keeps the same keys.
    from services.auth.main import build_use_cases

    engine, again = build_use_cases(auth.settings)
    try:
        await again.ensure_keys()
        assert {k["kid"] for k in await again.jwks()} == {k["kid"] for k in await auth.use_cases.jwks()}
    finally:
        await engine.dispose()
