"""The whole mesh (every registry service + the real Envoy) on free ports, once per database backend."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import text

from imagemesh_kit.db import sync_engine_for
from imagemesh_kit.mesh.launcher import Mesh, MeshConfig, free_port
from imagemesh_kit.mesh.registry import load_registry
from imagemesh_kit.testing import db_backends, drop_pg_schema, pg_url

PASSWORD = "correct horse battery"
STORAGE_URL_SECRET = "e2e-storage-url-secret-0123456789abcdef"


@pytest.fixture(scope="session", params=db_backends())
def mesh(request, tmp_path_factory):
    registry = load_registry()
    workdir = tmp_path_factory.mktemp(f"mesh-{request.param}")
    prefix = f"e2e{uuid.uuid4().hex[:6]}_" if request.param == "postgresql" else ""
    config = MeshConfig(
        workdir=workdir,
        listen_port=free_port(),
        admin_port=free_port(),
        service_ports={e.name: free_port() for e in registry.services},
        pg_url=pg_url() if request.param == "postgresql" else None,
        pg_schema_prefix=prefix,
        rate_limit_per_minute=1000,
        extra_env={
            "IMAGEMESH_ARGON2_TIME_COST": "1",
            "IMAGEMESH_ARGON2_MEMORY_KIB": "8192",
            # Known to the tests, so they can forge an already-expired signed URL.
            "IMAGEMESH_STORAGE_URL_SECRET": STORAGE_URL_SECRET,
            # Job workers: short leases, so a job whose worker was killed is taken over within seconds.
            "IMAGEMESH_LEASE_S": "4",
            "IMAGEMESH_WORKER_CONCURRENCY": "2",
        },
    )
    m = Mesh(registry, config)
    m.backend = request.param
    try:
        m.start(timeout_s=90)
        yield m
    finally:
        m.stop()
        if request.param == "postgresql":
            for entry in registry.services:
                if entry.database:
                    drop_pg_schema(config.pg_url, f"{prefix}{entry.name}")


@pytest.fixture
def client(mesh):
    with httpx.Client(base_url=mesh.base_url, timeout=10) as c:
        yield c


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def register_and_login(client: httpx.Client, email: str | None = None) -> dict:
    email = email or unique_email()
    r = client.post("/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Test"})
    assert r.status_code == 200, r.text
    r = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {**r.json(), "email": email}


def auth_header(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def current_signing_key(mesh: Mesh) -> tuple[str, str]:
    """(kid, private PEM) of the auth service's signing key, read from its database like an operator would."""
    entry = mesh.registry.entry("auth")
    env = mesh.database_env(entry)
    engine = sync_engine_for(env["IMAGEMESH_DATABASE_URL"], env.get("IMAGEMESH_DATABASE_SCHEMA"))
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT kid, private_pem FROM signing_keys WHERE state = 'current'")).one()
    finally:
        engine.dispose()
    return row[0], row[1]


def mint(mesh: Mesh, **claims) -> str:
    kid, pem = current_signing_key(mesh)
    now = int(time.time())
    base = {
        "iss": "imagemesh-auth",
        "aud": "imagemesh",
        "sub": "someone",
        "iat": now,
        "exp": now + 600,
        "typ": "access",
    }
    return jwt.encode({**base, **claims}, pem, algorithm="EdDSA", headers={"kid": kid})


def grpcurl(
    mesh: Mesh, *verb: str, flags: tuple[str, ...] = (), data: str | None = None
) -> subprocess.CompletedProcess:
    """grpcurl as an outside client: `grpcurl -plaintext [flags] [-d data] <envoy> <verb...>`."""
    binary = Path(sys.executable).parent / "grpcurl"
    argv = [str(binary), "-plaintext", *flags]
    if data is not None:
        argv += ["-d", data]
    return subprocess.run([*argv, mesh.grpc_target, *verb], capture_output=True, text=True, timeout=30)
