"""Shared helpers of the depthframe gRPC tests."""

from __future__ import annotations

import grpc
from google.api import httpbody_pb2

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from imagemesh_kit.testing import expect_error as _expect_error


async def create(
    stub, metadata, csv: bytes, name: str = "log", width: int = 0, content_type: str = "text/csv"
) -> pb.DepthDataset:
    request = pb.CreateDepthDatasetRequest(
        name=name, width=width, body=httpbody_pb2.HttpBody(content_type=content_type, data=csv)
    )
    return (await stub.CreateDepthDataset(request, metadata=metadata)).dataset


def upload_messages(csv: bytes, name: str = "big", width: int = 0, chunk: int = 64 * 1024):
    yield pb.UploadDepthDatasetRequest(name=name, width=width, chunk=csv[:chunk])
    for start in range(chunk, len(csv), chunk):
        yield pb.UploadDepthDatasetRequest(chunk=csv[start : start + chunk])


async def expect_error(call, code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
    """The kit's expect_error, also checking the ErrorInfo domain is depthframe's (the interceptor's own
    TOKEN_* errors aside)."""
    domain = None if reason.startswith("TOKEN") else "depthframe.imagemesh"
    return await _expect_error(call, code, reason, domain=domain)
