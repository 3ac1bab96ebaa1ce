"""Composition root of the facial service: settings -> database, cache, jobs -> servicer -> server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from imagemesh.facial.v1 import facial_pb2, facial_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.db import create_engine_for, migrate_async
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.jobs.settings import worker_hooks
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.server import ServiceApp, run_service
from services.facial.adapters.storage_images import StorageImages
from services.facial.api.servicer import FacialServicer
from services.facial.config import FacialSettings
from services.facial.store.cache_store import DbCacheStore
from services.facial.store.models import jobs
from services.facial.use_cases import KIND, FacialUseCases

NAME = "facial"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = facial_pb2.DESCRIPTOR.services_by_name["FacialService"].full_name


async def build(settings: FacialSettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    store = JobStore(engine, jobs, watch_poll_s=settings.watch_poll_s)
    cache_store = DbCacheStore(engine, asyncio.get_running_loop(), settings.cache_max_entries)
    images = StorageImages.from_settings(settings)
    use_cases = FacialUseCases(
        store,
        cache_store,
        cache_max_distance=settings.cache_max_distance,
        cache_memory_entries=settings.cache_memory_entries,
        sync_max_pixels=settings.sync_max_pixels,
        max_attempts=settings.max_attempts,
        images=images,
    )
    start_worker, stop_worker = worker_hooks(store, {KIND: use_cases.run_job}, settings)

    return ServiceApp(
        name=NAME,
        servicers=[
            (
                facial_pb2_grpc.add_FacialServiceServicer_to_server,
                FacialServicer(use_cases, watch_heartbeat_s=settings.watch_heartbeat_s),
            )
        ],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="facial.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_start=start_worker,
        # on_stop runs in reverse: the worker stops, cache writes finish, then the engine goes
        on_stop=[
            engine.dispose,
            *([images.close] if images is not None else []),
            cache_store.drain,
            *stop_worker,
        ],
    )


def main() -> None:
    run_service(NAME, FacialSettings, build)


if __name__ == "__main__":
    main()
