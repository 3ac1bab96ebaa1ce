"""Composition root of the gateway: aggregated health and reflection for every mesh proto."""

from __future__ import annotations

import importlib

from imagemesh.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.mesh.registry import load_registry
from imagemesh_kit.server import ServiceApp, run_service
from services.gateway.api.servicer import GatewayServicer
from services.gateway.config import GatewaySettings
from services.gateway.domain.health import parse_targets

NAME = "gateway"


def _all_mesh_services() -> list[str]:
    """Import every mesh proto so `grpcurl <envoy> list/describe` sees the whole API through one door."""
    registry = load_registry()
    for module in registry.pb2_modules():
        importlib.import_module(module)
    return [full for e in registry.services for full, _ in registry.proto_services(e)]


async def build(settings: GatewaySettings) -> ServiceApp:
    own = gateway_pb2.DESCRIPTOR.services_by_name["GatewayService"].full_name
    servicer = GatewayServicer(parse_targets(settings.gateway_targets), settings.health_timeout_s)
    return ServiceApp(
        name=NAME,
        servicers=[(gateway_pb2_grpc.add_GatewayServiceServicer_to_server, servicer)],
        service_names=[own],
        reflection_names=[s for s in _all_mesh_services() if s != own],
        interceptor=MeshInterceptor(domain="gateway.imagemesh", verifier=None, access_log=settings.access_log),
    )


def main() -> None:
    run_service(NAME, GatewaySettings, build)


if __name__ == "__main__":
    main()
