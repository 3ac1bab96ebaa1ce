"""The jobs machinery on SQLite and PostgreSQL, with real job kinds defined here."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa

from imagemesh_kit.db import create_engine_for
from imagemesh_kit.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from imagemesh_kit.jobs.model import Cancelled, JobState
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.jobs.table import jobs_table
from imagemesh_kit.jobs.worker import JobWorker, WorkerSettings

pytestmark = pytest.mark.integration

FAST = WorkerSettings(concurrency=2, lease_s=5.0, poll_s=0.05, backoff_base_s=0.05, progress_min_interval_s=0.0)


async def make_store(database, **kw) -> JobStore:
    engine = create_engine_for(database.url, database.schema)
    metadata = sa.MetaData()
    table = jobs_table(metadata)
    async with engine.begin() as conn:
        if database.schema:
            await conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"'))
        await conn.run_sync(metadata.create_all)
    return JobStore(engine, table, **kw)


@pytest.fixture
async def store(database):
    s = await make_store(database, watch_poll_s=0.05)
    yield s
    await s.engine.dispose()


class Handlers:
    """Job kinds used by the tests; `runs` counts executions per job id."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.started = asyncio.Event()

    async def square(self, job, ctx):
        self.runs[job.id] += 1
        for i in range(4):
            await ctx.progress(i / 4, f"step {i}")
            await asyncio.sleep(job.params.get("step_s", 0))
        return {"y": job.params["x"] ** 2}

    async def flaky(self, job, ctx):
        self.runs[job.id] += 1
        if job.attempts < 3:
            raise Unavailable("storage is restarting", reason="STORAGE_UNAVAILABLE")
        return {"ok": True}

    async def bad(self, job, ctx):
        self.runs[job.id] += 1
        raise InvalidArgument.for_field("style", "unknown style 'X'", reason="STYLE_UNKNOWN")

    async def boom(self, job, ctx):
        self.runs[job.id] += 1
        raise RuntimeError("bug")

    async def slow(self, job, ctx):
        self.runs[job.id] += 1
        self.started.set()
        for i in range(400):
            if ctx.should_stop():
                raise Cancelled("stopped", reason="CANCELLED")
            await ctx.progress(i / 400, "working")
            await asyncio.sleep(0.01)
        return {"done": True}

    async def domain_cancel(self, job, ctx):
        """A synchronous pipeline that raises its own CANCELLED-status error when told to stop."""
        from imagemesh_kit.errors import DomainError

        class PipelineStopped(DomainError):
            status = "CANCELLED"

        self.started.set()
        while True:
            if ctx.should_stop():
                raise PipelineStopped("stopped between steps", reason="SKETCH_CANCELLED")
            await asyncio.sleep(0.01)

    async def cpu(self, job, ctx):
        def pipeline(on_progress, should_stop):
            total = 0
            for i in range(5):
                total += sum(range(10_000))
                on_progress((i + 1) / 5, f"chunk {i}")
            return total

        return {"total": await ctx.run_cpu(pipeline, ctx.on_progress, ctx.should_stop)}

    def table(self) -> dict:
        return {k: getattr(self, k) for k in ("square", "flaky", "bad", "boom", "slow", "cpu", "domain_cancel")}


async def wait_final(store, job, limit_s=20.0):
    async def loop():
        while True:
            current = await store.get(job.id, job.owner_id)
            if current.state.is_final:
                return current
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(loop(), limit_s)


@pytest.fixture
async def worker(store):
    handlers = Handlers()
    w = JobWorker(store, handlers.table(), FAST)
    await w.start()
    w.h = handlers
    yield w
    await w.stop(1.0)


async def test_a_job_runs_once_reports_progress_and_keeps_its_result(store, worker):
    job, created = await store.create("u1", "square", {"x": 7, "step_s": 0.15})
    assert created and job.state is JobState.QUEUED
    seen = [(j.state, round(j.progress, 2)) async for j in store.watch(job)]
    assert seen[0][0] in (JobState.QUEUED, JobState.RUNNING) and seen[-1] == (JobState.SUCCEEDED, 1.0)
    assert len(seen) >= 3  # at least queued/running, some progress, the end
    done = await store.get(job.id, "u1")
    assert done.result == {"y": 49} and done.attempts == 1 and worker.h.runs[job.id] == 1
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at


