"""Auth service settings (IMAGEMESH_* environment variables)."""

from __future__ import annotations

from pydantic import Field, field_validator

from imagemesh_kit.config import DatabaseSettings
from services.auth.domain.services import parse_service_credentials


class AuthSettings(DatabaseSettings):
    port: int = Field(50051, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///var/auth.db"
    access_ttl_s: int = Field(1800, ge=60, le=86_400)
    refresh_ttl_s: int = Field(7 * 86_400, ge=300, le=90 * 86_400)
    cookie_secure: bool = Field(False, description="add Secure to the access_token cookie (set behind HTTPS)")
    argon2_time_cost: int = Field(2, ge=1, le=10)
    argon2_memory_kib: int = Field(19_456, ge=8_192, le=1_048_576)
    argon2_parallelism: int = Field(1, ge=1, le=8)
    # name=secret pairs of the services allowed to get service tokens (a k8s Secret / the launcher sets it)
    service_credentials: str = Field("", repr=False)
    service_token_ttl_s: int = Field(300, ge=30, le=3600)
    user_cache_ttl_s: float = Field(2.0, ge=0, le=60, description="how stale /me may be on another replica")

    @field_validator("service_credentials")
    @classmethod
    def _valid_credentials(cls, value: str) -> str:
        parse_service_credentials(value)
        return value
