"""Composition root of the quality service: settings -> database, storage client, CPU pool -> servicer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from imagemesh.quality.v1 import quality_pb2, quality_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.db import create_engine_for, migrate_async, session_factory
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.memory import keep_large_buffers
from imagemesh_kit.server import ServiceApp, run_service
from services.quality.api.servicer import QualityServicer
from services.quality.config import QualitySettings
from services.quality.use_cases import QualityUseCases

NAME = "quality"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = quality_pb2.DESCRIPTOR.services_by_name["QualityService"].full_name


async def build(settings: QualitySettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    storage = StorageClient(
        settings.storage_target, timeout_s=settings.storage_timeout_s, max_message_bytes=settings.max_message_bytes
    )
    executor = ThreadPoolExecutor(settings.cpu_workers, thread_name_prefix="quality-cpu")
    use_cases = QualityUseCases(session_factory(engine), storage, executor, max_image_pixels=settings.max_image_pixels)

    async def stop() -> None:
        await storage.close()
        await engine.dispose()
        executor.shutdown(wait=False, cancel_futures=True)

    return ServiceApp(
        name=NAME,
        servicers=[(quality_pb2_grpc.add_QualityServiceServicer_to_server, QualityServicer(use_cases))],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="quality.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_stop=[stop],
    )


def main() -> None:
    keep_large_buffers()  # every request allocates dozens of image-sized float buffers: keep their pages
    run_service(NAME, QualitySettings, build)


if __name__ == "__main__":
    main()
