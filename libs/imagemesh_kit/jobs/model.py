"""The job, in domain terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from imagemesh_kit.errors import Cancelled, DeadlineExceeded, DomainError, Unavailable


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class JobError:
    code: str  # gRPC status name
    reason: str
    message: str


@dataclass(frozen=True)
class Job:
    id: str
    owner_id: str
    kind: str
    params: dict
    state: JobState
    progress: float
    progress_message: str
    result: dict | None
    error: JobError | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    version: int
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    idempotency_key: str | None = None
    lease_owner: str | None = field(default=None, repr=False)


__all__ = ["Cancelled", "Job", "JobError", "JobState", "error_of", "is_cancellation", "is_transient"]


def is_cancellation(exc: BaseException) -> bool:
    """The handler stopped because it was told to (the kit's Cancelled, or any domain error saying CANCELLED)."""
    return isinstance(exc, Cancelled) or (isinstance(exc, DomainError) and exc.status == "CANCELLED")


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: a dependency was down or slow, or something unexpected broke.

    A DomainError that describes the user's input (InvalidArgument, NotFound, PermissionDenied,
    FailedPrecondition, ResourceExhausted...) will fail the same way again: it fails the job at once.
    """
    if isinstance(exc, (Unavailable, DeadlineExceeded)):
        return True
    if isinstance(exc, DomainError):
        return False
    return isinstance(exc, Exception)


def error_of(exc: BaseException) -> JobError:
    if isinstance(exc, DomainError):
        return JobError(exc.status, exc.reason, exc.message)
    return JobError("INTERNAL", "INTERNAL", "the job failed unexpectedly; the service logs have the details")
