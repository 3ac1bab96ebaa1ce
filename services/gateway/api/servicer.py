"""GatewayService: /healthz aggregated from every service's grpc.health.v1."""

from __future__ import annotations

import asyncio
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from imagemesh.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from imagemesh_kit.errors import Unavailable
from imagemesh_kit.grpc_errors import to_grpc_status
from services.gateway.domain.health import SERVING, ServiceStatus, overall


class GatewayServicer(gateway_pb2_grpc.GatewayServiceServicer):
    def __init__(self, targets: dict[str, str], timeout_s: float) -> None:
        self._timeout = timeout_s
        self._stubs = {
            name: health_pb2_grpc.HealthStub(grpc.aio.insecure_channel(target)) for name, target in targets.items()
        }

    async def _check(self, name: str, stub: health_pb2_grpc.HealthStub) -> ServiceStatus:
        start = time.perf_counter()
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=self._timeout)
            status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        except grpc.aio.AioRpcError:
            status = "UNREACHABLE"
        return ServiceStatus(name, status, round((time.perf_counter() - start) * 1000, 2))

    async def GetHealth(self, request, context):
        statuses = await asyncio.gather(*(self._check(n, s) for n, s in self._stubs.items()))
        response = gateway_pb2.GetHealthResponse(
            status=overall(list(statuses)),
            services=[
                gateway_pb2.ServiceHealth(name=s.name, status=s.status, latency_ms=s.latency_ms) for s in statuses
            ],
        )
        if response.status != SERVING:
            down = ", ".join(s.name for s in statuses if s.status != SERVING)
            err = Unavailable(f"not serving: {down}", reason="SERVICES_NOT_SERVING")
            await context.abort_with_status(to_grpc_status(err, "gateway.imagemesh", [response]))
        return response
