"""Token verification for services other than auth: JWKS fetched from the auth service over gRPC."""

from __future__ import annotations

import grpc
from google.protobuf.json_format import MessageToDict

from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.auth.jwks import JwksCache, JwksFetcher
from imagemesh_kit.auth.verifier import TokenVerifier
from imagemesh_kit.config import ServiceSettings


def grpc_jwks_fetcher(target: str) -> JwksFetcher:
    """Fetches GetJwks from the auth service at `target` (host:port); the channel is created lazily."""
    state: dict[str, object] = {}

    async def fetch() -> list[dict]:
        stub = state.get("stub")
        if stub is None:
            stub = auth_pb2_grpc.AuthServiceStub(grpc.aio.insecure_channel(target))
            state["stub"] = stub
        reply = await stub.GetJwks(auth_pb2.GetJwksRequest(), timeout=3)
        return [MessageToDict(k, preserving_proto_field_name=True) for k in reply.keys]

    return fetch


def remote_verifier(settings: ServiceSettings) -> TokenVerifier:
    """The verifier a service's MeshInterceptor uses: JWKS from IMAGEMESH_AUTH_TARGET."""
    return TokenVerifier(
        JwksCache(grpc_jwks_fetcher(settings.auth_target)),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        service_audience=settings.service_audience,
    )
