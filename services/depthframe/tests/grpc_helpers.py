"""Shared helpers of the depthframe gRPC tests."""

from __future__ import annotations

import grpc
import pytest
from google.api import httpbody_pb2

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from imagemesh_kit.grpc_errors import error_info


async def expect_error(call, code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await call
    assert exc.value.code() == code, exc.value.details()
    info = error_info(exc.value)
    assert info is not None and info.reason == reason, info
    assert info.domain == "depthframe.imagemesh" or reason.startswith("TOKEN"), info
    return exc.value


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
