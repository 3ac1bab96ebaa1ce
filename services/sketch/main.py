"""Composition root of the sketch service: settings -> database, jobs, storage client -> servicer, worker."""

from __future__ import annotations

from pathlib import Path

from imagemesh.sketch.v1 import sketch_pb2, sketch_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.auth.service_identity import ServiceIdentity
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.db import create_engine_for, migrate_async
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.jobs.settings import worker_hooks
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.server import ServiceApp, run_service
from services.sketch.api.servicer import SketchServicer
from services.sketch.config import SketchSettings
from services.sketch.store.models import jobs
from services.sketch.use_cases import KIND, SketchUseCases
from services.sketch.worker import SketchHandler

NAME = "sketch"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = sketch_pb2.DESCRIPTOR.services_by_name["SketchService"].full_name


async def build(settings: SketchSettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    store = JobStore(engine, jobs, watch_poll_s=settings.watch_poll_s)
    storage = StorageClient(settings.storage_target, max_message_bytes=settings.max_message_bytes)
    use_cases = SketchUseCases(store, storage, max_attempts=settings.max_attempts)

    async def close() -> None:
        await storage.close()
        await engine.dispose()

    handlers = {}
    if settings.worker_concurrency > 0:  # an API-only replica needs no service identity
        handlers[KIND] = SketchHandler(
            storage,
            ServiceIdentity.from_settings(settings),
            max_png_bytes=settings.max_png_bytes,
            png_compression=settings.png_compression,
        )
    on_start, stop_worker = worker_hooks(store, handlers, settings)
    on_stop = [close, *stop_worker]  # stop hooks run last-first: the worker stops before the engine closes
    return ServiceApp(
        name=NAME,
        servicers=[
            (
                sketch_pb2_grpc.add_SketchServiceServicer_to_server,
                SketchServicer(use_cases, watch_heartbeat_s=settings.watch_heartbeat_s),
            )
        ],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="sketch.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_start=on_start,
        on_stop=on_stop,
    )


def main() -> None:
    run_service(NAME, SketchSettings, build)


if __name__ == "__main__":
    main()
