"""Typed configuration from the environment, validated at start-up with a clear message.

Every service has a settings class deriving from `ServiceSettings`; each field `foo` is read from
`IMAGEMESH_FOO`. `load_settings` turns pydantic's validation errors into one readable `ConfigError`
naming the variables, which `run_service` prints before exiting with status 2.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class ConfigError(Exception):
    """The environment does not describe a valid configuration."""


class ServiceSettings(BaseSettings):
    """What every service reads. Subclasses add their own fields."""

    model_config = SettingsConfigDict(env_prefix="IMAGEMESH_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535, description="0 picks a free port")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True
    shutdown_grace_s: float = Field(10.0, gt=0, le=300)
    max_message_bytes: int = Field(32 * MIB, ge=1 * MIB, le=256 * MIB)

    # Token verification (every service verifies tokens itself: defense in depth).
    auth_target: str = Field("127.0.0.1:50051", description="host:port of the auth service (JWKS)")
    storage_target: str = Field("127.0.0.1:50052", description="host:port of the storage service (images)")
    jwt_issuer: str = "imagemesh-auth"
    jwt_audience: str = "imagemesh"
    # Service identity: tokens for service-to-service calls carry their own audience.
    service_audience: str = "imagemesh-services"
    service_name: str = Field("", description="this service's registry name (for service tokens)")
    service_secret: str = Field("", repr=False, description="this service's credential at the auth service")


class DatabaseSettings(ServiceSettings):
    """Services that own tables: SQLite by default, PostgreSQL by URL."""

    database_url: str = Field(
        "sqlite+aiosqlite:///var/imagemesh.db",
        description="sqlite+aiosqlite:///path.db or postgresql+psycopg://user@host:5432/db",
    )
    database_schema: str | None = Field(
        None, pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="PostgreSQL schema owning this service's tables"
    )
    database_pool_size: int = Field(5, ge=1, le=100)


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S], **overrides: object) -> S:
    """Build settings from the environment (and explicit overrides, used by tests)."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "")
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "?"
            lines.append(f"  {prefix}{name.upper()}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("invalid configuration:\n" + "\n".join(lines)) from None
