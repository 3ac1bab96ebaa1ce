"""Graceful drain: in-flight calls finish, health flips to NOT_SERVING, new calls are refused."""

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from imagemesh_kit.config import ServiceSettings, load_settings
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.server import ServiceApp, start_app

pytestmark = pytest.mark.integration

identity = (lambda b: b, lambda b: b)


def add_slow_service(started: asyncio.Event):
    async def call(request: bytes, context) -> bytes:
        started.set()
        await asyncio.sleep(0.5)
        return b"done:" + request

    handler = grpc.method_handlers_generic_handler(
        "test.Slow", {"Call": grpc.unary_unary_rpc_method_handler(call, *identity)}
    )
    return lambda _servicer, server: server.add_generic_rpc_handlers((handler,))


async def test_stop_lets_in_flight_calls_finish_and_refuses_new_ones():
    started = asyncio.Event()
    stopped_hooks = []

    async def on_stop():
        stopped_hooks.append(True)

    app = ServiceApp(
        name="slow",
        servicers=[(add_slow_service(started), None)],
        service_names=["test.Slow"],
        interceptor=MeshInterceptor(domain="test", verifier=None, access_log=False),
        on_stop=[on_stop],
    )
    settings = load_settings(ServiceSettings, port=0)
    running = await start_app(app, settings)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    call = channel.unary_unary("/test.Slow/Call")
    health = health_pb2_grpc.HealthStub(channel)
    assert (await health.Check(health_pb2.HealthCheckRequest())).status == health_pb2.HealthCheckResponse.SERVING

    in_flight = asyncio.ensure_future(call(b"x"))
    await started.wait()
    stopping = asyncio.create_task(running.stop(grace=3))
    assert await in_flight == b"done:x"
    await stopping
    assert stopped_hooks == [True]
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await call(b"late", timeout=1)
    assert exc.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    await channel.close()


async def test_health_says_not_serving_while_draining():
    started = asyncio.Event()
    app = ServiceApp(
        name="slow",
        servicers=[(add_slow_service(started), None)],
        service_names=["test.Slow"],
        interceptor=MeshInterceptor(domain="test", verifier=None, access_log=False),
    )
    running = await start_app(app, load_settings(ServiceSettings, port=0))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    health = health_pb2_grpc.HealthStub(channel)
    in_flight = asyncio.ensure_future(channel.unary_unary("/test.Slow/Call")(b"x"))
    await started.wait()
    for name in ["", "test.Slow"]:
        await running.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reply = await health.Check(health_pb2.HealthCheckRequest(service="test.Slow"))
    assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
    await in_flight
    await running.stop(grace=1)
    await channel.close()
