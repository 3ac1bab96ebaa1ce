"""Composition root of the restoration service: settings -> database, jobs, storage client, models,
detectors -> servicer, worker."""

from __future__ import annotations

import logging
from pathlib import Path

from imagemesh.restoration.v1 import restoration_pb2, restoration_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.auth.service_identity import ServiceIdentity
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.db import create_engine_for, migrate_async
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.jobs.settings import worker_hooks
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.server import ServiceApp, run_service
from services.restoration.adapters.detectors import DetectorCatalog
from services.restoration.adapters.model_registry import ModelRegistry
from services.restoration.api.servicer import RestorationServicer
from services.restoration.config import RestorationSettings
from services.restoration.domain.limits import PixelLimits
from services.restoration.domain.pipeline import RestorationTools
from services.restoration.faces import FaceDetectors
from services.restoration.store.models import jobs
from services.restoration.use_cases import KIND, RestorationUseCases
from services.restoration.worker import RestorationHandler

NAME = "restoration"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = restoration_pb2.DESCRIPTOR.services_by_name["RestorationService"].full_name

log = logging.getLogger(__name__)


async def build(settings: RestorationSettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    store = JobStore(engine, jobs, watch_poll_s=settings.watch_poll_s)
    storage = StorageClient(settings.storage_target, max_message_bytes=settings.max_message_bytes)
    registry = ModelRegistry(settings.models_dir)
    for file, problem in registry.problems.items():
        log.warning("model skipped", extra={"file": file, "problem": problem})
    limits = PixelLimits(settings.max_input_pixels, settings.max_output_pixels)
    faces = FaceDetectors(settings.min_face_score)
    use_cases = RestorationUseCases(
        store,
        storage,
        registry,
        faces,
        DetectorCatalog(registry),
        limits,
        max_attempts=settings.max_attempts,
    )

    async def close() -> None:
        await storage.close()
        await engine.dispose()

    handlers = {}
    if settings.worker_concurrency > 0:  # an API-only replica needs no service identity
        tools = RestorationTools(models=registry, face_detector=faces.get("hog"), limits=limits)
        handlers[KIND] = RestorationHandler(
            storage,
            ServiceIdentity.from_settings(settings),
            tools,
            max_png_bytes=settings.max_png_bytes,
            png_compression=settings.png_compression,
        )
    on_start, stop_worker = worker_hooks(store, handlers, settings)
    on_stop = [close, *stop_worker]  # stop hooks run last-first: the worker stops before the engine closes
    return ServiceApp(
        name=NAME,
        servicers=[
            (
                restoration_pb2_grpc.add_RestorationServiceServicer_to_server,
                RestorationServicer(use_cases, watch_heartbeat_s=settings.watch_heartbeat_s),
            )
        ],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="restoration.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_start=on_start,
        on_stop=on_stop,
    )


def main() -> None:
    run_service(NAME, RestorationSettings, build)


if __name__ == "__main__":
    main()
