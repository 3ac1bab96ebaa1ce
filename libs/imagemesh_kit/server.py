"""Server bootstrap: grpc.aio server with health, reflection, 32 MiB limits and graceful drain.

A service describes itself as a `ServiceApp` (servicers, start/stop hooks) built by its composition
root; `start_app` binds it (port 0 in tests) and `run_service` runs it until SIGTERM/SIGINT, then
drains: health flips to NOT_SERVING (Envoy's health checks stop sending new calls), in-flight calls
get `shutdown_grace_s` to finish, then the stop hooks run (workers, database pools).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from imagemesh_kit.config import ConfigError, ServiceSettings, load_settings
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.logs import setup_logging

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


@dataclass
class ServiceApp:
    """What a composition root hands to the kit."""

    name: str
    servicers: list[tuple[Callable, object]]  # (add_XServicer_to_server, servicer)
    service_names: list[str]  # full names, e.g. imagemesh.auth.v1.AuthService
    interceptor: MeshInterceptor
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    reflection_names: list[str] = field(default_factory=list)  # extra names to expose via reflection


@dataclass
class RunningApp:
    app: ServiceApp
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer

    async def stop(self, grace: float | None = 5.0) -> None:
        for name in ["", *self.app.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.stop(grace)
        for hook in reversed(self.app.on_stop):
            await hook()


def server_options(max_message_bytes: int) -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share it
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ]


async def start_app(app: ServiceApp, settings: ServiceSettings) -> RunningApp:
    for hook in app.on_start:
        await hook()
    server = grpc.aio.server(interceptors=[app.interceptor], options=server_options(settings.max_message_bytes))
    for add, servicer in app.servicers:
        add(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [*app.service_names, *app.reflection_names]
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(f"{settings.host}:{settings.port}")
    if port == 0:
        raise RuntimeError(f"could not bind {settings.host}:{settings.port}")
    await server.start()
    for name in ["", *app.service_names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningApp(app=app, server=server, port=port, health=health_servicer)


async def _serve(build: Callable[[ServiceSettings], Awaitable[ServiceApp]], settings: ServiceSettings) -> None:
    app = await build(settings)
    running = await start_app(app, settings)
    log.info("serving", extra={"service": app.name, "address": f"{settings.host}:{running.port}"})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("draining", extra={"grace_s": settings.shutdown_grace_s})
    await running.stop(settings.shutdown_grace_s)
    log.info("stopped")


def run_service(
    name: str,
    settings_cls: type[ServiceSettings],
    build: Callable[[ServiceSettings], Awaitable[ServiceApp]],
) -> None:
    """Entry point of a service process: settings, logs, serve until signalled."""
    try:
        settings = load_settings(settings_cls)
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    setup_logging(name, settings.log_level)
    asyncio.run(_serve(build, settings))
