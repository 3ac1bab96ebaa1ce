"""An in-process depthframe server (port 0, real channel) beside a real auth service, on each backend."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import pytest

from imagemesh.depthframe.v1 import depthframe_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from services.depthframe.config import DepthFrameSettings
from services.depthframe.main import build


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


@dataclass
class DepthFrameHarness:
    stub: depthframe_pb2_grpc.DepthFrameServiceStub
    running: RunningApp
    settings: DepthFrameSettings
    alice: tuple  # metadata with a user token
    bob: tuple  # metadata with another user's token
    admin: tuple

    @property
    def use_cases(self):
        return self.running.app.servicers[0][1]._uc


async def start_depthframe(database, auth_server, **overrides) -> tuple[RunningApp, DepthFrameSettings]:
    settings = load_settings(
        DepthFrameSettings,
        port=0,
        database_url=database.url,
        database_schema=database.schema,
        auth_target=auth_server.target,
        access_log=False,
        **overrides,
    )
    return await start_app(await build(settings), settings), settings


@pytest.fixture
async def depthframe(database, auth_server):
    running, settings = await start_depthframe(  # small batches: several bulk INSERTs per upload
        database, auth_server, max_upload_bytes=1024 * 1024, insert_batch_rows=100
    )
    channel = grpc.aio.insecure_channel(
        f"127.0.0.1:{running.port}",
        options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)],
    )
    try:
        yield DepthFrameHarness(
            stub=depthframe_pb2_grpc.DepthFrameServiceStub(channel),
            running=running,
            settings=settings,
            alice=bearer(await auth_server.token("alice@example.com")),
            bob=bearer(await auth_server.token("bob@example.com")),
            admin=bearer(await auth_server.token("root@example.com", role="admin")),
        )
    finally:
        await channel.close()
        await running.stop(0)
