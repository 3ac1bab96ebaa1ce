"""The sketch service over real gRPC channels, with real auth and storage services, on both databases."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh.sketch.v1 import sketch_pb2
from imagemesh_kit.grpc_errors import error_info
from services.sketch.tests.harness import expect_error, pixels_of, png
from services.sketch.tests.images import photo

pytestmark = pytest.mark.integration

S = jobs_pb2.JobState
FINAL = {S.JOB_STATE_SUCCEEDED, S.JOB_STATE_FAILED, S.JOB_STATE_CANCELLED}


async def test_catalog_lists_every_combination_without_a_token(sketch):
    reply = await sketch.stub.GetCatalog(sketch_pb2.GetCatalogRequest())
    assert [s.style for s in reply.styles] == ["PENCIL", "CHARCOAL", "WATERCOLOR", "INK", "PASTEL", "OIL", "ACRYLIC"]
    assert [m.method for m in reply.methods] == ["BASIC", "ADVANCED", "ARTISTIC"]
    for style in reply.styles:
        assert style.description and [v.method for v in style.variants] == ["BASIC", "ADVANCED", "ARTISTIC"]
        for variant in style.variants:
            assert variant.description and variant.params
            for p in variant.params:
                assert (
                    p.minimum <= p.default_value <= p.maximum and p.type != sketch_pb2.ParamSpec.PARAM_TYPE_UNSPECIFIED
                )


async def test_lifecycle_create_watch_result_list_delete(sketch):
    user = await sketch.user()
    image_id, (height, width) = await sketch.image(user)
    created = await sketch.create(user, image_id, "pencil", "basic", params={"seed": 3})
    assert created.status.state == S.JOB_STATE_QUEUED and created.style == "PENCIL" and created.method == "BASIC"
    assert created.owner_id == user.id and created.image_id == image_id and not created.result_image_id
    assert created.params["seed"] == 3 and len(created.params) > 1  # the others at their defaults

    states = await sketch.watch(user, created.id)
    assert states[-1].status.state == S.JOB_STATE_SUCCEEDED and states[-1].status.progress == 1.0
    assert all(s.status.state not in FINAL for s in states[:-1])
    progress = [s.status.progress for s in states]
    assert progress == sorted(progress)
    done = states[-1]
    assert done.result_image_id and done.status.attempts == 1 and done.status.finished_at.seconds

    image, data = await sketch.storage.download(user, done.result_image_id)
    assert image.kind == "sketch" and image.source_image_id == image_id and image.owner_id == user.id
    assert image.content_type == "image/png" and (image.height, image.width) == (height, width)
    assert pixels_of(data).shape[:2] == (height, width)

    assert await sketch.get(user, created.id) == done
    late = await sketch.watch(user, created.id)  # a watcher joining after the end gets the final state only
    assert late == [done]

    listed = await sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(), metadata=user.md)
    assert [s.id for s in listed.sketches] == [created.id] and listed.next_page_token == ""

    await sketch.stub.DeleteSketch(sketch_pb2.DeleteSketchRequest(sketch_id=created.id), metadata=user.md)
    await expect_error(sketch.get(user, created.id), grpc.StatusCode.NOT_FOUND, "SKETCH_NOT_FOUND")
    assert [i.id for i in await sketch.sketch_images(user)] == [done.result_image_id]  # the result stays


async def test_list_is_paginated_and_private(sketch):
    user, other = await sketch.user(), await sketch.user()
    image_id, _ = await sketch.image(user)
    ids = [(await sketch.create(user, image_id, request_id=f"r{i}")).id for i in range(5)]
    seen, token = [], ""
    while True:
        page = await sketch.stub.ListSketches(
            sketch_pb2.ListSketchesRequest(page_size=2, page_token=token), metadata=user.md
        )
        assert len(page.sketches) <= 2
        seen += [s.id for s in page.sketches]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    mine = await sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(), metadata=other.md)
    assert list(mine.sketches) == []
    await expect_error(
        sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(page_token="garbage!"), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    await expect_error(
        sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(page_size=-1), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_SIZE",
    )


async def test_idempotent_create(sketch):
    user = await sketch.user()
    image_id, _ = await sketch.image(user)
    first = await sketch.create(user, image_id, "INK", "BASIC", params={"seed": 1}, request_id="abc")
    again = await sketch.create(user, image_id, "INK", "BASIC", params={"seed": 1}, request_id="abc")
    assert again.id == first.id
    await expect_error(
        sketch.create(user, image_id, "INK", "BASIC", params={"seed": 2}, request_id="abc"),
        grpc.StatusCode.FAILED_PRECONDITION,
        "REQUEST_ID_REUSED",
    )
    other = await sketch.user()  # request ids are per caller
    other_image, _ = await sketch.image(other)
    assert (await sketch.create(other, other_image, "INK", "BASIC", request_id="abc")).id != first.id
    await sketch.watch(user, first.id)
    assert len(await sketch.sketch_images(user)) == 1


@pytest.mark.parametrize(
    ("fields", "reason", "field"),
    [
        ({"style": "CRAYON"}, "UNKNOWN_STYLE", "style"),
        ({"style": ""}, "UNKNOWN_STYLE", "style"),
        ({"method": "FANCY"}, "UNKNOWN_METHOD", "method"),
        ({"params": {"nope": 1.0}}, "UNKNOWN_PARAMETER", "params.nope"),
        ({"params": {"seed": 1.5}}, "PARAMETER_WRONG_TYPE", "params.seed"),
        ({"params": {"seed": -1.0}}, "PARAMETER_OUT_OF_RANGE", "params.seed"),
        ({"params": {"seed": float("nan")}}, "PARAMETER_WRONG_TYPE", "params.seed"),
        ({"image_id": ""}, "IMAGE_ID_REQUIRED", "image_id"),
        ({"request_id": "x" * 129}, "REQUEST_ID_TOO_LONG", "request_id"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_created(sketch, fields, reason, field):
    user = await sketch.user()
    image_id, _ = await sketch.image(user)
    request = {"image_id": image_id, "style": "PENCIL", "method": "BASIC", **fields}
    await expect_error(
        sketch.stub.CreateSketch(sketch_pb2.CreateSketchRequest(**request), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        reason,
        field,
    )
    listed = await sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(), metadata=user.md)
    assert list(listed.sketches) == []


async def test_missing_or_foreign_images_and_sketches_are_not_found(sketch):
    owner, stranger = await sketch.user(), await sketch.user()
    image_id, _ = await sketch.image(owner)
    await expect_error(sketch.create(owner, "0" * 36), grpc.StatusCode.NOT_FOUND, "IMAGE_NOT_FOUND")
    await expect_error(sketch.create(stranger, image_id), grpc.StatusCode.NOT_FOUND, "IMAGE_NOT_FOUND")

    mine = await sketch.create(owner, image_id)
    ref = {"sketch_id": mine.id}
    for call in (
        sketch.stub.GetSketch(sketch_pb2.GetSketchRequest(**ref), metadata=stranger.md),
        sketch.stub.CancelSketch(sketch_pb2.CancelSketchRequest(**ref), metadata=stranger.md),
        sketch.stub.DeleteSketch(sketch_pb2.DeleteSketchRequest(**ref), metadata=stranger.md),
        sketch.stub.GetSketch(sketch_pb2.GetSketchRequest(sketch_id="nope"), metadata=owner.md),
    ):
        await expect_error(call, grpc.StatusCode.NOT_FOUND, "SKETCH_NOT_FOUND")
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await sketch.watch(stranger, mine.id)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND
    assert (await sketch.watch(owner, mine.id))[-1].status.state == S.JOB_STATE_SUCCEEDED


async def test_tokens_are_required(sketch):
    user = await sketch.user()
    image_id, _ = await sketch.image(user)
    request = sketch_pb2.CreateSketchRequest(image_id=image_id, style="PENCIL", method="BASIC")
    await expect_error(sketch.stub.CreateSketch(request), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await sketch.stub.CreateSketch(request, metadata=(("authorization", "Bearer not-a-jwt"),))
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_cancel_a_queued_sketch(storage, sketch_db):
    from services.sketch.tests.harness import start_sketch

    async with start_sketch(storage, sketch_db, worker_concurrency=0) as api_only:  # nobody renders
        user = await api_only.user()
        image_id, _ = await api_only.image(user)
        created = await api_only.create(user, image_id)
        reply = await api_only.stub.CancelSketch(sketch_pb2.CancelSketchRequest(sketch_id=created.id), metadata=user.md)
        assert reply.sketch.status.state == S.JOB_STATE_CANCELLED
        again = await api_only.stub.CancelSketch(sketch_pb2.CancelSketchRequest(sketch_id=created.id), metadata=user.md)
        assert again.sketch == reply.sketch  # finished: unchanged
        assert [s.status.state for s in await api_only.watch(user, created.id)] == [S.JOB_STATE_CANCELLED]


async def test_cancel_a_running_sketch(sketch):
    user = await sketch.user()
    image_id, _ = await sketch.image(user, height=3000, fmt="JPEG")  # 9 MP: seconds of work even on a quiet box
    created = await sketch.create(user, image_id, "PENCIL", "ARTISTIC")
    call = sketch.stub.WatchSketch(sketch_pb2.WatchSketchRequest(sketch_id=created.id), metadata=user.md)
    states, asked = [], False
    async for message in call:
        states.append(message.sketch)
        if message.sketch.status.state == S.JOB_STATE_RUNNING and not asked:
            asked = True
            cancelled = await sketch.stub.CancelSketch(
                sketch_pb2.CancelSketchRequest(sketch_id=created.id), metadata=user.md
            )
            assert cancelled.sketch.status.cancel_requested
    assert states[-1].status.state == S.JOB_STATE_CANCELLED, states[-1]
    assert not states[-1].result_image_id and await sketch.sketch_images(user) == []


async def test_a_transparent_source_keeps_its_alpha_and_size(sketch):
    user = await sketch.user()
    rgb = photo("astronaut", 64)
    alpha = np.zeros(rgb.shape[:2], np.uint8)
    alpha[8:-8, 8:-8] = 255
    source = await sketch.storage.create(user, png(np.dstack([rgb, alpha])), filename="cut-out.png")
    created = await sketch.create(user, source.id, "WATERCOLOR", "BASIC")
    final = (await sketch.watch(user, created.id))[-1]
    assert final.status.state == S.JOB_STATE_SUCCEEDED
    image, data = await sketch.storage.download(user, final.result_image_id)
    result = pixels_of(data)
    assert image.filename == "cut-out-watercolor-basic.png" and result.shape == (*rgb.shape[:2], 4)
    assert np.array_equal(result[..., 3], alpha)


async def test_tiny_and_huge_images_are_refused_at_create(sketch):
    user = await sketch.user()
    tiny = await sketch.storage.create(user, png(np.zeros((8, 40, 3), np.uint8)))
    await expect_error(sketch.create(user, tiny.id), grpc.StatusCode.INVALID_ARGUMENT, "IMAGE_TOO_SMALL", "image_id")
    huge = await sketch.storage.create(user, png(np.zeros((6500, 6500), np.uint8)))  # 42 MP, 40 KB of PNG
    await expect_error(sketch.create(user, huge.id), grpc.StatusCode.RESOURCE_EXHAUSTED, "IMAGE_TOO_LARGE")
    listed = await sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(), metadata=user.md)
    assert list(listed.sketches) == []


async def test_admins_read_other_users_sketches(sketch):
    user = await sketch.user()
    admin = await sketch.storage.user(role="admin")
    image_id, _ = await sketch.image(user)
    created = await sketch.create(user, image_id)
    assert (await sketch.get(admin, created.id)).owner_id == user.id
    listed = await sketch.stub.ListSketches(sketch_pb2.ListSketchesRequest(), metadata=admin.md)
    assert list(listed.sketches) == []  # the list is the caller's own
    await sketch.watch(user, created.id)


async def test_a_quiet_watch_repeats_the_state_until_the_end(storage, sketch_db):
    from services.sketch.tests.harness import start_sketch

    async with start_sketch(storage, sketch_db, worker_concurrency=0, watch_heartbeat_s=0.1) as api_only:
        user = await api_only.user()
        image_id, _ = await api_only.image(user)
        created = await api_only.create(user, image_id)
        call = api_only.stub.WatchSketch(sketch_pb2.WatchSketchRequest(sketch_id=created.id), metadata=user.md)
        states = []
        async for message in call:
            states.append(message.sketch.status.state)
            if len(states) == 3:
                await api_only.stub.CancelSketch(sketch_pb2.CancelSketchRequest(sketch_id=created.id), metadata=user.md)
        assert states[:3] == [S.JOB_STATE_QUEUED] * 3 and states[-1] == S.JOB_STATE_CANCELLED


async def test_deleting_a_watched_sketch_ends_the_stream_with_not_found(storage, sketch_db):
    from services.sketch.tests.harness import start_sketch

    async with start_sketch(storage, sketch_db, worker_concurrency=0) as api_only:
        user = await api_only.user()
        image_id, _ = await api_only.image(user)
        created = await api_only.create(user, image_id)
        call = api_only.stub.WatchSketch(sketch_pb2.WatchSketchRequest(sketch_id=created.id), metadata=user.md)
        seen = []
        with pytest.raises(grpc.aio.AioRpcError) as exc:
            async for message in call:
                seen.append(message.sketch.status.state)
                await api_only.stub.DeleteSketch(sketch_pb2.DeleteSketchRequest(sketch_id=created.id), metadata=user.md)
        assert seen == [S.JOB_STATE_QUEUED] and exc.value.code() == grpc.StatusCode.NOT_FOUND
        assert error_info(exc.value).reason == "SKETCH_NOT_FOUND"
