"""Jobs in the database: the API side (create, get, list, cancel, delete, watch) and the worker side
(claim, renew, progress, finish, retry, release). Every worker-side write is conditional on holding
the lease, so a worker that lost its lease (it stalled and another took over) changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imagemesh_kit.db_types import utcnow
from imagemesh_kit.errors import FailedPrecondition, InvalidArgument, NotFound
from imagemesh_kit.jobs.model import Job, JobError, JobState
from imagemesh_kit.pagination import clamp_page_size, decode_time_cursor, encode_time_cursor

ACTIVE = (JobState.QUEUED.value, JobState.RUNNING.value)


def _row_to_job(row) -> Job:
    error = JobError(row.error_code, row.error_reason or "", row.error_message or "") if row.error_code else None
    return Job(
        id=row.id,
        owner_id=row.owner_id,
        kind=row.kind,
        params=row.params or {},
        state=JobState(row.state),
        progress=row.progress,
        progress_message=row.progress_message,
        result=row.result,
        error=error,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        cancel_requested=row.cancel_requested,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        idempotency_key=row.idempotency_key,
        lease_owner=row.lease_owner,
    )


class JobStore:
    def __init__(self, engine: AsyncEngine, table: sa.Table, *, watch_poll_s: float = 0.25) -> None:
        self.engine = engine
        self.t = table
        self._watch_poll_s = watch_poll_s
        self._changed: dict[str, asyncio.Event] = {}
        self.created = asyncio.Event()  # wakes this process's workers at once

    # -- notifications (same process: instant; other replicas: the watchers poll) --------------

    def _notify(self, job_id: str) -> None:
        event = self._changed.get(job_id)
        if event is not None:
            event.set()

    # -- API side -------------------------------------------------------------------------------

    async def create(
        self,
        owner_id: str,
        kind: str,
        params: dict,
        *,
        idempotency_key: str = "",
        max_attempts: int = 3,
        also: Callable[[AsyncConnection, str], Awaitable[None]] | None = None,
    ) -> tuple[Job, bool]:
        """(job, created). With an idempotency key, a repeated request returns the first job.

        `also(conn, job_id)` runs in the same transaction as the insert (rows of the service's own
        keyed by the job id, e.g. its input): no worker sees the job before they exist, and a failure
        leaves neither behind.
        """
        if len(idempotency_key) > 128:
            raise InvalidArgument.for_field(
                "request_id", "must be at most 128 characters", reason="REQUEST_ID_TOO_LONG"
            )
        key = idempotency_key or None
        if key:
            existing = await self._by_key(owner_id, key)
            if existing is not None:
                return self._same_request(existing, kind, params), False
        now = utcnow()
        values = dict(
            id=str(uuid.uuid4()),
            owner_id=owner_id,
            kind=kind,
            params=params,
            state=JobState.QUEUED.value,
            progress=0.0,
            progress_message="queued",
            result=None,
            error_code=None,
            error_reason=None,
            error_message=None,
            attempts=0,
            max_attempts=max_attempts,
            cancel_requested=False,
            lease_owner=None,
            lease_expires_at=None,
            run_after=now,
            idempotency_key=key,
            version=1,
            created_at=now,
            updated_at=now,
        )
        try:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(self.t).values(**values))
                if also is not None:
                    await also(conn, values["id"])
        except IntegrityError:
            existing = await self._by_key(owner_id, key) if key else None
            if existing is None:
                raise
            return self._same_request(existing, kind, params), False
        self.created.set()
        # The job as inserted: re-reading it could already find it claimed by a worker (RUNNING).
        return _row_to_job(SimpleNamespace(**values, started_at=None, finished_at=None)), True

    @staticmethod
    def _same_request(job: Job, kind: str, params: dict) -> Job:
        if job.kind != kind or job.params != params:
            raise FailedPrecondition(
                "this request_id was already used for a different request", reason="REQUEST_ID_REUSED"
            )
        return job

    async def _by_key(self, owner_id: str, key: str) -> Job | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(self.t).where(self.t.c.owner_id == owner_id, self.t.c.idempotency_key == key)
                )
            ).first()
        return _row_to_job(row) if row else None

    async def _get(self, job_id: str) -> Job | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(self.t).where(self.t.c.id == job_id))).first()
        return _row_to_job(row) if row else None

    async def get(self, job_id: str, owner_id: str, *, is_admin: bool = False, kind: str | None = None) -> Job:
        """Another user's job answers NOT_FOUND, like a missing one."""
        job = await self._get(job_id) if job_id else None
        if job is None or (not is_admin and job.owner_id != owner_id) or (kind and job.kind != kind):
            raise NotFound("no such job", reason="JOB_NOT_FOUND")
        return job

    async def list(
        self, owner_id: str, page_size: int, page_token: str, *, kind: str | None = None
    ) -> tuple[list[Job], str]:
        limit = clamp_page_size(page_size)
        before = decode_time_cursor(page_token)
        q = sa.select(self.t).where(self.t.c.owner_id == owner_id)
        if kind:
            q = q.where(self.t.c.kind == kind)
        if before:
            t, last_id = before
            c = self.t.c
            q = q.where(sa.or_(c.created_at < t, sa.and_(c.created_at == t, c.id < last_id)))
        q = q.order_by(self.t.c.created_at.desc(), self.t.c.id.desc()).limit(limit + 1)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        jobs = [_row_to_job(r) for r in rows[:limit]]
        token = encode_time_cursor(jobs[-1].created_at, jobs[-1].id) if len(rows) > limit else ""
        return jobs, token

    async def cancel(self, job: Job) -> Job:
        """Queued: cancelled at once. Running: flagged; its worker stops at the next step. Finished: unchanged."""
        now = utcnow()
        c = self.t.c
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(self.t)
                .where(c.id == job.id, c.state == JobState.QUEUED.value)
                .values(
                    state=JobState.CANCELLED.value,
                    cancel_requested=True,
                    finished_at=now,
                    updated_at=now,
                    progress_message="cancelled",
                    version=c.version + 1,
                )
            )
            await conn.execute(
                sa.update(self.t)
                .where(c.id == job.id, c.state == JobState.RUNNING.value, c.cancel_requested.is_(False))
                .values(cancel_requested=True, updated_at=now, version=c.version + 1)
            )
        self._notify(job.id)
        return await self._get(job.id) or job

    async def delete(self, job: Job) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(self.t).where(self.t.c.id == job.id))
        self._notify(job.id)

    async def watch(self, job: Job, *, max_seconds: float = 3600) -> AsyncIterator[Job]:
        """The current state at once, then every change, ending after a final state.

        Progress updates that follow each other faster than the watcher reads may be coalesced (the
        watcher always gets the newest state, and always the final one).

        Changes made by this process wake the watcher at once; changes made by another replica are
        seen by polling the row's version every `watch_poll_s`.
        """
        event = self._changed.setdefault(job.id, asyncio.Event())
        deadline = asyncio.get_running_loop().time() + max_seconds
        last_version = -1
        current: Job | None = job
        try:
            while True:
                current = await self._get(job.id)
                if current is None:
                    raise NotFound("the job was deleted", reason="JOB_NOT_FOUND")
                if current.version != last_version:
                    last_version = current.version
                    yield current
                    if current.state.is_final:
                        return
                if asyncio.get_running_loop().time() > deadline:
                    return
                event.clear()
                try:
                    await asyncio.wait_for(event.wait(), self._watch_poll_s)
                except TimeoutError:
                    pass
        finally:
            if not event.is_set():
                self._changed.pop(job.id, None)

    # -- worker side ----------------------------------------------------------------------------

    async def claim(self, worker_id: str, kinds: list[str], lease_s: float) -> Job | None:
        """Take the oldest runnable job: queued and due, or running with an expired lease (its worker died)."""
        now = utcnow()
        c = self.t.c
        runnable = sa.or_(
            sa.and_(c.state == JobState.QUEUED.value, c.run_after <= now),
            sa.and_(c.state == JobState.RUNNING.value, c.lease_expires_at < now, c.cancel_requested.is_(False)),
        )
        pick = (
            sa.select(c.id)
            .where(c.kind.in_(kinds), runnable, c.attempts < c.max_attempts)
            .order_by(c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        stmt = (
            sa.update(self.t)
            .where(c.id == pick)
            .values(
                state=JobState.RUNNING.value,
                lease_owner=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_s),
                attempts=c.attempts + 1,
                started_at=sa.func.coalesce(c.started_at, now),
                updated_at=now,
                progress_message="started",
                version=c.version + 1,
            )
            .returning(*self.t.c)
        )
        async with self.engine.begin() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        self._notify(row.id)
        return _row_to_job(row)

    async def sweep(self) -> int:
        """Settle jobs whose worker died for good: cancelled-while-running, or out of attempts."""
        now = utcnow()
        c = self.t.c
        expired = sa.and_(c.state == JobState.RUNNING.value, c.lease_expires_at < now)
        async with self.engine.begin() as conn:
            a = await conn.execute(
                sa.update(self.t)
                .where(expired, c.cancel_requested.is_(True))
                .values(
                    state=JobState.CANCELLED.value,
                    finished_at=now,
                    updated_at=now,
                    lease_owner=None,
                    progress_message="cancelled",
                    version=c.version + 1,
                )
            )
            b = await conn.execute(
                sa.update(self.t)
                .where(expired, c.attempts >= c.max_attempts)
                .values(
                    state=JobState.FAILED.value,
                    finished_at=now,
                    updated_at=now,
                    lease_owner=None,
                    error_code="UNAVAILABLE",
                    error_reason="WORKER_LOST",
                    error_message="the worker running this job stopped, and it was out of retries",
                    version=c.version + 1,
                )
            )
        return a.rowcount + b.rowcount

    def _mine(self, job_id: str, worker_id: str):
        c = self.t.c
        return sa.and_(c.id == job_id, c.lease_owner == worker_id, c.state == JobState.RUNNING.value)

    async def renew(self, job_id: str, worker_id: str, lease_s: float) -> bool | None:
        """None: the lease is lost (job deleted or taken over). Else: whether cancellation was asked."""
        stmt = (
            sa.update(self.t)
            .where(self._mine(job_id, worker_id))
            .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
            .returning(self.t.c.cancel_requested)
        )
        async with self.engine.begin() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else bool(row[0])

    async def set_progress(self, job_id: str, worker_id: str, progress: float, message: str) -> bool | None:
        c = self.t.c
        stmt = (
            sa.update(self.t)
            .where(self._mine(job_id, worker_id))
            .values(
                progress=max(0.0, min(1.0, progress)),
                progress_message=message[:200],
                updated_at=utcnow(),
                version=c.version + 1,
            )
            .returning(c.cancel_requested)
        )
        async with self.engine.begin() as conn:
            row = (await conn.execute(stmt)).first()
        self._notify(job_id)
        return None if row is None else bool(row[0])

    async def finish(
        self, job_id: str, worker_id: str, state: JobState, *, result: dict | None = None, error: JobError | None = None
    ) -> bool:
        now = utcnow()
        c = self.t.c
        values = dict(
            state=state.value,
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
            version=c.version + 1,
            result=result,
            progress_message=state.value.lower(),
        )
        if state is JobState.SUCCEEDED:
            values["progress"] = 1.0
        if error is not None:
            values.update(error_code=error.code, error_reason=error.reason, error_message=error.message[:500])
        async with self.engine.begin() as conn:
            done = (
                await conn.execute(sa.update(self.t).where(self._mine(job_id, worker_id)).values(**values))
            ).rowcount
        self._notify(job_id)
        return done == 1

    async def retry_later(self, job_id: str, worker_id: str, error: JobError, delay_s: float) -> bool:
        now = utcnow()
        c = self.t.c
        values = dict(
            state=JobState.QUEUED.value,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
            run_after=now + timedelta(seconds=delay_s),
            error_code=error.code,
            error_reason=error.reason,
            error_message=error.message[:500],
            progress_message=f"retrying: {error.reason}",
            version=c.version + 1,
        )
        async with self.engine.begin() as conn:
            done = (
                await conn.execute(sa.update(self.t).where(self._mine(job_id, worker_id)).values(**values))
            ).rowcount
        self._notify(job_id)
        return done == 1

    async def release(self, job_id: str, worker_id: str) -> None:
        """Graceful shutdown: give the job back at once (another replica or the next start resumes it)."""
        c = self.t.c
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(self.t)
                .where(self._mine(job_id, worker_id))
                .values(
                    state=JobState.QUEUED.value,
                    lease_owner=None,
                    lease_expires_at=None,
                    run_after=utcnow(),
                    attempts=c.attempts - 1,
                    progress_message="requeued (service restarting)",
                    version=c.version + 1,
                )
            )
        self._notify(job_id)
