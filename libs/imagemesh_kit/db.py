"""Async SQLAlchemy 2 engines (SQLite default, PostgreSQL via psycopg) and Alembic on start-up.

Each service owns its tables: its own SQLite file, or its own PostgreSQL schema
(`IMAGEMESH_DATABASE_SCHEMA`, applied as the connection's search_path).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


def is_sqlite(url: str | URL) -> bool:
    return make_url(str(url)).get_backend_name() == "sqlite"


def _ensure_sqlite_dir(url: URL) -> None:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine_for(url: str, schema: str | None = None, pool_size: int = 5) -> AsyncEngine:
    parsed = make_url(url)
    if is_sqlite(parsed):
        _ensure_sqlite_dir(parsed)
        engine = create_async_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_async_engine(
        parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, connect_args=connect_args
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def sync_url(url: str) -> URL:
    """The synchronous twin of an async URL (Alembic and CLIs run synchronously)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return parsed.set(drivername="sqlite")
    return parsed


def sync_engine_for(url: str, schema: str | None = None) -> Engine:
    parsed = sync_url(url)
    if is_sqlite(parsed):
        _ensure_sqlite_dir(parsed)
        engine = create_engine(parsed, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(parsed, poolclass=NullPool, connect_args=connect_args)


def migrate(url: str, schema: str | None, migrations_dir: Path) -> None:
    """Apply the service's Alembic migrations up to head (idempotent; safe across replicas on PG)."""
    engine = sync_engine_for(url, schema)
    try:
        with engine.begin() as conn:
            if schema and not is_sqlite(url):
                # One migrator at a time per schema: replicas starting together must not race.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                conn.execute(text(f'SET search_path TO "{schema}"'))
            cfg = Config()
            cfg.set_main_option("script_location", str(migrations_dir))
            cfg.attributes["connection"] = conn
            cfg.attributes["schema"] = schema
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


async def migrate_async(url: str, schema: str | None, migrations_dir: Path) -> None:
    await asyncio.to_thread(migrate, url, schema, migrations_dir)


def run_alembic_env(target_metadata) -> None:
    """Body of every service's migrations/env.py: online migrations on the connection we pass."""
    from alembic import context

    conn = context.config.attributes["connection"]
    schema = context.config.attributes.get("schema")
    context.configure(
        connection=conn,
        target_metadata=target_metadata,
        version_table_schema=schema if schema and conn.dialect.name != "sqlite" else None,
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
