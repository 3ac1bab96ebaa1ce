"""Starts the registry's services and Envoy as child processes, waits for /healthz, stops them cleanly.

Used by `make run` (fixed ports from the registry, data under var/) and by the end-to-end tests
(free ports, a temporary data folder, SQLite or PostgreSQL).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from imagemesh_kit.mesh.envoy import EnvoyOptions, render
from imagemesh_kit.mesh.registry import REPO_ROOT, Registry, ServiceEntry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def envoy_binary() -> str:
    candidate = Path(sys.executable).parent / "envoy"
    return str(candidate) if candidate.exists() else "envoy"


@dataclass
class MeshConfig:
    workdir: Path
    listen_port: int = 8080
    admin_port: int = 9901
    service_ports: dict[str, int] = field(default_factory=dict)  # empty: registry defaults
    pg_url: str | None = None  # PostgreSQL for every service with a database (schema = service name)
    pg_schema_prefix: str = ""
    rate_limit_per_minute: int = 60
    envoy_concurrency: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    services: list[str] | None = None  # subset of the registry (tests); None = all


class Mesh:
    def __init__(self, registry: Registry, config: MeshConfig) -> None:
        self.registry = registry
        self.config = config
        self.entries = [e for e in registry.services if config.services is None or e.name in config.services]
        self.ports = {e.name: config.service_ports.get(e.name, e.port) for e in self.entries}
        self.procs: dict[str, subprocess.Popen] = {}
        # Each service's credential for service tokens: fresh per launch, known to auth and to the service.
        self.service_secrets = {e.name: secrets.token_urlsafe(24) for e in self.entries}
        self._logs: list = []
        (config.workdir / "log").mkdir(parents=True, exist_ok=True)

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.config.listen_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.config.listen_port}"

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def database_env(self, entry: ServiceEntry) -> dict[str, str]:
        if not entry.database:
            return {}
        if self.config.pg_url:
            return {
                "IMAGEMESH_DATABASE_URL": self.config.pg_url,
                "IMAGEMESH_DATABASE_SCHEMA": f"{self.config.pg_schema_prefix}{entry.name}",
            }
        return {"IMAGEMESH_DATABASE_URL": f"sqlite+aiosqlite:///{self.config.workdir / (entry.name + '.db')}"}

    def service_env(self, entry: ServiceEntry) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "IMAGEMESH_HOST": "127.0.0.1",
            "IMAGEMESH_PORT": str(self.ports[entry.name]),
            "IMAGEMESH_AUTH_TARGET": self.target("auth") if "auth" in self.ports else "",
            "IMAGEMESH_STORAGE_TARGET": self.target("storage") if "storage" in self.ports else "",
            "IMAGEMESH_GATEWAY_TARGETS": ",".join(f"{e.name}={self.target(e.name)}" for e in self.entries),
            "IMAGEMESH_BLOB_DIR": str(self.config.workdir / "blobs"),
            "IMAGEMESH_PUBLIC_BASE_URL": self.base_url,
            "IMAGEMESH_SERVICE_NAME": entry.name,
            "IMAGEMESH_SERVICE_SECRET": self.service_secrets[entry.name],
            "IMAGEMESH_SERVICE_CREDENTIALS": ",".join(f"{n}={s}" for n, s in self.service_secrets.items())
            if entry.name == "auth"
            else "",
            **self.database_env(entry),
            **entry.env,
            **self.config.extra_env,
        }
        return env

    def envoy_config(
        self, rate_limit_per_minute: int | None = None, listen_port: int | None = None, admin_port: int | None = None
    ) -> dict:
        opts = EnvoyOptions(
            listen_port=listen_port or self.config.listen_port,
            admin_port=admin_port or self.config.admin_port,
            upstreams={e.name: [("127.0.0.1", self.ports[e.name])] for e in self.entries},
            descriptor_path=str(self.registry.descriptor_set),
            rate_limit_per_minute=rate_limit_per_minute or self.config.rate_limit_per_minute,
            cors_origins=tuple(
                filter(None, os.environ.get("IMAGEMESH_CORS_ORIGINS", "http://localhost:3000").split(","))
            ),
        )
        return render(self.registry.__class__(self.entries, descriptor_set=self.registry.descriptor_set), opts)

    # -- processes -----------------------------------------------------------------------------

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        """Start a process of the mesh (logs under workdir/log, stopped with the rest); tests add replicas."""
        log = open(self.config.workdir / "log" / f"{name}.log", "ab")
        self._logs.append(log)
        self.procs[name] = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_service(self, name: str) -> None:
        entry = next(e for e in self.entries if e.name == name)
        self.spawn(entry.name, [sys.executable, "-m", entry.module], self.service_env(entry))

    def start_services(self) -> None:
        for entry in self.entries:
            self.start_service(entry.name)

    def start_envoy(self, name: str = "envoy", config: dict | None = None) -> None:
        path = self.config.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config or self.envoy_config(), sort_keys=False))
        argv = [
            envoy_binary(),
            "-c",
            str(path),
            "--concurrency",
            str(self.config.envoy_concurrency),
            "--use-dynamic-base-id",
            "--log-level",
            "warn",
            "--drain-time-s",
            "1",
        ]
        self.spawn(name, argv, dict(os.environ))

    def start(self, timeout_s: float = 60.0) -> None:
        self.start_services()
        self.start_envoy()
        self.wait_healthy(timeout_s)

    def create_admin(self, email: str, password: str, name: str = "Admin") -> str:
        """`services.auth.cli create-admin` on this mesh's auth database, as an operator runs it: a new admin
        account, or an existing one promoted (its next login gets an admin token). Returns what it printed."""
        argv = [sys.executable, "-m", "services.auth.cli", "create-admin", "--email", email, "--name", name]
        env = {**self.service_env(self.registry.entry("auth")), "IMAGEMESH_ADMIN_PASSWORD": password}
        out = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"create-admin failed ({out.returncode}): {out.stderr.strip()}")
        return out.stdout

    def wait_healthy(self, timeout_s: float) -> dict:
        deadline = time.monotonic() + timeout_s
        last = ""
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as exc:
                last = f"{exc.code} {exc.read()[:300]!r}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"mesh not healthy after {timeout_s}s: {last}\n{self.log_tails()}")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}\n{self.log_tails()}")

    def log_tails(self, lines: int = 15) -> str:
        out = []
        for name in self.procs:
            path = self.config.workdir / "log" / f"{name}.log"
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {name} ---\n" + "\n".join(tail))
        return "\n".join(out)

    def stop_process(self, name: str, timeout_s: float = 15.0) -> int | None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop(self) -> None:
        names = list(self.procs)
        for name in names:  # signal all first, so they drain in parallel
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGTERM)
        for name in names:
            self.stop_process(name)
        for log in self._logs:
            log.close()
        self._logs.clear()
