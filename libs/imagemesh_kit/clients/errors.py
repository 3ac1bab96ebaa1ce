"""A failed call to another service, as the DomainError it was raised as (status, reason, message kept).

So a job worker whose storage call answered NOT_FOUND(IMAGE_NOT_FOUND) re-raises NotFound with that reason,
and its own caller sees "the image does not exist" rather than INTERNAL; UNAVAILABLE stays retryable.
"""

from __future__ import annotations

import grpc

from imagemesh_kit import errors
from imagemesh_kit.grpc_errors import error_info

_BY_CODE: dict[grpc.StatusCode, type[errors.DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.ALREADY_EXISTS: errors.AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.ABORTED: errors.Aborted,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.DeadlineExceeded,
    grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
}


def domain_error(exc: grpc.aio.AioRpcError, service: str) -> errors.DomainError:
    """The DomainError matching a failed call's status; unknown statuses become Unavailable (retryable)
    with the reason `<SERVICE>_FAILED` and no remote internals in the message."""
    info = error_info(exc)
    cls = _BY_CODE.get(exc.code())
    if cls is None:
        return errors.Unavailable(f"the {service} service failed", reason=f"{service.upper()}_FAILED")
    err = cls(exc.details() or f"{service} answered {exc.code().name}", reason=info.reason if info else None)
    if info is not None:
        err.metadata.update(info.metadata)
    return err
