"""Workers: claim jobs of a service's kinds and run their handlers.

A handler is `async def handle(job: Job, ctx: JobContext) -> dict` (the result, stored on the job).
It reports progress with `ctx.progress(f, msg)` (or passes `ctx.on_progress` / `ctx.should_stop` to a
synchronous domain pipeline running in `ctx.run_cpu`), and stops when `ctx.should_stop()` says so.

While a handler runs, a heartbeat renews the job's lease (every lease/3). When the lease cannot be
renewed (the job was deleted, or this worker stalled and another took over), the handler is told to
stop and its outcome is discarded. Outcomes:
- result           -> SUCCEEDED
- Cancelled        -> CANCELLED when cancellation was asked; on shutdown the job goes back to the queue
- transient error  -> QUEUED again after an exponential backoff, until max_attempts -> FAILED
- user error       -> FAILED at once, with the error's code, reason and message
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from imagemesh_kit.jobs.model import Cancelled, Job, JobError, JobState, error_of, is_cancellation, is_transient
from imagemesh_kit.jobs.store import JobStore

log = logging.getLogger(__name__)

Handler = Callable[[Job, "JobContext"], Awaitable[dict]]

_cpu_pool: ThreadPoolExecutor | None = None


def cpu_pool() -> ThreadPoolExecutor:
    """One pool per process for CPU-heavy steps (OpenCV/numpy release the GIL), sized to the cores."""
    global _cpu_pool
    if _cpu_pool is None:
        _cpu_pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="cpu")
    return _cpu_pool


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 2
    lease_s: float = 30.0
    poll_s: float = 0.5
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    progress_min_interval_s: float = 0.2


class JobContext:
    def __init__(self, job: Job, store: JobStore, worker_id: str, settings: WorkerSettings) -> None:
        self.job = job
        self._store = store
        self._worker_id = worker_id
        self._settings = settings
        self._loop = asyncio.get_running_loop()
        self.cancel_requested = False
        self.lease_lost = False
        self.shutting_down = False
        self._last_write = 0.0
        self._last_progress = -1.0
        self._pending: tuple[float, str] | None = None
        self._flush_task: asyncio.Task | None = None

    # -- stopping -----------------------------------------------------------------------------

    def should_stop(self) -> bool:
        """Thread-safe: the handler (or a pipeline step in a worker thread) should stop now."""
        return self.cancel_requested or self.lease_lost or self.shutting_down

    def raise_if_stopped(self) -> None:
        if self.should_stop():
            raise Cancelled("the job was cancelled", reason="CANCELLED")

    def _observe(self, flag: bool | None) -> None:
        if flag is None:
            self.lease_lost = True
        elif flag:
            self.cancel_requested = True

    # -- progress -----------------------------------------------------------------------------

    async def progress(self, fraction: float, message: str) -> None:
        """Recorded at most every progress_min_interval_s (the first and the last always)."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_write < self._settings.progress_min_interval_s:
            self._pending = (fraction, message)
            if self._flush_task is None:
                delay = self._settings.progress_min_interval_s - (now - self._last_write)
                self._flush_task = asyncio.create_task(self._flush_later(delay))
            return
        await self._write(fraction, message)

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._flush_task = None
        if self._pending is not None:
            fraction, message = self._pending
            await self._write(fraction, message)

    async def _write(self, fraction: float, message: str) -> None:
        self._pending = None
        self._last_write = time.monotonic()
        self._last_progress = fraction
        self._observe(await self._store.set_progress(self.job.id, self._worker_id, fraction, message))

    def on_progress(self, fraction: float, message: str) -> None:
        """Thread-safe callback for synchronous pipelines running in `run_cpu`."""
        self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.progress(fraction, message)))

    async def close(self) -> None:
        if self._flush_task is not None:
            self._flush_task.cancel()
            self._flush_task = None

    # -- CPU work -----------------------------------------------------------------------------

    async def run_cpu(self, fn, /, *args, **kwargs):
        return await self._loop.run_in_executor(cpu_pool(), lambda: fn(*args, **kwargs))


