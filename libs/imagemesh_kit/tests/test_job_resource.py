"""A job kind as its owner's resource (JobResource) over a real JobStore, on SQLite and PostgreSQL, and the
names its RPCs take (JobMessages, job_methods)."""

from __future__ import annotations

import inspect

import pytest

from imagemesh.sketch.v1 import sketch_pb2
from imagemesh_kit.context import Principal
from imagemesh_kit.errors import NotFound
from imagemesh_kit.jobs.model import JobState
from imagemesh_kit.jobs.resource import JobResource
from imagemesh_kit.jobs.rpcs import JobMessages, job_methods
from imagemesh_kit.tests.test_jobs import make_store

ANN, BOB, ADMIN = Principal("ann"), Principal("bob"), Principal("root", role="admin")


@pytest.fixture
async def store(database):
    s = await make_store(database, watch_poll_s=0.05)
    yield s
    await s.engine.dispose()


async def not_found(call) -> NotFound:
    with pytest.raises(NotFound) as exc:
        await call
    return exc.value


@pytest.mark.integration
async def test_errors_name_the_resource_and_others_jobs_are_not_found(store):
    things = JobResource(store, "thing", noun="thing", not_found_reason="THING_NOT_FOUND")
    job, _ = await store.create("ann", "thing", {})
    other_kind, _ = await store.create("ann", "other", {})
    for call in (things.get(BOB, job.id), things.cancel(BOB, job.id), things.get(ANN, other_kind.id)):
        err = await not_found(call)
        assert (err.message, err.reason) == ("no such thing", "THING_NOT_FOUND")
    assert (await things.get(ADMIN, job.id)).id == job.id  # admins see everybody's
    assert [j.id for j in (await things.list(ANN, 10, ""))[0]] == [job.id]  # the caller's own, of this kind
    assert (await things.list(ADMIN, 10, ""))[0] == []
    assert (await things.cancel(ANN, job.id)).state is JobState.CANCELLED
    await things.delete(ADMIN, job.id)
    assert (await not_found(things.get(ANN, job.id))).reason == "THING_NOT_FOUND"


@pytest.mark.integration
async def test_defaults_are_the_stores_errors_and_detail_and_summary_shape_the_answers(store):
    async def detail(job):
        return ("detail", job.id)

    jobs = JobResource(store, "thing", detail=detail, summary=lambda job: ("summary", job.id))
    job, _ = await store.create("ann", "thing", {})
    assert (await not_found(jobs.get(BOB, job.id))).message == "no such job"
    assert await jobs.get(ANN, job.id) == ("detail", job.id)
    assert (await jobs.list(ANN, 10, ""))[0] == [("summary", job.id)]
    watch = jobs.watch(ANN, job.id)
    assert await anext(watch) == ("detail", job.id)
    await jobs.delete(ANN, job.id)
    err = await not_found(anext(watch))
    assert (err.message, err.reason) == ("the job was deleted", "JOB_NOT_FOUND")


def test_messages_and_servicer_methods_follow_the_aip_names():
    messages = JobMessages.of(sketch_pb2, "Sketch", "Sketches", id_field="sketch_id", to_proto=lambda job: job)
    assert (messages.field, messages.list_field) == ("sketch", "sketches")
    assert messages.list is sketch_pb2.ListSketchesResponse
    methods = job_methods(messages)
    for name in ("GetSketch", "ListSketches", "CancelSketch", "DeleteSketch"):
        assert inspect.iscoroutinefunction(getattr(methods, name))
    assert inspect.isasyncgenfunction(methods.WatchSketch)  # grpc.aio streams an async generator's items
    with pytest.raises(AttributeError):  # a wrong name fails when the servicer module is imported
        JobMessages.of(sketch_pb2, "Sketch", "Sketchs", id_field="sketch_id", to_proto=lambda job: job)
