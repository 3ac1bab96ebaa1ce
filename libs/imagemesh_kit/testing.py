"""Helpers for tests of any service: database targets (SQLite, PostgreSQL) and in-process servers."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from sqlalchemy import text

from imagemesh_kit.db import sync_engine_for

PG_URL_ENV = "IMAGEMESH_TEST_PG_URL"


def db_backends() -> list[str]:
    """SQLite always; PostgreSQL too when IMAGEMESH_TEST_PG_URL is set (make test sets it when one answers)."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


@dataclass(frozen=True)
class DatabaseTarget:
    backend: str
    url: str
    schema: str | None


def new_pg_schema(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def drop_pg_schema(url: str, schema: str) -> None:
    engine = sync_engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def pg_url() -> str:
    url = os.environ[PG_URL_ENV]
    return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1)


async def expect_error(call, code, reason: str, field: str | None = None, domain: str | None = None):
    """Await a gRPC call that must fail with `code` and ErrorInfo `reason` (and, when given, exactly one
    BadRequest violation on `field`, and the ErrorInfo `domain`); returns the error."""
    import grpc
    import pytest

    from imagemesh_kit.grpc_errors import error_info

    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await call
    assert exc.value.code() == code, (exc.value.code(), exc.value.details())
    info = error_info(exc.value)
    assert info is not None and info.reason == reason, (info, exc.value.details())
    if domain is not None:
        assert info.domain == domain, info
    if field is not None:
        assert field_violations(exc.value) == [field], exc.value.details()
    return exc.value


def field_violations(exc) -> list[str]:
    """The fields of the BadRequest violations a gRPC error carries, in order."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    fields = []
    for detail in rpc_status.from_call(exc).details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.extend(v.field for v in bad.field_violations)
    return fields
