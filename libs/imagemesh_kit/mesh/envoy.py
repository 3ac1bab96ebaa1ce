"""Envoy configuration, derived from the registry and the protos' method options.

One listener serves REST (gRPC-JSON transcoding) and native gRPC. Per request:
CORS -> jwt_authn (rules from each method's `policy.access`) -> local rate limit (methods with
`policy.rate_limited`) -> transcoder -> router (clusters by gRPC service prefix).
Envoy's own error replies (401/403/404/413/429/503...) are rendered as the same JSON shape the
transcoder gives gRPC errors: {"code", "message", "details": [ErrorInfo]}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from google.api import annotations_pb2, http_pb2

from imagemesh.options.v1 import options_pb2
from imagemesh_kit.mesh.registry import Registry

MIB = 1024 * 1024
PROVIDER = "imagemesh"
ROUTING_HEADER = "x-imagemesh-service"
HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"


@dataclass(frozen=True)
class EnvoyOptions:
    listen_address: str = "127.0.0.1"
    listen_port: int = 8080
    admin_address: str = "127.0.0.1"
    admin_port: int = 9901
    # service name -> [(host, port)] (several = replicas)
    upstreams: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    descriptor_path: str = ""
    cors_origins: tuple[str, ...] = ("http://localhost:3000", "http://127.0.0.1:3000")
    rate_limit_per_minute: int = 60
    max_body_bytes: int = 32 * MIB
    jwt_issuer: str = "imagemesh-auth"
    jwt_audience: str = "imagemesh"
    jwks_cache_s: int = 300
    access_log_path: str = "/dev/stdout"
    dns_type: str = "STATIC"  # STRICT_DNS for docker-compose / k8s names


@dataclass(frozen=True)
class MethodRoute:
    service: str  # registry name
    grpc_path: str  # /pkg.Service/Method
    http_verb: str
    http_regex: str
    access: int
    rate_limited: bool


def template_to_regex(template: str) -> str:
    """google.api.http path template -> anchored RE2 regex (variables match one segment or more)."""
    out, i = [], 0
    for m in re.finditer(r"\{([^}=]+)(?:=([^}]*))?\}", template):
        out.append(re.escape(template[i : m.start()]))
        pattern = m.group(2) or "*"
        out.append(
            "/".join(".+" if seg == "**" else "[^/]+" if seg == "*" else re.escape(seg) for seg in pattern.split("/"))
        )
        i = m.end()
    out.append(re.escape(template[i:]))
    return "^" + "".join(out).replace("\\/", "/").replace("\\-", "-") + "$"


def _http_rules(rule: http_pb2.HttpRule) -> list[tuple[str, str]]:
    rules = []
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        rules.append((rule.custom.kind.upper(), rule.custom.path))
    elif kind:
        rules.append((kind.upper(), getattr(rule, kind)))
    for extra in rule.additional_bindings:
        rules += _http_rules(extra)
    return rules


def method_routes(registry: Registry) -> list[MethodRoute]:
    routes = []
    for entry in registry.services:
        for full_name, svc in registry.proto_services(entry):
            for m in svc.method:
                policy = m.options.Extensions[options_pb2.policy]
                for verb, path in _http_rules(m.options.Extensions[annotations_pb2.http]):
                    routes.append(
                        MethodRoute(
                            service=entry.name,
                            grpc_path=f"/{full_name}/{m.name}",
                            http_verb=verb,
                            http_regex=template_to_regex(path),
                            access=policy.access,
                            rate_limited=policy.rate_limited,
                        )
                    )
    return routes


def _regex_match(regex: str, verb: str | None = None) -> dict:
    match: dict = {"safe_regex": {"regex": regex}}
    if verb:
        match["headers"] = [{"name": ":method", "string_match": {"exact": verb}}]
    return match


def _jwt_rules(routes: list[MethodRoute]) -> list[dict]:
    optional = {"requires_any": {"requirements": [{"provider_name": PROVIDER}, {"allow_missing": {}}]}}
    rules: list[dict] = [
        {"match": {"prefix": "/grpc.health.v1."}},
        {"match": {"prefix": "/grpc.reflection."}},
    ]
    for r in routes:
        if r.access == options_pb2.ACCESS_PUBLIC:
            rules.append({"match": {"path": r.grpc_path}})
            rules.append({"match": _regex_match(r.http_regex, r.http_verb)})
        elif r.access == options_pb2.ACCESS_OPTIONAL:
            rules.append({"match": {"path": r.grpc_path}, "requires": optional})
            rules.append({"match": _regex_match(r.http_regex, r.http_verb), "requires": optional})
    rules.append({"match": {"prefix": "/"}, "requires": {"provider_name": PROVIDER}})
    return rules


def _rate_limit(opts: EnvoyOptions) -> dict:
    per_minute = max(1, opts.rate_limit_per_minute)
    on = {"default_value": {"numerator": 100, "denominator": "HUNDRED"}, "runtime_key": "credentials_rl"}
    return {
        "envoy.filters.http.local_ratelimit": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
            "stat_prefix": "credentials_rate_limit",
            "token_bucket": {"max_tokens": per_minute, "tokens_per_fill": per_minute, "fill_interval": "60s"},
            "filter_enabled": on,
            "filter_enforced": on,
            "response_headers_to_add": [
                {
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                    "header": {"key": "x-local-rate-limit", "value": "true"},
                }
            ],
        }
    }


def _routes(registry: Registry, routes: list[MethodRoute], opts: EnvoyOptions) -> list[dict]:
    out: list[dict] = []
    streaming = {"timeout": "0s", "idle_timeout": "300s"}
    # Rate-limited methods: their own routes (REST form, seen before transcoding, and gRPC form).
    for r in routes:
        if r.rate_limited:
            per_route = {"typed_per_filter_config": _rate_limit(opts)}
            out.append({"match": _regex_match(r.http_regex, r.http_verb), "route": {"cluster": r.service}, **per_route})
            out.append({"match": {"path": r.grpc_path}, "route": {"cluster": r.service}, **per_route})
    # Health and reflection of one service by header; without the header, the gateway (which knows all protos).
    for entry in registry.services:
        for prefix in ("/grpc.health.v1.", "/grpc.reflection."):
            out.append(
                {
                    "match": {
                        "prefix": prefix,
                        "headers": [{"name": ROUTING_HEADER, "string_match": {"exact": entry.name}}],
                    },
                    "route": {"cluster": entry.name},
                }
            )
    for prefix in ("/grpc.health.v1.", "/grpc.reflection."):
        out.append({"match": {"prefix": prefix}, "route": {"cluster": "gateway", **streaming}})
    for entry in registry.services:
        for full_name, _ in registry.proto_services(entry):
            out.append({"match": {"prefix": f"/{full_name}/"}, "route": {"cluster": entry.name, **streaming}})
    # Last: anything else (CORS preflights of REST paths need a matched route; unknown REST paths are
    # refused by the transcoder, unknown gRPC methods answer UNIMPLEMENTED from the gateway).
    out.append({"match": {"prefix": "/"}, "route": {"cluster": "gateway"}})
    return out


def _local_reply_config() -> dict:
    # Envoy's own replies as {"code": <gRPC code>, "message": .., "details": [ErrorInfo]}.
    mapping = [
        (400, 3, "INVALID_REQUEST"),
        (401, 16, "UNAUTHENTICATED"),
        (403, 7, "PERMISSION_DENIED"),
        (404, 5, "NOT_FOUND"),
        (413, 8, "PAYLOAD_TOO_LARGE"),
        (429, 8, "RATE_LIMITED"),
        (503, 14, "UNAVAILABLE"),
        (504, 4, "DEADLINE_EXCEEDED"),
    ]
    mappers = []
    for http, grpc_code, reason in mapping:
        mappers.append(
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {
                                "status_code_filter": {
                                    "comparison": {
                                        "op": "EQ",
                                        "value": {"default_value": http, "runtime_key": f"local_reply_{http}"},
                                    }
                                }
                            },
                            # Native gRPC clients get grpc-status/grpc-message, not a JSON body. A transcoded
                            # REST call already carries application/grpc but also x-envoy-original-path.
                            {
                                "or_filter": {
                                    "filters": [
                                        {
                                            "header_filter": {
                                                "header": {
                                                    "name": "content-type",
                                                    "string_match": {"prefix": "application/grpc"},
                                                    "invert_match": True,
                                                    "treat_missing_header_as_empty": True,
                                                }
                                            }
                                        },
                                        {
                                            "header_filter": {
                                                "header": {"name": "x-envoy-original-path", "present_match": True}
                                            }
                                        },
                                    ]
                                }
                            },
                        ]
                    }
                },
                "body_format_override": {
                    "json_format": {
                        "code": grpc_code,
                        "message": "%LOCAL_REPLY_BODY%",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": reason,
                                "domain": "gateway.imagemesh",
                                "metadata": {"envoy": "%RESPONSE_CODE_DETAILS%"},
                            }
                        ],
                    }
                },
            }
        )
    return {"mappers": mappers}


def _cluster(name: str, hosts: list[tuple[str, int]], opts: EnvoyOptions, grpc: bool = True) -> dict:
    cluster = {
        "name": name,
        "type": opts.dns_type,
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": {"address": {"socket_address": {"address": h, "port_value": p}}}} for h, p in hosts
                    ]
                }
            ],
        },
    }
    if grpc:
        cluster["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        }
        cluster["health_checks"] = [
            {
                "timeout": "1s",
                "interval": "2s",
                "unhealthy_threshold": 2,
                "healthy_threshold": 1,
                "no_traffic_interval": "2s",
                "grpc_health_check": {},
            }
        ]
    return cluster


def render(registry: Registry, opts: EnvoyOptions) -> dict:
    routes = method_routes(registry)
    proto_services = [full for e in registry.services for full, _ in registry.proto_services(e)]
    jwks_uri = f"http://{opts.listen_address}:{opts.listen_port}/v1/auth/jwks"
    cors_policy = {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
        "allow_origin_string_match": [{"exact": o} for o in opts.cors_origins],
        "allow_methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "allow_headers": "authorization, content-type, x-request-id, x-grpc-web, grpc-timeout, x-user-agent",
        "expose_headers": "x-request-id, grpc-status, grpc-message, x-local-rate-limit",
        "allow_credentials": True,
        "max_age": "600",
    }
    http_filters = [
        {
            "name": "envoy.filters.http.cors",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"},
        },
        {
            "name": "envoy.filters.http.jwt_authn",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
                "providers": {
                    PROVIDER: {
                        "issuer": opts.jwt_issuer,
                        "audiences": [opts.jwt_audience],
                        "remote_jwks": {
                            "http_uri": {"uri": jwks_uri, "cluster": "edge_self", "timeout": "2s"},
                            "cache_duration": f"{opts.jwks_cache_s}s",
                            "async_fetch": {"failed_refetch_duration": "1s"},
                            "retry_policy": {"num_retries": 5},
                        },
                        "from_headers": [{"name": "Authorization", "value_prefix": "Bearer "}],
                        "from_cookies": ["access_token"],
                        "forward": True,
                        "jwt_cache_config": {"jwt_cache_size": 1000},
                    }
                },
                "rules": _jwt_rules(routes),
                "bypass_cors_preflight": True,
            },
        },
        {
            "name": "envoy.filters.http.local_ratelimit",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                "stat_prefix": "local_rate_limit",
            },
        },
        {
            "name": "envoy.filters.http.grpc_json_transcoder",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
                "proto_descriptor": opts.descriptor_path,
                "services": proto_services,
                "convert_grpc_status": True,
                "print_options": {"always_print_primitive_fields": True, "stream_newline_delimited": True},
                "request_validation_options": {"reject_unknown_method": True},
                "ignore_unknown_query_parameters": True,
                # query strings are form-encoded by browsers and HTTP clients: '+' is a space there
                "query_param_unescape_plus": True,
                "case_insensitive_enum_parsing": True,
                "max_request_body_size": opts.max_body_bytes,
                "max_response_body_size": opts.max_body_bytes,
            },
        },
        {
            "name": "envoy.filters.http.router",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
        },
    ]
    hcm = {
        "@type": HCM_TYPE,
        "stat_prefix": "ingress",
        "codec_type": "AUTO",
        "use_remote_address": True,
        "generate_request_id": True,
        "http_protocol_options": {"enable_trailers": True},
        "local_reply_config": _local_reply_config(),
        "access_log": [
            {
                "name": "envoy.access_loggers.file",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                    "path": opts.access_log_path,
                    "log_format": {
                        "json_format": {
                            "ts": "%START_TIME%",
                            "method": "%REQ(:METHOD)%",
                            "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                            "status": "%RESPONSE_CODE%",
                            "grpc_status": "%GRPC_STATUS%",
                            "ms": "%DURATION%",
                            "request_id": "%REQ(X-REQUEST-ID)%",
                            "upstream": "%UPSTREAM_CLUSTER%",
                            "details": "%RESPONSE_CODE_DETAILS%",
                        }
                    },
                },
            }
        ],
        "http_filters": http_filters,
        "route_config": {
            "name": "mesh",
            "virtual_hosts": [
                {
                    "name": "mesh",
                    "domains": ["*"],
                    "typed_per_filter_config": {"envoy.filters.http.cors": cors_policy},
                    "routes": _routes(registry, routes, opts),
                }
            ],
        },
    }
    clusters = [_cluster(e.name, opts.upstreams[e.name], opts) for e in registry.services]
    clusters.append(_cluster("edge_self", [(opts.listen_address, opts.listen_port)], opts, grpc=False))
    return {
        "admin": {"address": {"socket_address": {"address": opts.admin_address, "port_value": opts.admin_port}}},
        "static_resources": {
            "listeners": [
                {
                    "name": "mesh",
                    "address": {"socket_address": {"address": opts.listen_address, "port_value": opts.listen_port}},
                    "per_connection_buffer_limit_bytes": opts.max_body_bytes + MIB,
                    "filter_chains": [
                        {"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}]}
                    ],
                }
            ],
            "clusters": clusters,
        },
    }