async def test_cpu_steps_run_off_the_loop_with_thread_safe_progress(store, worker):
    job, _ = await store.create("u1", "cpu", {})
    done = await wait_final(store, job)
    assert done.state is JobState.SUCCEEDED and done.result == {"total": 5 * sum(range(10_000))}


async def test_transient_failures_retry_with_backoff(store, worker):
    job, _ = await store.create("u1", "flaky", {}, max_attempts=3)
    done = await wait_final(store, job)
    assert done.state is JobState.SUCCEEDED and done.attempts == 3 and worker.h.runs[job.id] == 3


async def test_bad_input_fails_at_once_with_its_reason(store, worker):
    job, _ = await store.create("u1", "bad", {})
    done = await wait_final(store, job)
    assert done.state is JobState.FAILED and done.attempts == 1
    assert (done.error.code, done.error.reason) == ("INVALID_ARGUMENT", "STYLE_UNKNOWN")


async def test_unexpected_errors_give_up_after_max_attempts(store, worker):
    job, _ = await store.create("u1", "boom", {}, max_attempts=2)
    done = await wait_final(store, job)
    assert done.state is JobState.FAILED and done.attempts == 2 and done.error.reason == "RETRIES_EXHAUSTED"
    assert "bug" not in done.error.message  # internals stay in the logs


async def test_cancel_queued_and_running_jobs(store):
    queued, _ = await store.create("u1", "slow", {})
    cancelled = await store.cancel(queued)
    assert cancelled.state is JobState.CANCELLED
    handlers = Handlers()
    w = JobWorker(store, handlers.table(), FAST)
    await w.start()
    try:
        running, _ = await store.create("u1", "slow", {})
        await asyncio.wait_for(handlers.started.wait(), 10)
        flagged = await store.cancel(await store.get(running.id, "u1"))
        assert flagged.cancel_requested
        done = await wait_final(store, running)
        assert done.state is JobState.CANCELLED
        again = await store.cancel(done)  # cancelling a finished job changes nothing
        assert again.state is JobState.CANCELLED
    finally:
        await w.stop(1.0)


async def test_idempotency_key_returns_the_first_job(store):
    first, created = await store.create("u1", "square", {"x": 1}, idempotency_key="req-1")
    again, created_again = await store.create("u1", "square", {"x": 1}, idempotency_key="req-1")
    assert created and not created_again and again.id == first.id
    other_user, created_other = await store.create("u2", "square", {"x": 1}, idempotency_key="req-1")
    assert created_other and other_user.id != first.id
    with pytest.raises(FailedPrecondition):
        await store.create("u1", "square", {"x": 2}, idempotency_key="req-1")
    racing = await asyncio.gather(*(store.create("u3", "square", {"x": 5}, idempotency_key="r") for _ in range(5)))
    assert len({j.id for j, _ in racing}) == 1 and sum(created for _, created in racing) == 1


async def test_create_writes_the_services_own_rows_in_the_same_transaction(store):
    inputs = sa.Table("job_inputs", sa.MetaData(), sa.Column("job_id", sa.String(36), primary_key=True))
    async with store.engine.begin() as conn:
        await conn.run_sync(inputs.metadata.create_all)

    async def add_input(conn, job_id):
        await conn.execute(sa.insert(inputs).values(job_id=job_id))

    job, created = await store.create("u1", "square", {"x": 1}, also=add_input)
    assert created

    async def broken(conn, job_id):
        await conn.execute(sa.insert(inputs).values(job_id=job_id))
        raise RuntimeError("the input could not be stored")

    with pytest.raises(RuntimeError):
        await store.create("u1", "square", {"x": 2}, also=broken)
    async with store.engine.connect() as conn:
        assert (await conn.execute(sa.select(inputs.c.job_id))).scalars().all() == [job.id]
    jobs, _ = await store.list("u1", 10, "")
    assert [j.id for j in jobs] == [job.id]  # nothing half-written


async def test_a_job_whose_worker_died_is_resumed_after_its_lease(store):
    job, _ = await store.create("u1", "square", {"x": 3})
    dead = await store.claim("dead-worker", ["square"], lease_s=0.3)  # claims, then never renews
    assert dead.id == job.id and dead.state is JobState.RUNNING
    handlers = Handlers()
    w = JobWorker(store, handlers.table(), FAST)
    await w.start()
    try:
        done = await wait_final(store, job)
    finally:
        await w.stop(1.0)
    assert done.state is JobState.SUCCEEDED and done.attempts == 2 and handlers.runs[job.id] == 1
    assert not await store.finish(job.id, "dead-worker", JobState.SUCCEEDED, result={"late": True})
    assert (await store.get(job.id, "u1")).result == {"y": 9}


