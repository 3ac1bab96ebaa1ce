"""Domain errors -> gRPC status with `google.rpc` rich details (ErrorInfo + BadRequest).

Envoy's transcoder (convert_grpc_status) renders the status as JSON
`{"code": .., "message": .., "details": [{"@type": ".../google.rpc.ErrorInfo", "reason": ..}]}`
with the HTTP code of the gRPC status.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from imagemesh_kit.errors import DomainError


def to_status_proto(err: DomainError, domain: str, extra_details: list[Message] | None = None) -> status_pb2.Status:
    code = getattr(code_pb2, err.status, code_pb2.UNKNOWN)
    status = status_pb2.Status(code=code, message=err.message)
    info = error_details_pb2.ErrorInfo(reason=err.reason, domain=domain, metadata=err.metadata)
    packed = any_pb2.Any()
    packed.Pack(info)
    status.details.append(packed)
    if err.violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in err.violations
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        status.details.append(packed)
    for detail in extra_details or []:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def to_grpc_status(err: DomainError, domain: str, extra_details: list[Message] | None = None) -> grpc.Status:
    return rpc_status.to_status(to_status_proto(err, domain, extra_details))


def internal_status(domain: str) -> grpc.Status:
    """What the caller sees for a bug: no internals, just a stable reason."""
    err = DomainError("internal error; the request id in the logs identifies it", reason="INTERNAL")
    err.status = "INTERNAL"
    return to_grpc_status(err, domain)


def error_info(exc: grpc.aio.AioRpcError | grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo of a failed call, for clients (and tests) that branch on `reason`."""
    status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None
