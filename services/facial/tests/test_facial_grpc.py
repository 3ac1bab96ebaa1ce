"""The facial service over a real gRPC channel (with a real auth service), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import cv2
import grpc
import numpy as np
import pytest
import sqlalchemy as sa

from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh.jobs.v1 import jobs_pb2
from services.facial.domain import eye_line_angle_deg
from services.facial.domain.scheme import REGION_LANDMARKS, Region
from services.facial.store.models import JobInputRow, JobResultRow
from services.facial.tests.conftest import encode
from services.facial.tests.harness import FacialHarness, expect_error, points, polygon_area, rotated, start_facial
from services.facial.tests.svg_paths import inside_evenodd, path_rings
from services.facial.tests.test_segmentation import synthetic_map

pytestmark = pytest.mark.integration

NS = {"svg": "http://www.w3.org/2000/svg"}
SUCCEEDED = jobs_pb2.JOB_STATE_SUCCEEDED
FAILED = jobs_pb2.JOB_STATE_FAILED
CANCELLED = jobs_pb2.JOB_STATE_CANCELLED
QUEUED = jobs_pb2.JOB_STATE_QUEUED


async def test_job_with_landmarks_gives_valid_svg_masks_and_polygons(facial, astronaut, astronaut_landmarks):
    md = await facial.user("ann@example.com")
    req = facial_pb2.CreateContourJobRequest(
        image=encode(astronaut), landmarks=points(astronaut_landmarks), output_formats=["svg", "png", "json"]
    )
    created = (await facial.stub.CreateContourJob(req, metadata=md)).contour_job
    assert created.id and created.regions == [r.value for r in Region]
    job = await facial.final(created.id, md)
    assert job.status.state == SUCCEEDED, job.status.error
    result = job.result
    assert (result.space, result.width, result.height, result.source) == ("original", 512, 512, "landmarks")
    root = ET.fromstring(result.svg)
    assert root.get("viewBox") == "-0.5 -0.5 512 512"
    paths = root.findall(".//svg:path", NS)
    assert [p.get("id") for p in paths] == [f"face0-{r.value}" for r in Region]
    for path in paths:
        region = Region(path.get("id").split("-", 1)[1])
        rings = path_rings(path.get("d"))
        for i in REGION_LANDMARKS[region]:
            assert inside_evenodd(rings, astronaut_landmarks[i]), (region, i)
    assert set(result.masks) == {r.value for r in Region}
    mask = cv2.imdecode(np.frombuffer(result.masks["left_eye"], np.uint8), cv2.IMREAD_GRAYSCALE)
    assert mask.shape == (512, 512) and 0 < np.count_nonzero(mask) < 512 * 512 // 50
    doc = json.loads(result.polygons_json)
    assert doc["faces"][0]["regions"]["face_oval"]["has_holes"] is True
    # Get answers the same result; the job's params are its normalised parameters.
    again = (await facial.stub.GetContourJob(facial_pb2.GetContourJobRequest(id=created.id), metadata=md)).contour_job
    assert again.result.svg == result.svg and again.output_formats == ["svg", "png", "json"]


async def test_align_levels_the_eyes_of_rotated_faces_with_detected_landmarks(facial, astronaut):
    md = await facial.user("rot@example.com")
    for angle in (-20, 12):
        req = facial_pb2.ComputeContoursRequest(
            image=encode(rotated(astronaut, angle)), align=True, space="aligned", output_formats=["json"]
        )
        result = (await facial.stub.ComputeContours(req, metadata=md)).result
        doc = json.loads(result.polygons_json)
        lm = np.asarray(doc["faces"][0]["landmarks"])
        assert abs(eye_line_angle_deg(lm)) < 1.0, angle
        a = result.alignment
        assert abs(a.angle_deg + angle) < 4.0  # detected landmarks: within a few degrees of the truth
        assert len(a.matrix) == 6 and len(a.inverse) == 6
        assert (result.width, result.height) == (a.crop_box.width, a.crop_box.height)
        m = np.asarray(a.matrix).reshape(2, 3)
        inv = np.vstack([np.asarray(a.inverse).reshape(2, 3), [0, 0, 1]])
        assert np.allclose(m @ inv, np.hstack([np.eye(2), np.zeros((2, 1))]), atol=1e-3)


async def test_segmentation_map_areas_match_within_2_percent(facial):
    md = await facial.user("map@example.com")
    labels, areas = synthetic_map()
    image = np.dstack([labels * 10] * 3).astype(np.uint8)
    req = facial_pb2.ComputeContoursRequest(
        image=encode(image), segmentation_map=encode(labels), output_formats=["svg", "json"]
    )
    result = (await facial.stub.ComputeContours(req, metadata=md)).result
    assert result.source == "segmentation_map"
    regions = json.loads(result.polygons_json)["faces"][0]["regions"]
    for name, area in areas.items():
        assert abs(polygon_area(regions[name]["rings"]) - area) / area < 0.02, name
    oval = [p for p in ET.fromstring(result.svg).findall(".//svg:path", NS) if p.get("id") == "face0-face_oval"][0]
    assert oval.get("fill-rule") == "evenodd"


async def test_a_reencoded_image_is_served_from_the_cache(facial, astronaut, astronaut_landmarks):
    md = await facial.user("cache@example.com")

    def request(data: bytes) -> facial_pb2.ComputeContoursRequest:
        return facial_pb2.ComputeContoursRequest(image=data, output_formats=["svg", "json", "png"], regions=["nose"])

    first = (await facial.stub.ComputeContours(request(encode(astronaut)), metadata=md)).result
    assert not first.from_cache
    jpeg = encode(astronaut, ".jpg", quality=80)
    second = (await facial.stub.ComputeContours(request(jpeg), metadata=md)).result
    assert second.from_cache and second.svg == first.svg and second.masks == first.masks
    smaller = cv2.resize(astronaut, (461, 461), interpolation=cv2.INTER_AREA)  # 0.9x
    third = (await facial.stub.ComputeContours(request(encode(smaller, ".jpg", 80)), metadata=md)).result
    assert third.from_cache and (third.width, third.height) == (461, 461)
    # A job on the same image hits it too.
    job = (
        await facial.stub.CreateContourJob(
            facial_pb2.CreateContourJobRequest(image=jpeg, output_formats=["svg", "json", "png"], regions=["nose"]),
            metadata=md,
        )
    ).contour_job
    assert (await facial.final(job.id, md)).result.from_cache
    stats_request = facial_pb2.GetCacheStatsRequest()  # the counters are the operators': admins only
    await expect_error(
        facial.stub.GetCacheStats(stats_request, metadata=md), grpc.StatusCode.PERMISSION_DENIED, "ADMIN_REQUIRED"
    )
    admin = await facial.user("cache-admin@example.com", role="admin")
    stats = await facial.stub.GetCacheStats(stats_request, metadata=admin)
    assert (stats.hits, stats.misses, stats.entries, stats.total_hits) == (3, 1, 1, 3)
    assert stats.hit_rate == 0.75 and stats.mean_hit_ms > 0 and stats.mean_miss_ms > 0


async def test_bad_input_is_refused_at_create_with_its_reason(facial, astronaut, astronaut_landmarks):
    md = await facial.user("bad@example.com")
    png = encode(astronaut)
    create = facial.stub.CreateContourJob
    R = facial_pb2.CreateContourJobRequest
    cases = [
        (R(), "IMAGE_REQUIRED"),
        (R(image=png, landmarks=points(astronaut_landmarks[:60])), "WRONG_LANDMARK_COUNT"),
        (R(image=png, landmarks=points(astronaut_landmarks + 600)), "LANDMARKS_OUTSIDE_IMAGE"),
        (R(image=png, segmentation_map=encode(np.zeros((100, 100), np.uint8))), "SEGMENTATION_MAP_SIZE_MISMATCH"),
        (R(image=b"not an image"), "UNDECODABLE_IMAGE"),
        (R(image=encode(np.zeros((5000, 5100), np.uint8))), "IMAGE_TOO_LARGE"),
        (R(image=png, regions=["ears"]), "UNKNOWN_REGION"),
        (R(image=png, output_formats=["gif"]), "UNKNOWN_OUTPUT_FORMAT"),
        (R(image=png, faces="all", align=True), "ALIGN_NEEDS_ONE_FACE"),
        (R(image=png, space="aligned"), "ALIGNED_SPACE_NEEDS_ALIGN"),
        (R(image=png, margin=3.0), "BAD_MARGIN"),
        (R(image=png, request_id="x" * 129), "REQUEST_ID_TOO_LONG"),
    ]
    for req, reason in cases:
        await expect_error(create(req, metadata=md), grpc.StatusCode.INVALID_ARGUMENT, reason)
    await expect_error(
        create(R(image_id="img-1"), metadata=md), grpc.StatusCode.FAILED_PRECONDITION, "IMAGE_ID_UNSUPPORTED"
    )
    jobs = await facial.stub.ListContourJobs(facial_pb2.ListContourJobsRequest(), metadata=md)
    assert list(jobs.contour_jobs) == []  # nothing was queued


async def test_bad_input_found_while_running_fails_the_job(facial, detector):
    md = await facial.user("late@example.com")
    labels, _ = synthetic_map()
    labels[0, 0] = 42
    blank = encode(np.full((300, 400, 3), 128, np.uint8))
    unknown = (
        await facial.stub.CreateContourJob(
            facial_pb2.CreateContourJobRequest(image=blank, segmentation_map=encode(labels)), metadata=md
        )
    ).contour_job
    no_face = await facial.stub.CreateContourJob(facial_pb2.CreateContourJobRequest(image=blank), metadata=md)
    for job_id, reason in ((unknown.id, "UNKNOWN_LABELS"), (no_face.contour_job.id, "NO_FACE_FOUND")):
        job = await facial.final(job_id, md)
        assert job.status.state == FAILED and job.status.attempts == 1
        assert (job.status.error.code, job.status.error.reason) == ("INVALID_ARGUMENT", reason)
    await expect_error(
        facial.stub.ComputeContours(facial_pb2.ComputeContoursRequest(image=blank), metadata=md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "NO_FACE_FOUND",
    )


async def test_sync_compute_is_for_small_images(facial):
    md = await facial.user("big@example.com")
    big = encode(np.zeros((1500, 1500), np.uint8))  # 2.25 MP > the 2 MP default
    err = await expect_error(
        facial.stub.ComputeContours(facial_pb2.ComputeContoursRequest(image=big), metadata=md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "IMAGE_TOO_LARGE",
    )
    assert "2000000 pixels" in err.details() and "/v1/facial/contours" in err.details()


async def test_tokens_are_required(facial):
    for md in ((), (("authorization", "Bearer not-a-token"),)):
        await expect_error(
            facial.stub.ListContourJobs(facial_pb2.ListContourJobsRequest(), metadata=md),
            grpc.StatusCode.UNAUTHENTICATED,
            "TOKEN_MISSING" if not md else "TOKEN_MALFORMED",
        )


async def test_other_users_jobs_are_not_found_and_lists_are_own_and_paged(facial, astronaut, astronaut_landmarks):
    ann, bob = await facial.user("ann2@example.com"), await facial.user("bob2@example.com")
    req = facial_pb2.CreateContourJobRequest(image=encode(astronaut), landmarks=points(astronaut_landmarks))
    ids = [(await facial.stub.CreateContourJob(req, metadata=ann)).contour_job.id for _ in range(3)]
    s = facial.stub
    for call in (
        s.GetContourJob(facial_pb2.GetContourJobRequest(id=ids[0]), metadata=bob),
        s.CancelContourJob(facial_pb2.CancelContourJobRequest(id=ids[0]), metadata=bob),
        s.DeleteContourJob(facial_pb2.DeleteContourJobRequest(id=ids[0]), metadata=bob),
        s.GetContourJob(facial_pb2.GetContourJobRequest(id="no-such-job"), metadata=ann),
    ):
        await expect_error(call, grpc.StatusCode.NOT_FOUND, "JOB_NOT_FOUND")
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        async for _ in s.WatchContourJob(facial_pb2.WatchContourJobRequest(id=ids[0]), metadata=bob):
            pass
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND
    assert list((await s.ListContourJobs(facial_pb2.ListContourJobsRequest(), metadata=bob)).contour_jobs) == []
    seen, token = [], ""
    while True:
        page = await s.ListContourJobs(facial_pb2.ListContourJobsRequest(page_size=2, page_token=token), metadata=ann)
        assert len(page.contour_jobs) <= 2 and all(not j.HasField("result") for j in page.contour_jobs)
        seen += [j.id for j in page.contour_jobs]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(ids)
    await expect_error(
        s.ListContourJobs(facial_pb2.ListContourJobsRequest(page_token="garbage"), metadata=ann),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    for job_id in ids:
        await facial.final(job_id, ann)


async def test_request_id_makes_create_idempotent(facial, astronaut, astronaut_landmarks):
    md = await facial.user("idem@example.com")
    req = facial_pb2.CreateContourJobRequest(
        image=encode(astronaut), landmarks=points(astronaut_landmarks), request_id="req-1"
    )
    first = await facial.stub.CreateContourJob(req, metadata=md)
    again = await facial.stub.CreateContourJob(req, metadata=md)
    assert first.created and not again.created and again.contour_job.id == first.contour_job.id
    other = facial_pb2.CreateContourJobRequest(image=encode(astronaut, ".jpg"), request_id="req-1")
    await expect_error(
        facial.stub.CreateContourJob(other, metadata=md), grpc.StatusCode.FAILED_PRECONDITION, "REQUEST_ID_REUSED"
    )
    await facial.final(first.contour_job.id, md)


async def test_delete_removes_the_input_and_the_result(facial, astronaut, astronaut_landmarks):
    md = await facial.user("del@example.com")
    req = facial_pb2.CreateContourJobRequest(image=encode(astronaut), landmarks=points(astronaut_landmarks))
    job = (await facial.stub.CreateContourJob(req, metadata=md)).contour_job
    assert (await facial.final(job.id, md)).status.state == SUCCEEDED
    engine = facial.use_cases.engine

    async def rows() -> tuple[int, int]:
        async with engine.connect() as conn:
            counts = []
            for t in (JobInputRow.__table__, JobResultRow.__table__):
                q = sa.select(sa.func.count()).select_from(t).where(t.c.job_id == job.id)
                counts.append((await conn.execute(q)).scalar_one())
            return tuple(counts)

    assert await rows() == (1, 1)
    await facial.stub.DeleteContourJob(facial_pb2.DeleteContourJobRequest(id=job.id), metadata=md)
    assert await rows() == (0, 0)
    await expect_error(
        facial.stub.GetContourJob(facial_pb2.GetContourJobRequest(id=job.id), metadata=md),
        grpc.StatusCode.NOT_FOUND,
        "JOB_NOT_FOUND",
    )


async def test_cancel_a_queued_job_and_watch_it_end(database, auth_server, astronaut):
    """An API-only replica (no worker): the job stays queued until cancelled."""
    running, settings = await start_facial(database, auth_server, worker_concurrency=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        h = FacialHarness(facial_pb2_grpc.FacialServiceStub(channel), running, settings, auth_server)
        md = await h.user("cancel@example.com")
        job = (
            await h.stub.CreateContourJob(facial_pb2.CreateContourJobRequest(image=encode(astronaut)), metadata=md)
        ).contour_job
        assert job.status.state == QUEUED
        cancelled = (
            await h.stub.CancelContourJob(facial_pb2.CancelContourJobRequest(id=job.id), metadata=md)
        ).contour_job
        assert cancelled.status.state == CANCELLED and cancelled.status.cancel_requested
        assert (await h.final(job.id, md)).status.state == CANCELLED
        again = await h.stub.CancelContourJob(facial_pb2.CancelContourJobRequest(id=job.id), metadata=md)
        assert again.contour_job.status.state == CANCELLED  # finished jobs are unchanged
    finally:
        await channel.close()
        await running.stop(0)


async def test_replicas_share_the_cache_through_the_database(facial, database, auth_server, astronaut):
    """A second replica on the same database serves the first one's result (its own memory is empty)."""
    running, settings = await start_facial(database, auth_server, worker_concurrency=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        other = FacialHarness(facial_pb2_grpc.FacialServiceStub(channel), running, settings, auth_server)
        md = await facial.user("replicas@example.com")
        req = facial_pb2.ComputeContoursRequest(image=encode(astronaut), output_formats=["json"], regions=["nose"])
        assert not (await facial.stub.ComputeContours(req, metadata=md)).result.from_cache
        await facial.use_cases.cache_store.drain()  # the first replica's write has landed
        jpeg = facial_pb2.ComputeContoursRequest(
            image=encode(astronaut, ".jpg", 80), output_formats=["json"], regions=["nose"]
        )
        assert (await other.stub.ComputeContours(jpeg, metadata=md)).result.from_cache
        admin = await facial.user("replicas-admin@example.com", role="admin")
        stats = await other.stub.GetCacheStats(facial_pb2.GetCacheStatsRequest(), metadata=admin)
        assert (stats.hits, stats.misses, stats.entries, stats.total_hits) == (1, 0, 1, 1)
    finally:
        await channel.close()
        await running.stop(0)
