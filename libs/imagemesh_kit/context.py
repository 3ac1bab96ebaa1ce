"""Per-request context: the request id and the authenticated caller, as context variables."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field

from imagemesh_kit.errors import PermissionDenied, Unauthenticated

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


@dataclass(frozen=True)
class Principal:
    """Who is calling. `token` is the raw JWT, passed on to other services unchanged."""

    subject: str
    role: str = "user"
    email: str = ""
    session_id: str = ""
    token: str = ""
    claims: dict = field(default_factory=dict, compare=False, repr=False)
    # Set when a service acts for this user (header x-imagemesh-on-behalf-of): the service's name.
    acting_service: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_service(self) -> bool:
        return self.role == "service"

    def forwarded_metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata under which another service (storage, ...) sees this same caller: their own token; a
        service acting for a user keeps acting for that user."""
        if self.acting_service:
            return (("authorization", f"Bearer {self.token}"), (ON_BEHALF_OF_HEADER, self.subject))
        return (("authorization", f"Bearer {self.token}"),)


principal_var: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)


ON_BEHALF_OF_HEADER = "x-imagemesh-on-behalf-of"


def on_behalf_of(service: Principal, user_id: str) -> Principal:
    """The principal a service acts as: the user, marked with the acting service."""
    if not service.is_service:
        raise PermissionDenied("only services may act on behalf of a user", reason="ON_BEHALF_OF_REQUIRES_SERVICE")
    if not user_id:
        raise PermissionDenied("on-behalf-of needs a user id", reason="ON_BEHALF_OF_INVALID")
    return Principal(
        subject=user_id,
        role="user",
        token=service.token,
        claims=service.claims,
        acting_service=service.subject.removeprefix("service:"),
    )


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_principal() -> Principal | None:
    return principal_var.get()


def require_principal() -> Principal:
    principal = principal_var.get()
    if principal is None:
        raise Unauthenticated("a valid access token is required", reason="TOKEN_MISSING")
    return principal


def require_admin() -> Principal:
    principal = require_principal()
    if not principal.is_admin:
        raise PermissionDenied("this method is for administrators", reason="ADMIN_REQUIRED")
    return principal
