"""Fixtures shared by every test tier."""

from __future__ import annotations

import pytest

from imagemesh_kit.testing import DatabaseTarget, db_backends, drop_pg_schema, new_pg_schema, pg_url


@pytest.fixture(params=db_backends())
def database(request, tmp_path):
    """A fresh, empty database for one test: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", None)
        return
    url, schema = pg_url(), new_pg_schema()
    try:
        yield DatabaseTarget("postgresql", url, schema)
    finally:
        drop_pg_schema(url, schema)


TEST_SERVICE_SECRET = "tester-secret-0123456789"


class AuthForTests:
    """A real auth service (in-process, port 0, its own SQLite file) that hands out tokens."""

    def __init__(self, running, stub) -> None:
        self.running = running
        self.stub = stub
        self.target = f"127.0.0.1:{running.port}"

    async def token(self, email: str, role: str = "user") -> str:
        """Registers `email` (as admin when role='admin') and returns an access token."""
        from imagemesh.auth.v1 import auth_pb2
        from services.auth.domain.accounts import Role

        use_cases = self.running.app.servicers[0][1]._uc
        await use_cases.register(email, "correct horse battery", "", role=Role(role))
        reply = await self.stub.Login(auth_pb2.LoginRequest(email=email, password="correct horse battery"))
        return reply.access_token

    def service_identity(self):
        """The identity of a service named 'tester', known to this auth service."""
        from imagemesh_kit.auth.service_identity import ServiceIdentity

        return ServiceIdentity(self.target, "tester", TEST_SERVICE_SECRET)

    async def user_id(self, token: str) -> str:
        from imagemesh.auth.v1 import auth_pb2

        reply = await self.stub.GetMe(auth_pb2.GetMeRequest(), metadata=(("authorization", f"Bearer {token}"),))
        return reply.user.id


@pytest.fixture
async def auth_server(tmp_path):
    """For services that verify tokens: point their settings' auth_target at `auth_server.target`."""
    import grpc

    from imagemesh.auth.v1 import auth_pb2_grpc
    from imagemesh_kit.config import load_settings
    from imagemesh_kit.server import start_app
    from services.auth.config import AuthSettings
    from services.auth.main import build

    settings = load_settings(
        AuthSettings,
        port=0,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
        database_schema=None,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        access_log=False,
        service_credentials=f"tester={TEST_SERVICE_SECRET}",
    )
    running = await start_app(await build(settings), settings)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield AuthForTests(running, auth_pb2_grpc.AuthServiceStub(channel))
    finally:
        await channel.close()
        await running.stop(0)
