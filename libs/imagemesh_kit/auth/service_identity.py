"""A service's own identity: a cached service token from the auth service, and call metadata with it.

Background workers outlive their user's 30-minute access token, so they call other services with
their service token plus `x-imagemesh-on-behalf-of: <job owner id>`; the callee's interceptor then
treats the call as that user's (and refuses the header from anyone but a service).
"""

from __future__ import annotations

import asyncio
import time

import grpc

from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.config import ServiceSettings
from imagemesh_kit.context import ON_BEHALF_OF_HEADER
from imagemesh_kit.errors import FailedPrecondition

REFRESH_MARGIN_S = 60.0


class ServiceIdentity:
    def __init__(self, auth_target: str, service: str, secret: str) -> None:
        self._target = auth_target
        self._service = service
        self._secret = secret
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._stub: auth_pb2_grpc.AuthServiceStub | None = None

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> ServiceIdentity:
        if not settings.service_name or not settings.service_secret:
            raise FailedPrecondition(
                "IMAGEMESH_SERVICE_NAME and IMAGEMESH_SERVICE_SECRET are needed for service calls",
                reason="SERVICE_IDENTITY_MISSING",
            )
        return cls(settings.auth_target, settings.service_name, settings.service_secret)

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at - REFRESH_MARGIN_S:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at - REFRESH_MARGIN_S:
                return self._token
            if self._stub is None:
                self._stub = auth_pb2_grpc.AuthServiceStub(grpc.aio.insecure_channel(self._target))
            reply = await self._stub.IssueServiceToken(
                auth_pb2.IssueServiceTokenRequest(service=self._service, secret=self._secret), timeout=5
            )
            self._token, self._expires_at = reply.access_token, time.monotonic() + reply.expires_in
            return self._token

    async def metadata(self, on_behalf_of: str | None = None) -> tuple[tuple[str, str], ...]:
        md: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {await self.token()}"),)
        if on_behalf_of:
            md += ((ON_BEHALF_OF_HEADER, on_behalf_of),)
        return md
