"""Auth through Envoy's REST transcoding, as a web frontend uses it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD, auth_header, mint, register_and_login, unique_email

pytestmark = pytest.mark.e2e


def reason(response) -> str:
    body = response.json()
    return next(d["reason"] for d in body["details"] if d["@type"].endswith("ErrorInfo"))


def test_register_login_me_refresh_logout(client):
    email = unique_email("Flow").upper()
    r = client.post("/v1/auth/register", json={"email": f"  {email} ", "password": PASSWORD, "name": "Flow"})
    assert r.status_code == 200
    user = r.json()["user"]
    assert user["email"] == email.lower() and user["role"] == "ROLE_USER" and "passwordHash" not in user

    r = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    tokens = r.json()
    assert tokens["tokenType"] == "Bearer" and tokens["expiresIn"] == 1800
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    me = client.get("/v1/auth/me", headers=auth_header(tokens))
    assert me.status_code == 200 and me.json()["user"]["id"] == user["id"]
    # A browser sends the cookie instead of a header.
    client.cookies.set("access_token", tokens["accessToken"])
    assert client.get("/v1/auth/me").json()["user"]["id"] == user["id"]
    client.cookies.clear()

    # snake_case input is accepted too (proto3 JSON); output is lowerCamelCase.
    r = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refreshToken"]})
    assert r.status_code == 200
    rotated = r.json()
    assert rotated["refreshToken"] != tokens["refreshToken"]

    r = client.post("/v1/auth/logout", json={"refreshToken": rotated["refreshToken"]})
    assert r.status_code == 200 and r.json()["revoked"] == 1
    assert "Max-Age=0" in r.headers["set-cookie"]
    r = client.post("/v1/auth/refresh", json={"refreshToken": rotated["refreshToken"]})
    assert r.status_code == 401 and reason(r) == "REFRESH_TOKEN_REVOKED"


@pytest.mark.parametrize(
    ("body", "status", "why"),
    [
        ({"email": "bad", "password": PASSWORD}, 400, "EMAIL_INVALID"),
        ({"password": PASSWORD}, 400, "EMAIL_REQUIRED"),
        ({"email": "short@example.com", "password": "1234567"}, 400, "PASSWORD_TOO_SHORT"),
        ({"email": "nopw@example.com"}, 400, "PASSWORD_REQUIRED"),
    ],
)
def test_register_bad_input_is_400_with_reason_and_field(client, body, status, why):
    r = client.post("/v1/auth/register", json=body)
    assert r.status_code == status and r.headers["content-type"].startswith("application/json")
    assert reason(r) == why
    violations = [d for d in r.json()["details"] if d["@type"].endswith("BadRequest")]
    assert violations and violations[0]["fieldViolations"][0]["field"] in ("email", "password")


def test_malformed_json_is_a_json_400(client):
    r = client.post("/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 3 and reason(r) == "INVALID_REQUEST"


def test_duplicate_email_is_409(client):
    tokens = register_and_login(client)
    r = client.post("/v1/auth/register", json={"email": tokens["email"], "password": PASSWORD})
    assert r.status_code == 409 and reason(r) == "EMAIL_TAKEN"


def test_wrong_password_and_unknown_user_look_the_same(client):
    tokens = register_and_login(client)
    a = client.post("/v1/auth/login", json={"email": tokens["email"], "password": "wrong password"})
    b = client.post("/v1/auth/login", json={"email": unique_email(), "password": PASSWORD})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json() and reason(a) == "INVALID_CREDENTIALS"


def test_envoy_refuses_missing_expired_tampered_and_wrong_audience_tokens(client, mesh):
    r = client.get("/v1/auth/me")
    assert r.status_code == 401 and r.json()["message"] == "Jwt is missing"
    r = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {mint(mesh, exp=1_000_000)}"})
    assert r.status_code == 401 and r.json()["message"] == "Jwt is expired"
    good = register_and_login(client)["accessToken"]
    head, payload, sig = good.split(".")
    r = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {head}.{payload}x.{sig}"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"
    r = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {mint(mesh, aud='another-api')}"})
    assert r.status_code == 403 and reason(r) == "PERMISSION_DENIED"


def test_reused_refresh_token_is_401_and_ends_the_session(client):
    tokens = register_and_login(client)
    assert client.post("/v1/auth/refresh", json={"refreshToken": tokens["refreshToken"]}).status_code == 200
    r = client.post("/v1/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert r.status_code == 401 and reason(r) == "REFRESH_TOKEN_REUSED"


def test_unknown_routes_are_404_json(client):
    tokens = register_and_login(client)
    r = client.get("/v1/no-such-thing", headers=auth_header(tokens))
    assert r.status_code == 404 and r.json()["code"] == 5


def test_cors_preflight_for_allowed_origins_only(client):
    allowed = client.options(
        "/v1/auth/login",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    denied = client.options(
        "/v1/auth/login", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in denied.headers


def test_service_tokens_are_refused_at_the_edge(client, mesh):
    """Service tokens carry the services' audience: Envoy lets no outside caller use one."""
    r = client.post("/v1/auth/service-tokens", json={"service": "gateway", "secret": mesh.service_secrets["gateway"]})
    assert r.status_code == 200
    token = r.json()["accessToken"]
    assert client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    bad = client.post("/v1/auth/service-tokens", json={"service": "gateway", "secret": "x" * 20})
    assert bad.status_code == 401 and reason(bad) == "INVALID_SERVICE_CREDENTIALS"
