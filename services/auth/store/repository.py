"""SQL for the auth service. Every function takes the caller's session (one transaction per use case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.auth.domain.accounts import Role, User
from services.auth.domain.keys import KeyState, SigningKey
from services.auth.store.models import RefreshTokenRow, SigningKeyRow, UserRow


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        disabled=row.disabled,
        created_at=row.created_at,
    )


def to_key(row: SigningKeyRow) -> SigningKey:
    return SigningKey(
        kid=row.kid,
        private_pem=row.private_pem,
        public_x=row.public_x,
        state=KeyState(row.state),
        created_at=row.created_at,
        retired_at=row.retired_at,
    )


# -- users ---------------------------------------------------------------------------------


async def user_by_email(session: AsyncSession, email: str) -> UserRow | None:
    return (await session.execute(select(UserRow).where(UserRow.email == email))).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: str) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def list_users(session: AsyncSession, after: tuple[datetime, str] | None, limit: int) -> list[UserRow]:
    query = select(UserRow).order_by(UserRow.created_at, UserRow.id).limit(limit)
    if after is not None:
        created_at, user_id = after
        query = query.where(
            or_(UserRow.created_at > created_at, and_(UserRow.created_at == created_at, UserRow.id > user_id))
        )
    return list((await session.execute(query)).scalars())


# -- refresh tokens ------------------------------------------------------------------------


async def refresh_token(session: AsyncSession, token_hash: str, for_update: bool = False) -> RefreshTokenRow | None:
    query = select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def spend_refresh_token(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Marks a token used; False if someone else spent it first (the conditional update loses)."""
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.token_hash == token_hash, RefreshTokenRow.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


async def revoke_family(session: AsyncSession, family_id: str, now: datetime) -> int:
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


async def revoke_user_tokens(session: AsyncSession, user_id: str, now: datetime) -> int:
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


# -- signing keys --------------------------------------------------------------------------


async def signing_keys(session: AsyncSession, for_update: bool = False) -> list[SigningKey]:
    query = select(SigningKeyRow).order_by(SigningKeyRow.created_at)
    if for_update:
        query = query.with_for_update()
    return [to_key(r) for r in (await session.execute(query)).scalars()]


def add_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(
        SigningKeyRow(
            kid=key.kid,
            private_pem=key.private_pem,
            public_x=key.public_x,
            state=key.state.value,
            created_at=key.created_at,
            retired_at=key.retired_at,
        )
    )


async def set_key_state(session: AsyncSession, kid: str, state: KeyState, retired_at: datetime | None = None) -> None:
    await session.execute(
        update(SigningKeyRow).where(SigningKeyRow.kid == kid).values(state=state.value, retired_at=retired_at)
    )


async def delete_key(session: AsyncSession, kid: str) -> None:
    row = await session.get(SigningKeyRow, kid)
    if row is not None:
        await session.delete(row)
