"""Composition root of the storage service: settings -> database, blob store, signer -> servicer -> server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from imagemesh.storage.v1 import storage_pb2, storage_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.db import create_engine_for, migrate_async, session_factory
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.server import ServiceApp, run_service
from services.storage.adapters.blobs.base import BlobStore
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.s3 import S3BlobStore
from services.storage.adapters.blobs.s3_config import S3Config
from services.storage.adapters.blobs.signer import UrlSigner
from services.storage.api.servicer import StorageServicer
from services.storage.config import StorageSettings
from services.storage.domain.limits import ImageLimits
from services.storage.store import repository as repo
from services.storage.uploads import UploadUseCases
from services.storage.use_cases import ImageUseCases

NAME = "storage"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = storage_pb2.DESCRIPTOR.services_by_name["StorageService"].full_name
URL_SECRET_NAME = "url_signing_secret"
LOCAL_URL_PREFIX = "/v1"  # signed URLs: PUT /v1/uploads/{id}, GET /v1/blobs/{sha256} (gRPC methods via Envoy)

log = logging.getLogger(__name__)


async def url_secret(settings: StorageSettings, sessions) -> bytes:
    """IMAGEMESH_STORAGE_URL_SECRET, else one generated once and kept in the service's database."""
    if settings.storage_url_secret:
        return settings.storage_url_secret.encode()
    async with sessions.begin() as session:
        return (await repo.get_or_create_secret(session, URL_SECRET_NAME, secrets.token_urlsafe(48))).encode()


def make_store(settings: StorageSettings, signer: UrlSigner, executor: ThreadPoolExecutor) -> BlobStore:
    if settings.blob_backend == "s3":
        config = S3Config(
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
            public_endpoint_url=settings.s3_public_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            key_prefix=settings.s3_key_prefix,
            addressing_style=settings.s3_addressing_style,
            max_pool_connections=settings.blob_threads,
            spool_dir=settings.s3_spool_dir,
        )
        if settings.s3_spool_dir:
            Path(settings.s3_spool_dir).mkdir(parents=True, exist_ok=True)
        return S3BlobStore(config, executor=executor)
    return LocalBlobStore(
        settings.blob_dir,
        signer=signer,
        public_base_url=settings.public_base_url,
        url_prefix=LOCAL_URL_PREFIX,
        executor=executor,
        fsync=settings.blob_fsync,
    )


async def build(settings: StorageSettings) -> ServiceApp:
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    if limits.max_pixels > (Image.MAX_IMAGE_PIXELS or 0):
        Image.MAX_IMAGE_PIXELS = limits.max_pixels  # Pillow's own bomb guard must not refuse allowed images
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    sessions = session_factory(engine)
    signer = UrlSigner(await url_secret(settings, sessions))
    executor = ThreadPoolExecutor(settings.blob_threads, thread_name_prefix="blobs")
    store = make_store(settings, signer, executor)
    if isinstance(store, S3BlobStore) and settings.s3_create_bucket:
        await store.ensure_bucket()
    images = ImageUseCases(sessions, store, limits, download_url_ttl_s=settings.download_url_ttl_s)
    uploads = UploadUseCases(sessions, images, upload_url_ttl_s=settings.upload_url_ttl_s, signer=signer)
    sweeper: list[asyncio.Task] = []

    async def sweep_forever() -> None:
        while True:
            await asyncio.sleep(settings.sweep_interval_s)
            try:
                removed = await uploads.sweep(settings.sweep_older_than_s)
                log.info("swept stale uploads", extra={"removed": removed})
            except Exception:
                log.exception("sweep failed")

    async def start_sweeper() -> None:
        sweeper.append(asyncio.create_task(sweep_forever()))

    async def stop() -> None:
        for task in sweeper:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.dispose()
        executor.shutdown(wait=False, cancel_futures=True)

    return ServiceApp(
        name=NAME,
        servicers=[(storage_pb2_grpc.add_StorageServiceServicer_to_server, StorageServicer(images, uploads))],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="storage.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_start=[start_sweeper],
        on_stop=[stop],
    )


def main() -> None:
    run_service(NAME, StorageSettings, build)


if __name__ == "__main__":
    main()
