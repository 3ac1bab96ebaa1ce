"""/healthz, the per-route rate limit on credentials, and a service going away and coming back."""

from __future__ import annotations

import time

import httpx
import pytest

from imagemesh_kit.mesh.launcher import free_port

pytestmark = pytest.mark.e2e


def test_healthz_names_every_service(client, mesh):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "SERVING"
    assert {s["name"] for s in body["services"]} == {e.name for e in mesh.entries}
    assert all(s["status"] == "SERVING" for s in body["services"])


def test_login_is_rate_limited_per_route(mesh):
    """A second Envoy over the same services with a limit of 3 per minute."""
    port = free_port()
    mesh.start_envoy(
        "envoy-ratelimit", mesh.envoy_config(rate_limit_per_minute=3, listen_port=port, admin_port=free_port())
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                try:
                    c.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            codes = [
                c.post("/v1/auth/login", json={"email": "x@example.com", "password": "whatever1"}) for _ in range(5)
            ]
            assert [r.status_code for r in codes[:3]] == [401, 401, 401]
            limited = codes[4]
            assert limited.status_code == 429 and limited.headers["x-local-rate-limit"] == "true"
            assert limited.json()["details"][0]["reason"] == "RATE_LIMITED"
            # Other routes are not limited.
            assert all(c.get("/healthz").status_code == 200 for _ in range(5))
    finally:
        mesh.stop_process("envoy-ratelimit")


def test_healthz_is_503_naming_the_service_that_is_down_then_recovers(client, mesh):
    """Runs last in this module: it stops and restarts the auth service."""
    mesh.stop_process("auth")
    try:
        r = client.get("/healthz")
        assert r.status_code == 503
        body = r.json()
        assert body["details"][0]["reason"] == "SERVICES_NOT_SERVING" and "auth" in body["message"]
        report = next(d for d in body["details"] if d["@type"].endswith("GetHealthResponse"))
        statuses = {s["name"]: s["status"] for s in report["services"]}
        assert statuses["auth"] == "UNREACHABLE" and statuses["gateway"] == "SERVING"
    finally:
        mesh.start_service("auth")
    assert mesh.wait_healthy(60)["status"] == "SERVING"
