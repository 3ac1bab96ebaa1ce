"""Roles through Envoy: the CLI makes the first admin; admins list and manage accounts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD, auth_header, register_and_login, unique_email

pytestmark = pytest.mark.e2e


def test_cli_admin_lists_pages_and_disables_users(client, mesh):
    admin_email = unique_email("admin")
    assert "created admin" in mesh.create_admin(admin_email, PASSWORD)
    r = client.post("/v1/auth/login", json={"email": admin_email, "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["role"] == "ROLE_ADMIN"
    admin = r.json()

    victim = register_and_login(client)
    victim_id = client.get("/v1/auth/me", headers=auth_header(victim)).json()["user"]["id"]

    page = client.get("/v1/users", params={"page_size": 1}, headers=auth_header(admin))
    assert page.status_code == 200 and len(page.json()["users"]) == 1 and page.json()["nextPageToken"]

    r = client.patch(f"/v1/users/{victim_id}", json={"disabled": True}, headers=auth_header(admin))
    assert r.status_code == 200 and r.json()["user"]["disabled"] is True
    r = client.post("/v1/auth/login", json={"email": victim["email"], "password": PASSWORD})
    assert r.status_code == 403 and r.json()["details"][0]["reason"] == "USER_DISABLED"
    r = client.post("/v1/auth/refresh", json={"refreshToken": victim["refreshToken"]})
    assert r.status_code == 401

    r = client.patch(
        f"/v1/users/{victim_id}", json={"role": "ROLE_ADMIN", "disabled": False}, headers=auth_header(admin)
    )
    assert r.status_code == 200 and r.json()["user"]["role"] == "ROLE_ADMIN"
    r = client.patch("/v1/users/does-not-exist", json={"disabled": True}, headers=auth_header(admin))
    assert r.status_code == 404


def test_running_the_cli_again_promotes_instead_of_failing(client, mesh):
    email = unique_email("later-admin")
    register_and_login(client, email)
    assert "promoted existing account" in mesh.create_admin(email, PASSWORD)


def test_plain_users_get_403_on_admin_routes(client):
    user = register_and_login(client)
    r = client.get("/v1/users", headers=auth_header(user))
    assert r.status_code == 403 and r.json()["details"][0]["reason"] == "ADMIN_REQUIRED"
