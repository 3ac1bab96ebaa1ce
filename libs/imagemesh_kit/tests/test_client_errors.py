"""A failed call to another service comes back as the DomainError it was raised as."""

import grpc
import pytest
from grpc.aio import AioRpcError, Metadata

from imagemesh_kit import errors
from imagemesh_kit.clients.errors import domain_error
from imagemesh_kit.grpc_errors import to_status_proto


def failed_call(err: errors.DomainError) -> AioRpcError:
    status = to_status_proto(err, "storage.imagemesh")
    trailing = Metadata(("grpc-status-details-bin", status.SerializeToString()))
    return AioRpcError(getattr(grpc.StatusCode, err.status), Metadata(), trailing, details=err.message)


@pytest.mark.parametrize(
    "original",
    [
        errors.NotFound("the image does not exist", reason="IMAGE_NOT_FOUND"),
        errors.InvalidArgument.for_field("content", "not an image", reason="UNSUPPORTED_MEDIA_TYPE"),
        errors.ResourceExhausted("too big", reason="IMAGE_TOO_LARGE", metadata={"max_bytes": "10"}),
        errors.Unavailable("S3 is down", reason="BLOB_STORE_UNAVAILABLE"),
        errors.PermissionDenied("no", reason="SIGNED_URL_INVALID"),
    ],
)
def test_status_reason_message_and_metadata_survive(original):
    err = domain_error(failed_call(original), "storage")
    assert type(err) is type(original)
    assert (err.reason, err.message, err.metadata) == (original.reason, original.message, original.metadata)


def test_unknown_statuses_become_retryable_without_remote_internals():
    exc = AioRpcError(grpc.StatusCode.INTERNAL, Metadata(), Metadata(), details="Traceback: secret path")
    err = domain_error(exc, "storage")
    assert isinstance(err, errors.Unavailable) and err.reason == "STORAGE_FAILED" and "secret" not in err.message


def test_a_plain_status_without_details_keeps_its_class():
    exc = AioRpcError(grpc.StatusCode.UNAVAILABLE, Metadata(), Metadata(), details="connection refused")
    err = domain_error(exc, "storage")
    assert isinstance(err, errors.Unavailable) and err.reason == "UNAVAILABLE"
