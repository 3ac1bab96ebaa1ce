"""Settings every job-running service shares (IMAGEMESH_WORKER_CONCURRENCY, IMAGEMESH_LEASE_S, ...), and the
worker's start/stop hooks built from them. A service's settings class derives from `JobSettings`."""

from __future__ import annotations

from pydantic import Field

from imagemesh_kit.config import DatabaseSettings
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.jobs.worker import Handler, JobWorker, WorkerSettings
from imagemesh_kit.server import Hook


class JobSettings(DatabaseSettings):
    # How many jobs this replica runs at once (0: an API-only replica that runs none).
    worker_concurrency: int = Field(1, ge=0, le=64)
    lease_s: float = Field(30.0, gt=0, le=3600, description="how long a claimed job stays ours without a heartbeat")
    max_attempts: int = Field(3, ge=1, le=20)
    retry_backoff_s: float = Field(1.0, gt=0, le=600)
    poll_s: float = Field(0.5, gt=0, le=60, description="how often idle workers look for queued jobs")
    watch_poll_s: float = Field(0.25, gt=0, le=10, description="how often watchers look for other replicas' changes")
    watch_heartbeat_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="a quiet watch stream repeats the current state this often (proxy idle timeouts)",
    )

    def worker_settings(self) -> WorkerSettings:
        return WorkerSettings(
            concurrency=self.worker_concurrency,
            lease_s=self.lease_s,
            poll_s=self.poll_s,
            backoff_base_s=self.retry_backoff_s,
        )


def worker_hooks(store: JobStore, handlers: dict[str, Handler], settings: JobSettings) -> tuple[list[Hook], list[Hook]]:
    """(on_start, on_stop) for a ServiceApp: a JobWorker, unless this replica runs no jobs."""
    if settings.worker_concurrency == 0:
        return [], []
    worker = JobWorker(store, handlers, settings.worker_settings())
    return [worker.start], [worker.stop]
