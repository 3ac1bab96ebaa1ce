"""An in-process auth server on port 0 over a real channel, on each database backend."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import pytest

from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from services.auth.config import AuthSettings
from services.auth.main import build


@dataclass
class AuthHarness:
    stub: auth_pb2_grpc.AuthServiceStub
    running: RunningApp
    settings: AuthSettings

    @property
    def use_cases(self):
        return self.running.app.servicers[0][1]._uc

    async def register(self, email: str, password: str = "correct horse", name: str = "") -> auth_pb2.User:
        return (await self.stub.Register(auth_pb2.RegisterRequest(email=email, password=password, name=name))).user

    async def login(self, email: str, password: str = "correct horse") -> auth_pb2.LoginResponse:
        return await self.stub.Login(auth_pb2.LoginRequest(email=email, password=password))


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def make_settings(database) -> AuthSettings:
    return load_settings(
        AuthSettings,
        port=0,
        database_url=database.url,
        database_schema=database.schema,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        access_log=False,
    )


@pytest.fixture
async def auth(database):
    settings = make_settings(database)
    running = await start_app(await build(settings), settings)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield AuthHarness(auth_pb2_grpc.AuthServiceStub(channel), running, settings)
    finally:
        await channel.close()
        await running.stop(0)
