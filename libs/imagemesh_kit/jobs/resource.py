"""One job kind seen as a resource of its owner: Get, List, Cancel, Delete and Watch over a JobStore, the same
way in every job-based service. No gRPC here: `jobs.rpcs` puts these on the wire.

- Another user's job answers NOT_FOUND, like a missing one; admins get, cancel, delete and watch everybody's.
- List is always the caller's own, newest first, a page at a time (the kit's created_at/id page tokens).
- Errors name the resource: NotFound("no such sketch", reason="SKETCH_NOT_FOUND"), and a job deleted while it
  is watched ends the watch with NotFound("the sketch was deleted", same reason).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from imagemesh_kit.context import Principal
from imagemesh_kit.errors import NotFound
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.store import JobStore


async def _job_itself(job: Job) -> Job:
    return job


class JobResource:
    """The jobs of `kind`, as their owners (and admins) see them.

    `noun` and `not_found_reason` make the NOT_FOUND errors ("no such <noun>", "the <noun> was deleted"); the
    defaults are the store's own ("job", JOB_NOT_FOUND). By default every method answers with the Job itself;
    a service whose resource carries more than the job row gives `detail` (awaited for what Get, Cancel and
    Watch answer, e.g. with result rows of its own) and `summary` (for the items of a List page, no I/O).
    """

    def __init__(
        self,
        store: JobStore,
        kind: str,
        *,
        noun: str = "job",
        not_found_reason: str = "JOB_NOT_FOUND",
        detail: Callable[[Job], Awaitable[Any]] = _job_itself,
        summary: Callable[[Job], Any] = lambda job: job,
    ) -> None:
        self.store = store
        self.kind = kind
        self.noun = noun
        self.not_found_reason = not_found_reason
        self._detail = detail
        self._summary = summary

    async def job(self, principal: Principal, job_id: str) -> Job:
        """The caller's job of this kind (an admin's: anybody's), or NOT_FOUND."""
        try:
            return await self.store.get(job_id, principal.subject, is_admin=principal.is_admin, kind=self.kind)
        except NotFound:
            raise NotFound(f"no such {self.noun}", reason=self.not_found_reason) from None

    async def get(self, principal: Principal, job_id: str) -> Any:
        return await self._detail(await self.job(principal, job_id))

    async def list(self, principal: Principal, page_size: int, page_token: str) -> tuple[list[Any], str]:
        jobs, token = await self.store.list(principal.subject, page_size, page_token, kind=self.kind)
        return [self._summary(j) for j in jobs], token

    async def cancel(self, principal: Principal, job_id: str) -> Any:
        return await self._detail(await self.store.cancel(await self.job(principal, job_id)))

    async def delete(self, principal: Principal, job_id: str) -> None:
        await self.store.delete(await self.job(principal, job_id))

    async def watch(self, principal: Principal, job_id: str) -> AsyncIterator[Any]:
        """The current state at once, then every change, ending after a final state (JobStore.watch)."""
        job = await self.job(principal, job_id)
        try:
            async for state in self.store.watch(job):
                yield await self._detail(state)
        except NotFound:
            raise NotFound(f"the {self.noun} was deleted", reason=self.not_found_reason) from None
