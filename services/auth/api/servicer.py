"""AuthService over gRPC: proto <-> use cases, cookies. No rules here."""

from __future__ import annotations

import grpc

from imagemesh.auth.v1 import auth_pb2, auth_pb2_grpc
from imagemesh_kit.context import current_principal, require_principal
from imagemesh_kit.errors import InvalidArgument
from imagemesh_kit.proto_time import timestamp
from services.auth.domain.accounts import Role, User
from services.auth.use_cases import AuthUseCases

_ROLE_TO_PROTO = {Role.USER: auth_pb2.ROLE_USER, Role.ADMIN: auth_pb2.ROLE_ADMIN}
_ROLE_FROM_PROTO = {v: k for k, v in _ROLE_TO_PROTO.items()}


def user_to_proto(user: User) -> auth_pb2.User:
    return auth_pb2.User(
        id=user.id,
        email=user.email,
        name=user.name,
        role=_ROLE_TO_PROTO[user.role],
        disabled=user.disabled,
        created_at=timestamp(user.created_at),
    )


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, use_cases: AuthUseCases, *, cookie_secure: bool) -> None:
        self._uc = use_cases
        self._cookie_secure = cookie_secure

    def _cookie(self, value: str, max_age: int) -> str:
        parts = [f"access_token={value}", "HttpOnly", "SameSite=Lax", "Path=/", f"Max-Age={max_age}"]
        if self._cookie_secure:
            parts.append("Secure")
        return "; ".join(parts)

    async def Register(self, request, context):
        user = await self._uc.register(request.email, request.password, request.name)
        return auth_pb2.RegisterResponse(user=user_to_proto(user))

    async def Login(self, request, context: grpc.aio.ServicerContext):
        result = await self._uc.login(request.email, request.password)
        t = result.tokens
        await context.send_initial_metadata((("set-cookie", self._cookie(t.access_token, t.access_expires_in)),))
        return auth_pb2.LoginResponse(
            access_token=t.access_token,
            refresh_token=t.refresh_token,
            token_type="Bearer",
            expires_in=t.access_expires_in,
            refresh_expires_in=t.refresh_expires_in,
            user=user_to_proto(result.user),
        )

    async def Refresh(self, request, context):
        t = await self._uc.refresh(request.refresh_token)
        await context.send_initial_metadata((("set-cookie", self._cookie(t.access_token, t.access_expires_in)),))
        return auth_pb2.RefreshResponse(
            access_token=t.access_token,
            refresh_token=t.refresh_token,
            token_type="Bearer",
            expires_in=t.access_expires_in,
            refresh_expires_in=t.refresh_expires_in,
        )

    async def Logout(self, request, context):
        principal = current_principal()
        revoked = await self._uc.logout(request.refresh_token, principal.session_id if principal else None)
        await context.send_initial_metadata((("set-cookie", self._cookie("", 0)),))
        return auth_pb2.LogoutResponse(revoked=revoked)

    async def GetMe(self, request, context):
        user = await self._uc.get_user(require_principal().subject)
        return auth_pb2.GetMeResponse(user=user_to_proto(user))

    async def GetJwks(self, request, context):
        return auth_pb2.GetJwksResponse(keys=[auth_pb2.Jwk(**k) for k in await self._uc.jwks()])

    async def IssueServiceToken(self, request, context):
        token, expires_in = await self._uc.issue_service_token(request.service, request.secret)
        return auth_pb2.IssueServiceTokenResponse(access_token=token, expires_in=expires_in)

    async def ListUsers(self, request, context):
        await self._uc.require_admin(require_principal().subject)
        users, next_token = await self._uc.list_users(request.page_size, request.page_token)
        return auth_pb2.ListUsersResponse(users=[user_to_proto(u) for u in users], next_page_token=next_token)

    async def UpdateUser(self, request, context):
        actor = await self._uc.require_admin(require_principal().subject)
        role = None
        if request.HasField("role"):
            if request.role not in _ROLE_FROM_PROTO:
                raise InvalidArgument.for_field("role", "must be ROLE_USER or ROLE_ADMIN", reason="ROLE_INVALID")
            role = _ROLE_FROM_PROTO[request.role]
        disabled = request.disabled if request.HasField("disabled") else None
        user = await self._uc.update_user(actor.id, request.id, role, disabled)
        return auth_pb2.UpdateUserResponse(user=user_to_proto(user))
