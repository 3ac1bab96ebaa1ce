"""Deployment files derived from the registry: present, consistent, valid, and not drifted."""

from __future__ import annotations

import dataclasses
import subprocess

import yaml

from imagemesh_kit.mesh.deploy import compose, envoy_for_containers, kubernetes, rendered_files
from imagemesh_kit.mesh.launcher import envoy_binary
from imagemesh_kit.mesh.registry import REPO_ROOT, ServiceEntry, load_registry


def test_committed_files_match_the_registry():
    for path, text in rendered_files(load_registry()).items():
        assert path.read_text() == text, f"{path} is stale: run `make deploy`"


def test_compose_runs_every_service_with_postgres_and_envoy_in_front():
    registry = load_registry()
    doc = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    for entry in registry.services:
        svc = doc["services"][entry.name]
        assert svc["command"] == ["python", "-m", entry.module]
        assert svc["environment"]["IMAGEMESH_PORT"] == str(entry.port)
        if entry.database:
            assert svc["environment"]["IMAGEMESH_DATABASE_SCHEMA"] == entry.name
            assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert doc["services"]["envoy"]["depends_on"][entry.name]["condition"] == "service_healthy"
    targets = doc["services"]["gateway"]["environment"]["IMAGEMESH_GATEWAY_TARGETS"]
    assert {t.split("=")[0] for t in targets.split(",")} == {e.name for e in registry.services}


def test_kubernetes_manifests_are_well_formed():
    docs = list(yaml.safe_load_all((REPO_ROOT / "deploy" / "k8s" / "imagemesh.yaml").read_text()))
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for entry in load_registry().services:
        assert ("Deployment", entry.name) in kinds and ("Service", entry.name) in kinds
    for d in docs:
        assert d["apiVersion"] in ("apps/v1", "v1") and d["metadata"]["labels"]
        if d["kind"] == "Deployment":
            assert d["spec"]["selector"]["matchLabels"] == d["spec"]["template"]["metadata"]["labels"]


def test_container_envoy_config_is_accepted_by_envoy(tmp_path):
    config = envoy_for_containers(load_registry())
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    transcoder = next(f for f in hcm["http_filters"] if f["name"].endswith("grpc_json_transcoder"))
    transcoder["typed_config"]["proto_descriptor"] = str(REPO_ROOT / "libs" / "gen" / "imagemesh.pb")
    path = tmp_path / "envoy.yaml"
    path.write_text(yaml.safe_dump(config))
    out = subprocess.run(
        [envoy_binary(), "--mode", "validate", "-c", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout + out.stderr


def test_adding_a_service_is_one_registry_entry():
    registry = load_registry()
    extra = ServiceEntry(name="extra", module="services.gateway.main", package="imagemesh.gateway.v1", port=50099)
    bigger = dataclasses.replace(registry, services=[*registry.services, extra])
    assert "extra" in compose(bigger)["services"]
    assert any(d["metadata"]["name"] == "extra" for d in kubernetes(bigger))
    clusters = {c["name"] for c in envoy_for_containers(bigger)["static_resources"]["clusters"]}
    assert "extra" in clusters
