"""`make run`'s entry point: starts everything, prints the URLs, stops on Ctrl-C, reuses its data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from imagemesh_kit.mesh.launcher import free_port
from imagemesh_kit.mesh.registry import REPO_ROOT, load_registry

pytestmark = pytest.mark.e2e


def run_mesh(var_dir, port, admin_port, service_ports):
    env = {
        **os.environ,
        "IMAGEMESH_VAR_DIR": str(var_dir),
        "IMAGEMESH_LISTEN_PORT": str(port),
        "IMAGEMESH_ADMIN_PORT": str(admin_port),
        "IMAGEMESH_ARGON2_TIME_COST": "1",
        "IMAGEMESH_ARGON2_MEMORY_KIB": "8192",
        **{f"IMAGEMESH_SERVICE_PORT_{name.upper()}": str(p) for name, p in service_ports.items()},
    }
    env.pop("IMAGEMESH_PG_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "imagemesh_kit.mesh.run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 90
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C stops everything" in line or time.monotonic() > deadline:
            break
    assert "imagemesh is up." in "".join(lines), "".join(lines)
    return proc, lines


def stop(proc):
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped." in out


def test_make_run_starts_everything_and_a_second_run_reuses_the_data(tmp_path):
    port, admin = free_port(), free_port()
    ports = {e.name: free_port() for e in load_registry().services}
    proc, lines = run_mesh(tmp_path / "var", port, admin, ports)
    try:
        assert f"http://127.0.0.1:{port}" in "".join(lines)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            assert c.get("/healthz").status_code == 200
            r = c.post("/v1/auth/register", json={"email": "keep@example.com", "password": "kept across runs"})
            assert r.status_code == 200
    finally:
        stop(proc)
    assert (tmp_path / "var" / "auth.db").exists()

    proc, _ = run_mesh(tmp_path / "var", port, admin, ports)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            r = c.post("/v1/auth/login", json={"email": "keep@example.com", "password": "kept across runs"})
            assert r.status_code == 200, r.text
    finally:
        stop(proc)
