"""RestorationService jobs over real gRPC channels, with real auth and storage services, on both databases."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh.restoration.v1 import restoration_pb2 as pb
from services.restoration.tests.harness import expect_error, start_restoration, steps

pytestmark = pytest.mark.integration

S = jobs_pb2.JobState
FINAL = {S.JOB_STATE_SUCCEEDED, S.JOB_STATE_FAILED, S.JOB_STATE_CANCELLED}
DENOISE = {"denoise": {"strength": 1.0}}
X2 = {"upscale": {"factor": 2}}


async def test_lifecycle_create_watch_result_list_delete(restoration, astronaut):
    user = await restoration.user()
    source = astronaut[100:164, 180:260]  # 64 x 80
    image_id = await restoration.image(user, source, filename="astronaut.png")
    created = await restoration.create(user, image_id, DENOISE, X2, request_id="r1")
    assert created.status.state == S.JOB_STATE_QUEUED and created.owner_id == user.id
    assert created.image_id == image_id and created.device == "AUTO" and not created.result_image_id
    assert [s.WhichOneof("step") for s in created.steps] == ["denoise", "upscale"]
    assert created.steps[1].upscale.factor == 2 and created.steps[0].denoise.strength == 1.0
    assert not created.steps[0].denoise.HasField("sigma")  # estimated from the image

    states = await restoration.watch(user, created.id)
    done = states[-1]
    assert done.status.state == S.JOB_STATE_SUCCEEDED, done.status
    assert all(s.status.state not in FINAL for s in states[:-1])
    progress = [s.status.progress for s in states]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert [t.name for t in done.step_timings] == ["denoise", "upscale"]
    assert all(t.seconds > 0 and t.detail for t in done.step_timings)
    assert done.step_timings[0].detail == "ffdnet-lite-rgb" and done.step_timings[1].detail == "espcn-y-x2"
    assert done.device_used == "CPU" and not done.device_fallback
    assert "CPUExecutionProvider" in done.providers

    image, pixels = await restoration.result_pixels(user, done)
    assert image.kind == "restored" and image.source_image_id == image_id and image.owner_id == user.id
    assert image.filename == "astronaut-restored.png" and (image.height, image.width) == (128, 160)
    assert pixels.shape == (128, 160, 3)

    assert await restoration.get(user, created.id) == done
    assert await restoration.watch(user, created.id) == [done]  # a late watcher gets the final state only
    listed = await restoration.list(user)
    assert [r.id for r in listed.restorations] == [created.id] and listed.next_page_token == ""

    await restoration.stub.DeleteRestoration(pb.DeleteRestorationRequest(restoration_id=created.id), metadata=user.md)
    await expect_error(restoration.get(user, created.id), grpc.StatusCode.NOT_FOUND, "RESTORATION_NOT_FOUND")
    assert [i.id for i in await restoration.restored_images(user)] == [done.result_image_id]  # the result stays


async def test_face_enhance_step_finds_the_face_and_changes_only_around_it(restoration, astronaut):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut)
    done = await restoration.finish(user, image_id, {"face_enhance": {"strength": 1.0}})
    assert done.status.state == S.JOB_STATE_SUCCEEDED, done.status
    assert done.step_timings[0].detail == "1 faces, landmark-guided"
    assert done.steps[0].face_enhance.sharpen == pytest.approx(0.6)  # defaults filled in
    _, pixels = await restoration.result_pixels(user, done)
    changed = np.abs(pixels.astype(int) - astronaut.astype(int)).max(axis=2) > 2
    ys, xs = np.nonzero(changed)
    assert changed.any() and changed.mean() < 0.2  # the face region only (the face is ~90 x 110 px)
    assert 60 <= ys.mean() <= 200 and 150 <= xs.mean() <= 290


async def test_gpu_asked_without_one_runs_on_cpu_and_says_so(restoration, astronaut):
    import onnxruntime

    user = await restoration.user()
    image_id = await restoration.image(user, astronaut[:48, :48])
    done = await restoration.finish(user, image_id, X2, device="gpu")
    assert done.status.state == S.JOB_STATE_SUCCEEDED and done.device == "GPU"
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():  # a GPU machine with onnxruntime-gpu
        assert done.device_used == "GPU" and not done.device_fallback
    else:
        assert done.device_used == "CPU" and done.device_fallback and list(done.providers) == ["CPUExecutionProvider"]
    cpu = await restoration.finish(user, image_id, X2, device="CPU")
    assert cpu.device_used == "CPU" and not cpu.device_fallback


async def test_list_is_paginated_and_private(restoration, astronaut):
    user, other = await restoration.user(), await restoration.user()
    image_id = await restoration.image(user, astronaut[:32, :32])
    api = pb.CreateRestorationRequest
    ids = []
    for i in range(5):
        request = api(image_id=image_id, steps=steps(X2), request_id=f"r{i}")
        ids.append((await restoration.stub.CreateRestoration(request, metadata=user.md)).restoration.id)
    seen, token = [], ""
    while True:
        page = await restoration.list(user, page_size=2, page_token=token)
        assert len(page.restorations) <= 2
        seen += [r.id for r in page.restorations]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert list((await restoration.list(other)).restorations) == []
    await expect_error(
        restoration.list(user, page_token="garbage!"), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"
    )
    await expect_error(restoration.list(user, page_size=-1), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_SIZE")


async def test_idempotent_create(restoration, astronaut):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut[:32, :32])
    first = await restoration.create(user, image_id, X2, request_id="abc")
    again = await restoration.create(user, image_id, {"upscale": {}}, request_id="abc")  # factor 2 by default
    assert again.id == first.id
    await expect_error(
        restoration.create(user, image_id, {"upscale": {"factor": 4}}, request_id="abc"),
        grpc.StatusCode.FAILED_PRECONDITION,
        "REQUEST_ID_REUSED",
    )
    await restoration.watch(user, first.id)
    assert len(await restoration.restored_images(user)) == 1


@pytest.mark.parametrize(
    ("specs", "fields", "reason", "field"),
    [
        ((), {}, "NO_STEPS", "steps"),
        (({},), {}, "UNKNOWN_STEP", "steps[0]"),
        ((X2, {"upscale": {"factor": 3}}), {}, "INVALID_SCALE_FACTOR", "steps[1].upscale.factor"),
        (({"denoise": {"strength": 1.5}},), {}, "INVALID_STRENGTH", "steps[0].denoise.strength"),
        (({"denoise": {"strength": float("nan")}},), {}, "INVALID_STRENGTH", "steps[0].denoise.strength"),
        (({"denoise": {"sigma": 300}},), {}, "INVALID_NOISE_LEVEL", "steps[0].denoise.sigma"),
        (({"face_enhance": {"sharpen": -0.1}},), {}, "INVALID_FACE_ENHANCE_PARAM", "steps[0].face_enhance.sharpen"),
        ((X2,) * 9, {}, "TOO_MANY_STEPS", "steps"),
        ((X2,), {"device": "TPU"}, "UNKNOWN_DEVICE", "device"),
        ((X2,), {"image_id": ""}, "IMAGE_ID_REQUIRED", "image_id"),
        ((X2,), {"request_id": "x" * 129}, "REQUEST_ID_TOO_LONG", "request_id"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_created(restoration, astronaut, specs, fields, reason, field):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut[:32, :32])
    request = pb.CreateRestorationRequest(**{"image_id": image_id, "steps": steps(*specs), **fields})
    await expect_error(
        restoration.stub.CreateRestoration(request, metadata=user.md), grpc.StatusCode.INVALID_ARGUMENT, reason, field
    )
    assert list((await restoration.list(user)).restorations) == []


async def test_missing_or_foreign_images_and_restorations_are_not_found(restoration, astronaut):
    owner, stranger = await restoration.user(), await restoration.user()
    image_id = await restoration.image(owner, astronaut[:32, :32])
    missing = "0" * 36
    await expect_error(restoration.create(owner, missing, X2), grpc.StatusCode.NOT_FOUND, "IMAGE_NOT_FOUND")
    await expect_error(restoration.create(stranger, image_id, X2), grpc.StatusCode.NOT_FOUND, "IMAGE_NOT_FOUND")

    mine = await restoration.create(owner, image_id, X2)
    ref = {"restoration_id": mine.id}
    for call in (
        restoration.stub.GetRestoration(pb.GetRestorationRequest(**ref), metadata=stranger.md),
        restoration.stub.CancelRestoration(pb.CancelRestorationRequest(**ref), metadata=stranger.md),
        restoration.stub.DeleteRestoration(pb.DeleteRestorationRequest(**ref), metadata=stranger.md),
        restoration.stub.GetRestoration(pb.GetRestorationRequest(restoration_id="nope"), metadata=owner.md),
    ):
        await expect_error(call, grpc.StatusCode.NOT_FOUND, "RESTORATION_NOT_FOUND")
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await restoration.watch(stranger, mine.id)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND
    assert (await restoration.watch(owner, mine.id))[-1].status.state == S.JOB_STATE_SUCCEEDED
    assert await restoration.restored_images(stranger) == []


async def test_tokens_are_required(restoration, astronaut):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut[:32, :32])
    request = pb.CreateRestorationRequest(image_id=image_id, steps=steps(X2))
    await expect_error(restoration.stub.CreateRestoration(request), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await restoration.stub.CreateRestoration(request, metadata=(("authorization", "Bearer not-a-jwt"),))
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await restoration.stub.ListModels(pb.ListModelsRequest())
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_pixel_limits_refuse_at_create_before_any_work(storage, restoration_db, astronaut):
    async with start_restoration(storage, restoration_db, max_input_pixels=5000, max_output_pixels=20_000) as svc:
        user = await svc.user()
        small = await svc.image(user, astronaut[:64, :64])  # 4,096 px in, x2 = 16,384 out
        big = await svc.image(user, astronaut[:80, :80])  # 6,400 px
        err = await expect_error(
            svc.create(user, small, {"upscale": {"factor": 4}}), grpc.StatusCode.RESOURCE_EXHAUSTED, "OUTPUT_TOO_LARGE"
        )
        assert "65536" in err.details()
        await expect_error(svc.create(user, small, X2, X2), grpc.StatusCode.RESOURCE_EXHAUSTED, "OUTPUT_TOO_LARGE")
        await expect_error(svc.create(user, big, DENOISE), grpc.StatusCode.RESOURCE_EXHAUSTED, "INPUT_TOO_LARGE")
        assert list((await svc.list(user)).restorations) == []
        done = await svc.finish(user, small, X2)  # within the limit
        assert done.status.state == S.JOB_STATE_SUCCEEDED


async def test_cancel_a_queued_restoration(storage, restoration_db, astronaut):
    async with start_restoration(storage, restoration_db, worker_concurrency=0) as api_only:  # nobody works
        user = await api_only.user()
        image_id = await api_only.image(user, astronaut[:32, :32])
        created = await api_only.create(user, image_id, X2)
        ref = pb.CancelRestorationRequest(restoration_id=created.id)
        reply = await api_only.stub.CancelRestoration(ref, metadata=user.md)
        assert reply.restoration.status.state == S.JOB_STATE_CANCELLED
        again = await api_only.stub.CancelRestoration(ref, metadata=user.md)
        assert again.restoration == reply.restoration  # finished: unchanged
        assert [r.status.state for r in await api_only.watch(user, created.id)] == [S.JOB_STATE_CANCELLED]


async def test_cancel_a_running_restoration(restoration, astronaut):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut)  # 512 x 512, then 2048 x 2048: many seconds of tiles
    created = await restoration.create(user, image_id, DENOISE, {"upscale": {"factor": 4}}, DENOISE, DENOISE)
    call = restoration.stub.WatchRestoration(pb.WatchRestorationRequest(restoration_id=created.id), metadata=user.md)
    states, asked = [], False
    async for message in call:
        states.append(message.restoration)
        if message.restoration.status.state == S.JOB_STATE_RUNNING and not asked:
            asked = True
            cancel = pb.CancelRestorationRequest(restoration_id=created.id)
            reply = await restoration.stub.CancelRestoration(cancel, metadata=user.md)
            assert reply.restoration.status.cancel_requested
    assert states[-1].status.state == S.JOB_STATE_CANCELLED, states[-1]
    assert not states[-1].result_image_id and await restoration.restored_images(user) == []


async def test_admins_read_other_users_restorations(restoration, astronaut):
    user, admin = await restoration.user(), await restoration.user("admin")
    image_id = await restoration.image(user, astronaut[:32, :32])
    created = await restoration.create(user, image_id, X2)
    assert (await restoration.get(admin, created.id)).owner_id == user.id
    assert list((await restoration.list(admin)).restorations) == []  # the list is the caller's own
    await restoration.watch(user, created.id)


async def test_a_job_that_runs_twice_stores_one_result(storage, restoration_db, astronaut):
    """A worker that stored the result and died before finishing the job: the next attempt gets the same image."""
    from conftest import TEST_SERVICE_SECRET
    from imagemesh_kit.auth.service_identity import ServiceIdentity
    from imagemesh_kit.clients.storage import StorageClient
    from imagemesh_kit.jobs.worker import JobContext, WorkerSettings
    from services.restoration.adapters.model_registry import ModelRegistry
    from services.restoration.domain.pipeline import RestorationTools
    from services.restoration.use_cases import KIND
    from services.restoration.worker import RestorationHandler

    async with start_restoration(storage, restoration_db, worker_concurrency=0) as api_only:
        user = await api_only.user()
        created = await api_only.create(user, await api_only.image(user, astronaut[:32, :32]), X2)
        jobs = api_only.running.app.servicers[0][1]._uc.jobs
        async with StorageClient(storage.target) as client:
            handler = RestorationHandler(
                client,
                ServiceIdentity(storage.auth.target, "tester", TEST_SERVICE_SECRET),
                RestorationTools(models=ModelRegistry()),
                max_png_bytes=1 << 24,
            )
            results = []
            for worker in ("first", "second"):
                job = await jobs.claim(worker, [KIND], 30.0)
                assert job is not None and job.id == created.id
                ctx = JobContext(job, jobs, worker, WorkerSettings())
                results.append(await handler(job, ctx))
                await ctx.close()
                await jobs.release(job.id, worker)  # "crashed" before finishing: back to the queue
        assert results[0]["result_image_id"] == results[1]["result_image_id"]
        assert [i.id for i in await api_only.restored_images(user)] == [results[0]["result_image_id"]]
        assert (await api_only.get(user, created.id)).status.state == jobs_pb2.JobState.JOB_STATE_QUEUED


async def test_storage_down_at_create_is_unavailable_and_nothing_is_created(storage, restoration_db, astronaut):
    from imagemesh_kit.mesh.launcher import free_port

    async with start_restoration(storage, restoration_db, storage_target=f"127.0.0.1:{free_port()}") as svc:
        user = await svc.user()
        with pytest.raises(grpc.aio.AioRpcError) as exc:
            await svc.create(user, "0" * 36, X2)
        assert exc.value.code() == grpc.StatusCode.UNAVAILABLE
        assert list((await svc.list(user)).restorations) == []
        with pytest.raises(grpc.aio.AioRpcError) as exc:
            await svc.stub.DetectFaces(pb.DetectFacesRequest(image_id="0" * 36), metadata=user.md)
        assert exc.value.code() == grpc.StatusCode.UNAVAILABLE
