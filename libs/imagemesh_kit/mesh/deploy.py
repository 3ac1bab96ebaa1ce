"""docker-compose.yml, the compose Envoy config and Kubernetes manifests, derived from the registry.

    python -m imagemesh_kit.mesh.deploy --write   # regenerate (make deploy)
    python -m imagemesh_kit.mesh.deploy --check   # fail if the committed files drifted (make lint)

In containers every service listens on 0.0.0.0:<registry port>, uses PostgreSQL (schema = service
name) and finds the others by DNS name; Envoy resolves names with STRICT_DNS, so the replicas of a
service (compose `deploy.replicas`, k8s headless Services) are all balanced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from imagemesh_kit.mesh.envoy import EnvoyOptions, render
from imagemesh_kit.mesh.registry import REPO_ROOT, Registry, ServiceEntry, load_registry

HEADER = "# GENERATED from deploy/services.toml by `make deploy`; do not edit by hand.\n"
IMAGE = "imagemesh:latest"
PG_URL = "postgresql+psycopg://imagemesh:imagemesh@postgres:5432/imagemesh"
DESCRIPTOR_IN_IMAGE = "/app/libs/gen/imagemesh.pb"
REPLICAS = 2


def _service_env(registry: Registry, entry: ServiceEntry, auth_host: str) -> dict[str, str]:
    env = {
        "IMAGEMESH_HOST": "0.0.0.0",
        "IMAGEMESH_PORT": str(entry.port),
        "IMAGEMESH_AUTH_TARGET": f"{auth_host}:{registry.entry('auth').port}",
        "IMAGEMESH_LOG_LEVEL": "INFO",
    }
    if any(e.name == "storage" for e in registry.services):
        env["IMAGEMESH_STORAGE_TARGET"] = f"storage:{registry.entry('storage').port}"
    if entry.database:
        env["IMAGEMESH_DATABASE_URL"] = PG_URL
        env["IMAGEMESH_DATABASE_SCHEMA"] = entry.name
    if entry.name == "gateway":
        env["IMAGEMESH_GATEWAY_TARGETS"] = ",".join(f"{e.name}={e.name}:{e.port}" for e in registry.services)
    # Service identity: secrets come from the environment of `docker compose` (never committed).
    env["IMAGEMESH_SERVICE_NAME"] = entry.name
    env["IMAGEMESH_SERVICE_SECRET"] = f"${{{_secret_var(entry.name)}:?set {_secret_var(entry.name)}}}"
    if entry.name == "auth":
        env["IMAGEMESH_SERVICE_CREDENTIALS"] = ",".join(
            f"{e.name}=${{{_secret_var(e.name)}}}" for e in registry.services
        )
    return {**env, **entry.env}


def _secret_var(name: str) -> str:
    return f"IMAGEMESH_SECRET_{name.upper()}"


def envoy_for_containers(registry: Registry) -> dict:
    opts = EnvoyOptions(
        listen_address="0.0.0.0",
        admin_address="0.0.0.0",
        upstreams={e.name: [(e.name, e.port)] for e in registry.services},
        descriptor_path=DESCRIPTOR_IN_IMAGE,
        dns_type="STRICT_DNS",
        cors_origins=("http://localhost:3000",),
    )
    config = render(registry, opts)
    # Envoy fetches the JWKS through its own listener; inside the container that is loopback.
    for cluster in config["static_resources"]["clusters"]:
        if cluster["name"] == "edge_self":
            cluster["type"] = "STATIC"
            addr = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
            addr["socket_address"]["address"] = "127.0.0.1"
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    jwt = next(f for f in hcm["http_filters"] if f["name"] == "envoy.filters.http.jwt_authn")
    jwt["typed_config"]["providers"]["imagemesh"]["remote_jwks"]["http_uri"]["uri"] = (
        f"http://127.0.0.1:{opts.listen_port}/v1/auth/jwks"
    )
    return config


def compose(registry: Registry) -> dict:
    healthcheck_cmd = (
        "import grpc,sys;from grpc_health.v1 import health_pb2 as h,health_pb2_grpc as g;"
        "c=grpc.insecure_channel('127.0.0.1:{port}');"
        "sys.exit(g.HealthStub(c).Check(h.HealthCheckRequest(),timeout=2).status!=1)"
    )
    services: dict = {
        "postgres": {
            "image": "postgres:16",
            "environment": {"POSTGRES_USER": "imagemesh", "POSTGRES_PASSWORD": "imagemesh", "POSTGRES_DB": "imagemesh"},
            "volumes": ["pgdata:/var/lib/postgresql/data"],
            "healthcheck": {"test": ["CMD", "pg_isready", "-U", "imagemesh"], "interval": "5s", "retries": 10},
        },
    }
    for entry in registry.services:
        svc: dict = {
            "image": IMAGE,
            "build": {"context": ".", "dockerfile": "deploy/docker/Dockerfile"},
            "command": ["python", "-m", entry.module],
            "environment": _service_env(registry, entry, "auth"),
            "healthcheck": {
                "test": ["CMD", "python", "-c", healthcheck_cmd.format(port=entry.port)],
                "interval": "5s",
                "retries": 10,
            },
            "deploy": {"replicas": 1 if entry.name == "gateway" else REPLICAS},
        }
        if entry.database:
            svc["depends_on"] = {"postgres": {"condition": "service_healthy"}}
        services[entry.name] = svc
    services["envoy"] = {
        "image": IMAGE,
        "command": ["envoy", "-c", "/app/deploy/envoy/envoy.compose.yaml", "--concurrency", "2"],
        "ports": ["8080:8080"],
        "depends_on": {e.name: {"condition": "service_healthy"} for e in registry.services},
    }
    return {"name": "imagemesh", "services": services, "volumes": {"pgdata": {}}}


def kubernetes(registry: Registry) -> list[dict]:
    docs: list[dict] = []
    meta = {"app.kubernetes.io/part-of": "imagemesh"}
    for entry in registry.services:
        labels = {**meta, "app.kubernetes.io/name": entry.name}
        env = [{"name": k, "value": v} for k, v in _service_env(registry, entry, "auth").items()]
        if entry.database:  # the password comes from a Secret in k8s, not from the manifest
            env = [e for e in env if e["name"] != "IMAGEMESH_DATABASE_URL"]
            env.append(
                {
                    "name": "IMAGEMESH_DATABASE_URL",
                    "valueFrom": {"secretKeyRef": {"name": "imagemesh-db", "key": "url"}},
                }
            )
        probe = {"grpc": {"port": entry.port}, "periodSeconds": 5}
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": entry.name, "labels": labels},
                "spec": {
                    "replicas": 1 if entry.name == "gateway" else REPLICAS,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "terminationGracePeriodSeconds": 20,
                            "containers": [
                                {
                                    "name": entry.name,
                                    "image": IMAGE,
                                    "command": ["python", "-m", entry.module],
                                    "ports": [{"name": "grpc", "containerPort": entry.port}],
                                    "env": env,
                                    "readinessProbe": probe,
                                    "livenessProbe": {**probe, "periodSeconds": 10},
                                }
                            ],
                        },
                    },
                },
            }
        )
        # Headless: DNS returns every pod, and Envoy (STRICT_DNS) balances gRPC calls across them.
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": entry.name, "labels": labels},
                "spec": {"clusterIP": "None", "selector": labels, "ports": [{"name": "grpc", "port": entry.port}]},
            }
        )
    envoy_labels = {**meta, "app.kubernetes.io/name": "envoy"}
    docs.append(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "envoy", "labels": envoy_labels},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": envoy_labels},
                "template": {
                    "metadata": {"labels": envoy_labels},
                    "spec": {
                        "containers": [
                            {
                                "name": "envoy",
                                "image": IMAGE,
                                "command": ["envoy", "-c", "/app/deploy/envoy/envoy.compose.yaml"],
                                "ports": [{"name": "http", "containerPort": 8080}],
                                "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
                            }
                        ]
                    },
                },
            },
        }
    )
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "envoy", "labels": envoy_labels},
            "spec": {"type": "LoadBalancer", "selector": envoy_labels, "ports": [{"name": "http", "port": 8080}]},
        }
    )
    return docs


def rendered_files(registry: Registry) -> dict[Path, str]:
    dump = lambda obj: yaml.safe_dump(obj, sort_keys=False, width=120)  # noqa: E731
    return {
        REPO_ROOT / "docker-compose.yml": HEADER + dump(compose(registry)),
        REPO_ROOT / "deploy" / "envoy" / "envoy.compose.yaml": HEADER + dump(envoy_for_containers(registry)),
        REPO_ROOT / "deploy" / "k8s" / "imagemesh.yaml": HEADER
        + yaml.safe_dump_all(kubernetes(registry), sort_keys=False, width=120),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for path, text in rendered_files(load_registry()).items():
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            stale.append(str(path.relative_to(REPO_ROOT)))
    if stale:
        print(f"out of date (run `make deploy`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