async def test_two_replicas_share_one_queue_and_run_each_job_once(database, store):
    other = await make_store(database)  # a second process's engine on the same database
    h1, h2 = Handlers(), Handlers()
    w1, w2 = JobWorker(store, h1.table(), FAST), JobWorker(other, h2.table(), FAST)
    await w1.start()
    await w2.start()
    try:
        jobs = [(await store.create("u1", "square", {"x": i}))[0] for i in range(16)]
        finals = [await wait_final(store, j) for j in jobs]
    finally:
        await w1.stop(1.0)
        await w2.stop(1.0)
        await other.engine.dispose()
    assert all(f.state is JobState.SUCCEEDED for f in finals)
    assert [f.result["y"] for f in finals] == [i * i for i in range(16)]
    runs = h1.runs + h2.runs
    assert all(runs[j.id] == 1 for j in jobs)


async def test_a_watcher_on_another_replica_sees_the_progress(database, store, worker):
    replica_b = await make_store(database, watch_poll_s=0.05)
    try:
        job, _ = await store.create("u1", "slow", {})
        await asyncio.wait_for(worker.h.started.wait(), 10)
        updates = []
        async for j in replica_b.watch(await replica_b.get(job.id, "u1")):
            updates.append(j)
            if len(updates) == 4:
                await store.cancel(await store.get(job.id, "u1"))
        assert updates[-1].state is JobState.CANCELLED
        progress = [u.progress for u in updates if u.state is JobState.RUNNING]
        assert len(progress) >= 3 and progress == sorted(progress)
    finally:
        await replica_b.engine.dispose()


async def test_other_users_jobs_are_not_found_and_lists_page(store):
    job, _ = await store.create("u1", "square", {"x": 2})
    with pytest.raises(NotFound):
        await store.get(job.id, "u2")
    assert (await store.get(job.id, "u2", is_admin=True)).id == job.id
    for i in range(4):
        await store.create("u1", "square", {"x": i})
    page, token = await store.list("u1", 3, "")
    rest, last = await store.list("u1", 3, token)
    assert len(page) == 3 and len(rest) == 2 and last == ""
    ids = [j.id for j in page + rest]
    assert len(set(ids)) == 5 and (await store.list("u2", 10, ""))[0] == []


async def test_shutdown_gives_running_jobs_back(store):
    handlers = Handlers()
    w = JobWorker(store, handlers.table(), FAST)
    await w.start()
    job, _ = await store.create("u1", "slow", {})
    await asyncio.wait_for(handlers.started.wait(), 10)
    await w.stop(grace_s=0.05)

    async def requeued():  # the release is shielded from the cancellation: it may land a moment later
        while True:
            current = await store.get(job.id, "u1")
            if current.state is JobState.QUEUED:
                return current
            await asyncio.sleep(0.02)

    back = await asyncio.wait_for(requeued(), 10)
    assert back.attempts == 0 and back.lease_owner is None and handlers.runs[job.id] == 1


async def test_a_pipelines_own_cancelled_error_counts_as_cancellation(store):
    handlers = Handlers()
    w = JobWorker(store, handlers.table(), FAST)
    await w.start()
    try:
        job, _ = await store.create("u1", "domain_cancel", {})
        await asyncio.wait_for(handlers.started.wait(), 10)
        await store.cancel(await store.get(job.id, "u1"))
        done = await wait_final(store, job)
    finally:
        await w.stop(1.0)
    assert done.state is JobState.CANCELLED and done.error is None


async def test_worker_hooks_follow_the_shared_job_settings(store):
    from imagemesh_kit.config import load_settings
    from imagemesh_kit.jobs.settings import JobSettings, worker_hooks

    api_only = load_settings(JobSettings, worker_concurrency=0)
    assert worker_hooks(store, Handlers().table(), api_only) == ([], [])
    settings = load_settings(JobSettings, worker_concurrency=1, lease_s=5, poll_s=0.05)
    assert settings.worker_settings().lease_s == 5 and settings.worker_settings().concurrency == 1
    start, stop = worker_hooks(store, Handlers().table(), settings)
    await start[0]()
    try:
        job, _ = await store.create("u1", "square", {"x": 4})
        assert (await wait_final(store, job)).result == {"y": 16}
    finally:
        await stop[0]()
