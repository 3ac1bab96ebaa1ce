"""Operator commands for the auth service.

    python -m services.auth.cli create-admin --email you@example.com [--name ..]   (password: prompt or
        IMAGEMESH_ADMIN_PASSWORD)
    python -m services.auth.cli rotate-keys

They use the same settings (IMAGEMESH_DATABASE_URL, ...) as the service and apply migrations first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from imagemesh_kit.config import ConfigError, load_settings
from imagemesh_kit.db import migrate_async
from imagemesh_kit.errors import AlreadyExists, DomainError
from services.auth.config import AuthSettings
from services.auth.domain.accounts import Role
from services.auth.main import MIGRATIONS, build_use_cases


async def _create_admin(settings: AuthSettings, email: str, name: str, password: str) -> str:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine, uc = build_use_cases(settings)
    try:
        await uc.ensure_keys()
        try:
            user = await uc.register(email, password, name, role=Role.ADMIN)
            return f"created admin {user.email} ({user.id})"
        except AlreadyExists:
            users, token = await uc.list_users(200, "")
            while True:
                match = next((u for u in users if u.email == email.strip().lower()), None)
                if match or not token:
                    break
                users, token = await uc.list_users(200, token)
            if match is None:
                raise
            await uc.update_user("cli", match.id, Role.ADMIN, False)
            return f"promoted existing account {match.email} ({match.id}) to admin"
    finally:
        await engine.dispose()


async def _rotate(settings: AuthSettings) -> str:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine, uc = build_use_cases(settings)
    try:
        await uc.ensure_keys()
        key = await uc.rotate_keys()
        return f"signing with {key.kid}; the previous key stays published until its tokens expire"
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="services.auth.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-admin", help="create the first admin (or promote an existing account)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    sub.add_parser("rotate-keys", help="start signing with the pre-published next key")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(AuthSettings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        if args.command == "create-admin":
            password = os.environ.get("IMAGEMESH_ADMIN_PASSWORD") or getpass.getpass("password for the admin: ")
            print(asyncio.run(_create_admin(settings, args.email, args.name, password)))
        else:
            print(asyncio.run(_rotate(settings)))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
