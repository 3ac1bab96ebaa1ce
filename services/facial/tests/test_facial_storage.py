"""image_id inputs: the facial service reads the caller's image from a real storage service, with its
service identity acting for the job's owner (SQLite and PostgreSQL)."""

from __future__ import annotations

import grpc
import pytest

from conftest import TEST_SERVICE_SECRET
from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh.jobs.v1 import jobs_pb2
from imagemesh_kit.testing import DatabaseTarget, drop_pg_schema, new_pg_schema
from services.facial.tests.conftest import encode
from services.facial.tests.harness import FacialHarness, expect_error, points, start_facial
from services.storage.tests.harness import start_storage

pytestmark = pytest.mark.integration


@pytest.fixture
async def mesh2(database, auth_server, tmp_path):
    """Storage (its own database) + facial pointed at it, with the 'tester' service identity."""
    if database.backend == "sqlite":
        storage_db, drop = DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'storage.db'}", None), None
    else:
        storage_db = DatabaseTarget("postgresql", database.url, new_pg_schema())
        drop = storage_db.schema
    try:
        async with start_storage("local", storage_db, auth_server, tmp_path, None) as storage:
            running, settings = await start_facial(
                database,
                auth_server,
                storage_target=storage.target,
                service_name="tester",
                service_secret=TEST_SERVICE_SECRET,
            )
            channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
            try:
                yield storage, FacialHarness(facial_pb2_grpc.FacialServiceStub(channel), running, settings, auth_server)
            finally:
                await channel.close()
                await running.stop(0)
    finally:
        if drop:
            drop_pg_schema(database.url, drop)


async def test_a_job_reads_the_callers_storage_image(mesh2, astronaut, astronaut_landmarks):
    storage, facial = mesh2
    ann = await storage.user()
    png = encode(astronaut)
    image = await storage.create(ann, png)
    req = facial_pb2.CreateContourJobRequest(
        image_id=image.id, landmarks=points(astronaut_landmarks), output_formats=["svg"]
    )
    job = (await facial.stub.CreateContourJob(req, metadata=ann.md)).contour_job
    assert job.image_id == image.id
    done = await facial.final(job.id, ann.md)
    assert done.status.state == jobs_pb2.JOB_STATE_SUCCEEDED, done.status.error
    inline = facial_pb2.ComputeContoursRequest(image=png, landmarks=points(astronaut_landmarks), output_formats=["svg"])
    assert done.result.svg == (await facial.stub.ComputeContours(inline, metadata=ann.md)).result.svg
    by_id = facial_pb2.ComputeContoursRequest(image_id=image.id, output_formats=["json"])
    assert (await facial.stub.ComputeContours(by_id, metadata=ann.md)).result.face_count == 1


async def test_other_users_and_missing_images_are_not_found(mesh2, astronaut, astronaut_landmarks):
    storage, facial = mesh2
    ann, bob = await storage.user(), await storage.user()
    image = await storage.create(ann, encode(astronaut))
    for image_id in (image.id, "0" * 36):
        await expect_error(
            facial.stub.CreateContourJob(facial_pb2.CreateContourJobRequest(image_id=image_id), metadata=bob.md),
            grpc.StatusCode.NOT_FOUND,
            "IMAGE_NOT_FOUND",
        )
        await expect_error(
            facial.stub.ComputeContours(facial_pb2.ComputeContoursRequest(image_id=image_id), metadata=bob.md),
            grpc.StatusCode.NOT_FOUND,
            "IMAGE_NOT_FOUND",
        )
    lm = points(astronaut_landmarks + 600)
    await expect_error(
        facial.stub.CreateContourJob(
            facial_pb2.CreateContourJobRequest(image_id=image.id, landmarks=lm), metadata=ann.md
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "LANDMARKS_OUTSIDE_IMAGE",
    )
