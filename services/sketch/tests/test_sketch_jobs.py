"""Sketch jobs as the worker runs them: replicas, a rerun after a crash, failures (both databases)."""

from __future__ import annotations

import pytest

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh.storage.v1 import storage_pb2
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.jobs.worker import JobContext, WorkerSettings
from imagemesh_kit.mesh.launcher import free_port
from services.sketch.tests.harness import start_sketch
from services.sketch.use_cases import KIND
from services.sketch.worker import SketchHandler

pytestmark = pytest.mark.integration

S = jobs_pb2.JobState


async def test_a_watcher_on_one_replica_sees_the_work_of_another(storage, sketch_db):
    async with (
        start_sketch(storage, sketch_db, worker_concurrency=0) as api,  # answers, renders nothing
        start_sketch(storage, sketch_db) as worker,
    ):
        user = await api.user()
        image_id, _ = await api.image(user, height=900)  # about a second of work: many polls of the watcher
        created = await api.create(user, image_id, "WATERCOLOR", "ADVANCED")
        states = await api.watch(user, created.id)
        assert any(s.status.state == S.JOB_STATE_RUNNING and 0 < s.status.progress < 1 for s in states)
        assert states[-1].status.state == S.JOB_STATE_SUCCEEDED and states[-1].result_image_id
        assert await worker.get(user, created.id) == states[-1]


async def test_a_rerun_after_a_crash_keeps_the_first_result(storage, sketch_db):
    """A worker stored the result, then died before recording it: the job's lease expires, another
    worker runs it again and storage hands back the first image (one result image, not two)."""
    async with start_sketch(storage, sketch_db, worker_concurrency=0) as api:
        user = await api.user()
        image_id, _ = await api.image(user)
        created = await api.create(user, image_id, "INK", "ADVANCED")
        job = await api.jobs.claim("crashed-worker", [KIND], lease_s=0.5)
        assert job is not None and job.id == created.id
        async with StorageClient(storage.target) as client:
            handler = SketchHandler(client, storage.auth.service_identity(), max_png_bytes=1 << 30)
            ctx = JobContext(job, api.jobs, "crashed-worker", WorkerSettings(lease_s=0.5))
            first = await handler(job, ctx)
            await ctx.close()
        # ...and the worker dies here, its job still RUNNING under an expiring lease.
        assert (await api.get(user, created.id)).status.state == S.JOB_STATE_RUNNING

    async with start_sketch(storage, sketch_db) as restarted:
        final = (await restarted.watch(user, created.id))[-1]
        assert final.status.state == S.JOB_STATE_SUCCEEDED and final.status.attempts == 2
        assert final.result_image_id == first["result_image_id"]
        assert [i.id for i in await restarted.sketch_images(user)] == [final.result_image_id]


async def test_a_deleted_source_fails_the_job_at_once(storage, sketch_db):
    async with start_sketch(storage, sketch_db, worker_concurrency=0) as api:
        user = await api.user()
        image_id, _ = await api.image(user)
        created = await api.create(user, image_id)
        await storage.stub.DeleteImage(storage_pb2.DeleteImageRequest(image_id=image_id), metadata=user.md)
    async with start_sketch(storage, sketch_db) as svc:
        final = (await svc.watch(user, created.id))[-1]
    assert final.status.state == S.JOB_STATE_FAILED and final.status.attempts == 1
    assert (final.status.error.code, final.status.error.reason) == ("NOT_FOUND", "IMAGE_NOT_FOUND")
    assert not final.result_image_id


async def test_storage_down_is_retried_then_fails(storage, sketch_db):
    async with start_sketch(storage, sketch_db, worker_concurrency=0) as api:
        user = await api.user()
        image_id, _ = await api.image(user)
        created = await api.create(user, image_id)
    async with start_sketch(storage, sketch_db, storage_target=f"127.0.0.1:{free_port()}") as cut_off:
        final = (await cut_off.watch(user, created.id))[-1]
    assert final.status.state == S.JOB_STATE_FAILED and final.status.attempts == 3
    assert final.status.error.code == "UNAVAILABLE"


async def test_a_transient_failure_is_retried_and_then_succeeds(storage, sketch_db, database, auth_server, tmp_path):
    """Storage is down for the first attempt; the job goes back to the queue, and the retry finishes it."""
    import asyncio

    from services.storage.tests.harness import start_storage

    async with start_sketch(storage, sketch_db, worker_concurrency=0, max_attempts=6) as api:
        user = await api.user()
        image_id, _ = await api.image(user)
        created = await api.create(user, image_id)
    port = free_port()
    async with start_sketch(storage, sketch_db, storage_target=f"127.0.0.1:{port}", retry_backoff_s=0.5) as worker:
        for _ in range(200):
            waiting = await worker.get(user, created.id)
            if waiting.status.attempts == 1 and waiting.status.state == S.JOB_STATE_QUEUED:
                break
            await asyncio.sleep(0.02)
        assert waiting.status.progress_message.startswith("retrying"), waiting
        # The same storage (database and blobs) comes up on the address the worker uses.
        async with start_storage("local", database, auth_server, tmp_path, None, port=port):
            final = (await worker.watch(user, created.id))[-1]
    assert final.status.state == S.JOB_STATE_SUCCEEDED and final.status.attempts >= 2  # 1 failed, then retried
    assert [i.id for i in await api.sketch_images(user)] == [final.result_image_id]
