"""The auth service's use cases: one transaction each, domain rules from services.auth.domain."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh_kit.cache import TtlCache
from imagemesh_kit.db_types import utcnow
from imagemesh_kit.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from imagemesh_kit.pagination import (
    clamp_page_size,
    decode_time_cursor,
    encode_time_cursor,
)
from services.auth.domain.accounts import (
    Role,
    User,
    check_password_policy,
    normalise_email,
    normalise_name,
)
from services.auth.domain.keys import KeyState, SigningKey, generate_key
from services.auth.domain.passwords import Passwords
from services.auth.domain.services import check_service_credential
from services.auth.domain.tokens import (
    IssuedTokens,
    TokenSettings,
    hash_refresh_token,
    mint_access_token,
    mint_service_token,
    new_refresh_token,
    new_session_id,
)
from services.auth.store import repository as repo
from services.auth.store.models import RefreshTokenRow, UserRow

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "email or password is incorrect"


@dataclass(frozen=True)
class LoginResult:
    user: User
    tokens: IssuedTokens


class AuthUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        passwords: Passwords,
        tokens: TokenSettings,
        service_credentials: dict[str, str] | None = None,
        user_cache_ttl_s: float = 2.0,
    ) -> None:
        self._sessions = sessions
        self._passwords = passwords
        self._tokens = tokens
        self._service_credentials = dict(service_credentials or {})
        # Hot path (/me, admin checks): a short-lived cache of account rows. Changes made here drop the
        # entry at once; changes made by another replica are seen within the TTL.
        self._users = TtlCache(user_cache_ttl_s, max_items=10_000)

    @property
    def token_settings(self) -> TokenSettings:
        return self._tokens

    # -- accounts ------------------------------------------------------------------------

    async def register(self, email: str, password: str, name: str, role: Role = Role.USER) -> User:
        email = normalise_email(email)
        check_password_policy(password)
        name = normalise_name(name)
        password_hash = await asyncio.to_thread(self._passwords.hash, password)
        now = utcnow()
        row = UserRow(
            id=str(uuid.uuid4()),
            email=email,
            name=name,
            password_hash=password_hash,
            role=role.value,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        async with self._sessions.begin() as session:
            if await repo.user_by_email(session, email) is not None:
                raise AlreadyExists("an account with this email already exists", reason="EMAIL_TAKEN")
            session.add(row)
            try:
                await session.flush()
            except IntegrityError:  # a concurrent registration won the race
                raise AlreadyExists("an account with this email already exists", reason="EMAIL_TAKEN") from None
        return repo.to_user(row)

    async def login(self, email: str, password: str) -> LoginResult:
        if not email or not password:
            field = "email" if not email else "password"
            raise InvalidArgument.for_field(field, "is required", reason=f"{field.upper()}_REQUIRED")
        try:
            email = normalise_email(email)
        except InvalidArgument:
            email = ""  # still spend the hashing time below: no shortcut for malformed emails
        async with self._sessions() as session:
            row = await repo.user_by_email(session, email) if email else None
        ok = await asyncio.to_thread(self._passwords.verify, row.password_hash if row else None, password)
        if row is None or not ok:
            raise Unauthenticated(INVALID_CREDENTIALS, reason="INVALID_CREDENTIALS")
        if row.disabled:
            raise PermissionDenied("this account is disabled", reason="USER_DISABLED")
        user = repo.to_user(row)
        async with self._sessions.begin() as session:
            tokens = await self._issue(session, user, new_session_id(), utcnow())
        return LoginResult(user=user, tokens=tokens)

    async def refresh(self, refresh_token: str) -> IssuedTokens:
        if not refresh_token:
            raise InvalidArgument.for_field("refresh_token", "is required", reason="REFRESH_TOKEN_REQUIRED")
        token_hash = hash_refresh_token(refresh_token)
        now = utcnow()
        reused = False
        async with self._sessions.begin() as session:
            row = await repo.refresh_token(session, token_hash)
            if row is None:
                raise Unauthenticated("the refresh token is not valid", reason="REFRESH_TOKEN_INVALID")
            if row.revoked_at is not None:
                raise Unauthenticated("the refresh token has been revoked", reason="REFRESH_TOKEN_REVOKED")
            if row.used_at is not None or not await repo.spend_refresh_token(session, token_hash, now):
                await repo.revoke_family(session, row.family_id, now)
                reused = True
            elif row.expires_at <= now:
                raise Unauthenticated("the refresh token has expired", reason="REFRESH_TOKEN_EXPIRED")
            else:
                user_row = await repo.user_by_id(session, row.user_id)
                if user_row is None:
                    raise Unauthenticated("the refresh token is not valid", reason="REFRESH_TOKEN_INVALID")
                if user_row.disabled:
                    raise PermissionDenied("this account is disabled", reason="USER_DISABLED")
                return await self._issue(session, repo.to_user(user_row), row.family_id, now)
        if reused:  # committed the family's revocation above; now refuse
            log.warning("refresh token reuse; session revoked", extra={"family": row.family_id})
            raise Unauthenticated(
                "the refresh token was already used; the session has been revoked", reason="REFRESH_TOKEN_REUSED"
            )
        raise AssertionError("unreachable")

    async def logout(self, refresh_token: str, session_id: str | None) -> int:
        now = utcnow()
        async with self._sessions.begin() as session:
            family = None
            if refresh_token:
                row = await repo.refresh_token(session, hash_refresh_token(refresh_token))
                family = row.family_id if row else None
            family = family or session_id
            return 1 if family and await repo.revoke_family(session, family, now) else 0

    async def get_user(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            async with self._sessions() as session:
                row = await repo.user_by_id(session, user_id)
            if row is None:
                raise Unauthenticated("the account no longer exists", reason="USER_NOT_FOUND")
            user = repo.to_user(row)
            self._users.put(user_id, user)
        if user.disabled:
            raise PermissionDenied("this account is disabled", reason="USER_DISABLED")
        return user

    async def issue_service_token(self, service: str, secret: str) -> tuple[str, int]:
        check_service_credential(self._service_credentials, service, secret)
        now = utcnow()
        async with self._sessions() as session:
            current = await self._current_key(session)
        token = mint_service_token(service, current, self._tokens, now)
        return token, int(self._tokens.service_ttl / timedelta(seconds=1))

    # -- administration ------------------------------------------------------------------

    async def require_admin(self, user_id: str) -> User:
        """Admin rights are checked against the database, not the token's claim: demotion is immediate."""
        user = await self.get_user(user_id)
        if user.role is not Role.ADMIN:
            raise PermissionDenied("this method is for administrators", reason="ADMIN_REQUIRED")
        return user

    async def list_users(self, page_size: int, page_token: str) -> tuple[list[User], str]:
        limit = clamp_page_size(page_size)
        after = decode_time_cursor(page_token)
        async with self._sessions() as session:
            rows = await repo.list_users(session, after, limit + 1)
        users = [repo.to_user(r) for r in rows[:limit]]
        next_token = ""
        if len(rows) > limit:
            last = users[-1]
            next_token = encode_time_cursor(last.created_at, last.id)
        return users, next_token

    async def update_user(self, actor_id: str, user_id: str, role: Role | None, disabled: bool | None) -> User:
        if not user_id:
            raise InvalidArgument.for_field("id", "is required", reason="ID_REQUIRED")
        if user_id == actor_id and (disabled or (role is not None and role is not Role.ADMIN)):
            raise FailedPrecondition("administrators cannot disable or demote themselves", reason="CANNOT_CHANGE_SELF")
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await repo.user_by_id(session, user_id)
            if row is None:
                raise NotFound("no such user", reason="USER_NOT_FOUND")
            if role is not None:
                row.role = role.value
            if disabled is not None:
                row.disabled = disabled
                if disabled:
                    await repo.revoke_user_tokens(session, user_id, now)
            row.updated_at = now
            await session.flush()
            self._users.drop(user_id)
            return repo.to_user(row)

    # -- keys ------------------------------------------------------------------------------

    async def ensure_keys(self) -> None:
        """At start-up: make sure a CURRENT and a NEXT key exist (first start, or after pruning)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            keys = await repo.signing_keys(session, for_update=True)
            states = {k.state for k in keys}
            if KeyState.CURRENT not in states:
                repo.add_key(session, generate_key(KeyState.CURRENT, now))
            if KeyState.NEXT not in states:
                repo.add_key(session, generate_key(KeyState.NEXT, now))

    async def rotate_keys(self, now: datetime | None = None) -> SigningKey:
        """NEXT becomes CURRENT, CURRENT retires (still published until its tokens expire)."""
        now = now or utcnow()
        async with self._sessions.begin() as session:
            keys = await repo.signing_keys(session, for_update=True)
            for key in keys:
                if key.state is KeyState.CURRENT:
                    await repo.set_key_state(session, key.kid, KeyState.RETIRED, retired_at=now)
                elif key.state is KeyState.RETIRED and not key.is_published(now, self._tokens.access_ttl):
                    await repo.delete_key(session, key.kid)
            promoted = next((k for k in keys if k.state is KeyState.NEXT), None)
            if promoted is None:
                promoted = generate_key(KeyState.CURRENT, now)
                repo.add_key(session, promoted)
            else:
                await repo.set_key_state(session, promoted.kid, KeyState.CURRENT)
            repo.add_key(session, generate_key(KeyState.NEXT, now))
        return promoted

    async def jwks(self) -> list[dict[str, str]]:
        now = utcnow()
        async with self._sessions() as session:
            keys = await repo.signing_keys(session)
        return [k.jwk() for k in keys if k.is_published(now, self._tokens.access_ttl)]

    # -- helpers ---------------------------------------------------------------------------

    async def _current_key(self, session: AsyncSession) -> SigningKey:
        keys = await repo.signing_keys(session)
        current = next((k for k in keys if k.state is KeyState.CURRENT), None)
        if current is None:
            raise FailedPrecondition("no signing key is configured", reason="NO_SIGNING_KEY")
        return current

    async def _issue(self, session: AsyncSession, user: User, family_id: str, now: datetime) -> IssuedTokens:
        current = await self._current_key(session)
        refresh = new_refresh_token()
        session.add(
            RefreshTokenRow(
                token_hash=hash_refresh_token(refresh),
                family_id=family_id,
                user_id=user.id,
                issued_at=now,
                expires_at=now + self._tokens.refresh_ttl,
            )
        )
        access = mint_access_token(user, family_id, current, self._tokens, now)
        return IssuedTokens(
            access_token=access,
            refresh_token=refresh,
            access_expires_in=int(self._tokens.access_ttl / timedelta(seconds=1)),
            refresh_expires_in=int(self._tokens.refresh_ttl / timedelta(seconds=1)),
        )
