"""Gateway settings."""

from __future__ import annotations

from pydantic import Field, field_validator

from imagemesh_kit.config import ServiceSettings
from services.gateway.domain.health import parse_targets


class GatewaySettings(ServiceSettings):
    port: int = Field(50050, ge=0, le=65535)
    # name=host:port of every service whose health /healthz reports (the launcher derives it from the registry)
    gateway_targets: str = Field("", description="auth=127.0.0.1:50051,storage=...")
    health_timeout_s: float = Field(1.0, gt=0, le=10)

    @field_validator("gateway_targets")
    @classmethod
    def _valid_targets(cls, value: str) -> str:
        parse_targets(value)
        return value
