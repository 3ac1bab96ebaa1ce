"""An in-process facial service (port 0, real channel) beside a real auth service, and test pictures."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import grpc
import numpy as np
import pytest

from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh.jobs.v1 import jobs_pb2
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from imagemesh_kit.testing import expect_error  # noqa: F401 - re-exported for the tests
from services.facial.config import FacialSettings
from services.facial.main import build

FINAL = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}


@dataclass
class FacialHarness:
    stub: facial_pb2_grpc.FacialServiceStub
    running: RunningApp
    settings: FacialSettings
    auth: object  # conftest.AuthForTests

    @property
    def use_cases(self):
        return self.running.app.servicers[0][1]._uc

    async def user(self, email: str, role: str = "user") -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {await self.auth.token(email, role)}"),)

    async def final(self, job_id: str, md) -> facial_pb2.ContourJob:
        """Watch a job to its end; the last message is the final state."""
        last = None
        async for msg in self.stub.WatchContourJob(facial_pb2.WatchContourJobRequest(id=job_id), metadata=md):
            last = msg.contour_job
        assert last is not None and jobs_pb2.JobState.Name(last.status.state) in FINAL
        return last


async def start_facial(database, auth_server, **overrides) -> tuple[RunningApp, FacialSettings]:
    settings = load_settings(
        FacialSettings,
        port=0,
        database_url=database.url,
        database_schema=database.schema,
        auth_target=auth_server.target,
        access_log=False,
        **overrides,
    )
    return await start_app(await build(settings), settings), settings


@pytest.fixture
async def facial(database, auth_server):
    running, settings = await start_facial(database, auth_server)
    channel = grpc.aio.insecure_channel(
        f"127.0.0.1:{running.port}",
        options=[
            ("grpc.max_receive_message_length", 32 * 1024 * 1024),
            ("grpc.max_send_message_length", 32 * 1024 * 1024),
        ],
    )
    try:
        yield FacialHarness(facial_pb2_grpc.FacialServiceStub(channel), running, settings, auth_server)
    finally:
        await channel.close()
        await running.stop(0)


def points(landmarks: np.ndarray) -> list[facial_pb2.Point]:
    return [facial_pb2.Point(x=float(x), y=float(y)) for x, y in landmarks]


def rotated(image: np.ndarray, angle_deg: float) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def polygon_area(rings: list[dict]) -> float:
    """Area of a JSON region: outer rings minus holes (shoelace)."""
    total = 0.0
    for ring in rings:
        p = np.asarray(ring["points"], np.float64)
        a = 0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], 1)) - np.dot(p[:, 1], np.roll(p[:, 0], 1)))
        total += -a if ring["hole"] else a
    return total
