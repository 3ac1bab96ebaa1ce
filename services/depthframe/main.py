"""Composition root of the depthframe service: settings -> adapters -> servicer -> server."""

from __future__ import annotations

from pathlib import Path

from imagemesh.depthframe.v1 import depthframe_pb2, depthframe_pb2_grpc
from imagemesh_kit.auth.remote import remote_verifier
from imagemesh_kit.db import create_engine_for, migrate_async, session_factory
from imagemesh_kit.interceptor import MeshInterceptor
from imagemesh_kit.server import ServiceApp, run_service
from services.depthframe.api.servicer import DepthFrameServicer
from services.depthframe.config import DepthFrameSettings
from services.depthframe.use_cases import DepthFrameUseCases

NAME = "depthframe"
MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE_NAME = depthframe_pb2.DESCRIPTOR.services_by_name["DepthFrameService"].full_name


async def build(settings: DepthFrameSettings) -> ServiceApp:
    await migrate_async(settings.database_url, settings.database_schema, MIGRATIONS)
    engine = create_engine_for(settings.database_url, settings.database_schema, settings.database_pool_size)
    use_cases = DepthFrameUseCases(session_factory(engine), settings)
    servicer = DepthFrameServicer(use_cases, max_upload_bytes=settings.max_upload_bytes)
    return ServiceApp(
        name=NAME,
        servicers=[(depthframe_pb2_grpc.add_DepthFrameServiceServicer_to_server, servicer)],
        service_names=[SERVICE_NAME],
        interceptor=MeshInterceptor(
            domain="depthframe.imagemesh", verifier=remote_verifier(settings), access_log=settings.access_log
        ),
        on_stop=[engine.dispose],
    )


def main() -> None:
    run_service(NAME, DepthFrameSettings, build)


if __name__ == "__main__":
    main()
