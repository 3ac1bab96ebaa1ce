"""Composition root of the auth service: settings -> adapters -> servicer -> server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.auth.jwks import JwksCache
from imagemesh_kit.auth.verifier import TokenVerifier
from imagemesh_kit.db import create_engine_for, migrate_async, session_factory
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.server import ServiceApp, run_service
from services.auth.api.servicer import AuthServicer
from services.auth.config import AuthSettings
from services.auth.domain.passwords import Argon2Params, Passwords
from services.auth.domain.services import parse_service_credentials
from services.auth.domain.tokens import TokenSettings
from services.auth.use_cases import AuthUseCases

NAME = "auth"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name


def build_use_cases(settings: AuthSettings):
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    passwords = Passwords(
        Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    )
    tokens = TokenSettings(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_ttl_s),
        refresh_ttl=timedelta(seconds=settings.refresh_ttl_s),
        service_audience=settings.service_audience,
        service_ttl=timedelta(seconds=settings.service_token_ttl_s),
    )
    credentials = parse_service_credentials(settings.service_credentials)
    use_cases = AuthUseCases(session_factory(engine), passwords, tokens, credentials, settings.user_cache_ttl_s)
    return engine, use_cases


async def build(settings: AuthSettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine, use_cases = build_use_cases(settings)
    await use_cases.ensure_keys()
    # The auth service verifies its own tokens against its own key table (no network hop).
    verifier = TokenVerifier(
        JwksCache(use_cases.jwks),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        service_audience=settings.service_audience,
    )
    servicer = AuthServicer(use_cases, cookie_secure=settings.cookie_secure)
    return ServiceApp(
        name=NAME,
        servicers=[(auth_pb2_grpc.add_AuthServiceServicer_to_server, servicer)],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(domain="auth.imagemesh", verifier=verifier, access_log=settings.access_log),
        on_stop=[engine.dispose],
    )


def main() -> None:
    run_service(NAME, AuthSettings, build)


if __name__ == "__main__":
    main()