class JobWorker:
    def __init__(
        self, store: JobStore, handlers: dict[str, Handler], settings: WorkerSettings = WorkerSettings()
    ) -> None:
        self.store = store
        self.handlers = handlers
        self.settings = settings
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._tasks: set[asyncio.Task] = set()
        self._contexts: dict[asyncio.Task, JobContext] = {}
        self._loop_task: asyncio.Task | None = None
        self._stopping = False

    async def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="job-worker")

    async def stop(self, grace_s: float = 5.0, hard_after_s: float = 5.0) -> None:
        """Stop claiming; let running jobs finish for `grace_s`; then ask the rest to stop at their next
        step (they go back to the queue at once, for another replica or the next start). Tasks are
        cancelled outright only if they ignore that for `hard_after_s`: cancelling a handler in the
        middle of a database write could leave its transaction (and, on SQLite, the write lock) behind.
        """
        self._stopping = True
        self.store.created.set()
        if self._loop_task is not None:
            await self._loop_task
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=grace_s)
        for task in pending:
            ctx = self._contexts.get(task)
            if ctx is not None:
                ctx.shutting_down = True
        if pending:
            _, pending = await asyncio.wait(pending, timeout=hard_after_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self) -> None:
        kinds = list(self.handlers)
        last_sweep = 0.0
        while not self._stopping:
            try:
                if time.monotonic() - last_sweep > self.settings.lease_s / 2:
                    last_sweep = time.monotonic()
                    await self.store.sweep()
                claimed = False
                while len(self._tasks) < self.settings.concurrency and not self._stopping:
                    job = await self.store.claim(self.worker_id, kinds, self.settings.lease_s)
                    if job is None:
                        break
                    claimed = True
                    task = asyncio.create_task(self._execute(job), name=f"job-{job.id}")
                    self._tasks.add(task)
                    task.add_done_callback(self._done)
                if claimed:
                    continue
            except Exception:  # the database may be restarting: keep the loop alive
                log.exception("job worker loop error")
            self.store.created.clear()
            try:
                await asyncio.wait_for(self.store.created.wait(), self.settings.poll_s)
            except TimeoutError:
                pass

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._contexts.pop(task, None)
        self.store.created.set()  # a free slot: look for more work now

    async def _heartbeat(self, ctx: JobContext) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            ctx._observe(await self.store.renew(ctx.job.id, self.worker_id, self.settings.lease_s))

    async def _execute(self, job: Job) -> None:
        ctx = JobContext(job, self.store, self.worker_id, self.settings)
        current = asyncio.current_task()
        if current is not None:
            self._contexts[current] = ctx
        beat = asyncio.create_task(self._heartbeat(ctx))
        store, me = self.store, self.worker_id
        try:
            handler = self.handlers[job.kind]
            result = await handler(job, ctx)
            if ctx.lease_lost:
                pass  # whoever holds the lease now finishes the job
            elif ctx.cancel_requested:
                await store.finish(job.id, me, JobState.CANCELLED)
            else:  # finished (even if a shutdown began meanwhile): keep the result
                await store.finish(job.id, me, JobState.SUCCEEDED, result=result or {})
        except asyncio.CancelledError:
            await asyncio.shield(store.release(job.id, me))  # shutdown: resume elsewhere at once
            raise
        except Exception as exc:  # every failure becomes a job state
            if is_cancellation(exc) and ctx.should_stop():
                if ctx.cancel_requested:
                    await store.finish(job.id, me, JobState.CANCELLED)
                elif not ctx.lease_lost:
                    await store.release(job.id, me)  # shutdown: back to the queue at once
            else:
                await self._failed(job, exc)
        finally:
            beat.cancel()
            await ctx.close()

    async def _failed(self, job: Job, exc: Exception) -> None:
        error = error_of(exc)
        if is_transient(exc) and job.attempts < job.max_attempts:
            delay = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (job.attempts - 1))
            log.warning("job failed, will retry", extra={"job": job.id, "attempt": job.attempts, "error": repr(exc)})
            await self.store.retry_later(job.id, self.worker_id, error, delay)
            return
        if is_transient(exc):
            log.error("job failed after its last attempt", extra={"job": job.id, "error": repr(exc)})
            error = JobError(
                error.code, "RETRIES_EXHAUSTED" if error.reason == "INTERNAL" else error.reason, error.message
            )
        else:
            log.info("job failed on bad input", extra={"job": job.id, "reason": error.reason})
        await self.store.finish(job.id, self.worker_id, JobState.FAILED, error=error)
