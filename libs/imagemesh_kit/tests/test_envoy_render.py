"""The Envoy config derived from the registry and the protos' method policies."""

import re

from imagemesh_kit.mesh.envoy import EnvoyOptions, render, template_to_regex
from imagemesh_kit.mesh.registry import load_registry


def test_path_templates_become_anchored_regexes():
    assert re.match(template_to_regex("/v1/users/{id}"), "/v1/users/abc")
    assert not re.match(template_to_regex("/v1/users/{id}"), "/v1/users/abc/x")
    assert re.match(template_to_regex("/v1/images/{image_id}:assess"), "/v1/images/42:assess")
    assert re.match(template_to_regex("/v1/{name=files/**}"), "/v1/files/a/b")


def rendered():
    registry = load_registry()
    upstreams = {e.name: [("127.0.0.1", 1000 + i)] for i, e in enumerate(registry.services)}
    return registry, render(registry, EnvoyOptions(upstreams=upstreams, descriptor_path="/x.pb"))


def filters(config):
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    return hcm, {f["name"].rsplit(".", 1)[-1]: f["typed_config"] for f in hcm["http_filters"]}


def test_public_methods_are_open_in_both_forms_and_everything_else_needs_a_token():
    _, config = rendered()
    _, f = filters(config)
    rules = f["jwt_authn"]["rules"]
    open_paths = {r["match"].get("path") for r in rules if "requires" not in r}
    open_regexes = {r["match"].get("safe_regex", {}).get("regex") for r in rules if "requires" not in r}
    assert "/imagemesh.auth.v1.AuthService/Login" in open_paths
    assert "^/v1/auth/login$" in open_regexes and "^/healthz$" in open_regexes
    assert "/imagemesh.auth.v1.AuthService/GetMe" not in open_paths
    assert rules[-1] == {"match": {"prefix": "/"}, "requires": {"provider_name": "imagemesh"}}
    logout = [r for r in rules if r["match"].get("path") == "/imagemesh.auth.v1.AuthService/Logout"]
    assert {"allow_missing": {}} in logout[0]["requires"]["requires_any"]["requirements"]


def test_every_registered_service_is_transcoded_routed_and_health_checked():
    registry, config = rendered()
    hcm, f = filters(config)
    assert "imagemesh.auth.v1.AuthService" in f["grpc_json_transcoder"]["services"]
    assert f["grpc_json_transcoder"]["max_request_body_size"] == 32 * 1024 * 1024
    assert f["grpc_json_transcoder"]["request_validation_options"]["reject_unknown_method"] is True
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    for entry in registry.services:
        assert clusters[entry.name]["health_checks"][0]["grpc_health_check"] == {}
    prefixes = [r["match"].get("prefix") for r in hcm["route_config"]["virtual_hosts"][0]["routes"]]
    assert "/imagemesh.auth.v1.AuthService/" in prefixes


def test_credential_methods_are_rate_limited_per_route():
    _, config = rendered()
    hcm, _ = filters(config)
    limited = [
        r
        for r in hcm["route_config"]["virtual_hosts"][0]["routes"]
        if "envoy.filters.http.local_ratelimit" in r.get("typed_per_filter_config", {})
    ]
    matched = {r["match"].get("path") or r["match"]["safe_regex"]["regex"] for r in limited}
    assert {"^/v1/auth/login$", "/imagemesh.auth.v1.AuthService/Login", "^/v1/auth/register$"} <= matched
