"""Domain errors: what went wrong, in domain words, with no gRPC or HTTP in sight.

Domain code raises these; the kit's gRPC layer (`imagemesh_kit.grpc_errors`) turns each into a
gRPC status with one `google.rpc.ErrorInfo` (reason, domain) and, for bad fields, a
`google.rpc.BadRequest` with one violation per field. Envoy then maps the status to an HTTP code.

`message` is public: it reaches the caller, so it must not carry internals (paths, SQL, stack).
`reason` is UPPER_SNAKE and stable: clients branch on it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class DomainError(Exception):
    """Base class. Subclasses fix the status; `reason` and `message` say what happened."""

    status = "UNKNOWN"  # the gRPC status code name, e.g. "INVALID_ARGUMENT"
    default_reason = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        violations: list[FieldViolation] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.violations = list(violations or [])
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({self.reason}: {self.message})"


class InvalidArgument(DomainError):
    status = "INVALID_ARGUMENT"
    default_reason = "INVALID_ARGUMENT"

    @classmethod
    def for_field(cls, field_name: str, description: str, *, reason: str | None = None) -> InvalidArgument:
        return cls(
            f"{field_name}: {description}",
            reason=reason,
            violations=[FieldViolation(field_name, description)],
        )


class NotFound(DomainError):
    status = "NOT_FOUND"
    default_reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    status = "ALREADY_EXISTS"
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    status = "FAILED_PRECONDITION"
    default_reason = "FAILED_PRECONDITION"


class ResourceExhausted(DomainError):
    status = "RESOURCE_EXHAUSTED"
    default_reason = "RESOURCE_EXHAUSTED"


class Unauthenticated(DomainError):
    status = "UNAUTHENTICATED"
    default_reason = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    status = "PERMISSION_DENIED"
    default_reason = "PERMISSION_DENIED"


class Aborted(DomainError):
    status = "ABORTED"
    default_reason = "ABORTED"


class DeadlineExceeded(DomainError):
    status = "DEADLINE_EXCEEDED"
    default_reason = "DEADLINE_EXCEEDED"


class Cancelled(DomainError):
    """Work stopped because its caller or job was cancelled (pipelines raise it when should_stop() says so)."""

    status = "CANCELLED"
    default_reason = "CANCELLED"


class Unavailable(DomainError):
    """A transient failure: a dependency is down. Callers (and job workers) may retry."""

    status = "UNAVAILABLE"
    default_reason = "UNAVAILABLE"


__all__ = [
    "Aborted",
    "AlreadyExists",
    "Cancelled",
    "DeadlineExceeded",
    "DomainError",
    "FailedPrecondition",
    "FieldViolation",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
]
