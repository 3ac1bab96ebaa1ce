"""The restoration service in-process (port 0) with a real auth and storage service, and helpers to call it."""

from __future__ import annotations

import contextlib
import io

import grpc
import numpy as np
from PIL import Image

from conftest import TEST_SERVICE_SECRET
from imagemesh.restoration.v1 import restoration_pb2 as pb
from imagemesh.restoration.v1 import restoration_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from imagemesh_kit.testing import expect_error, field_violations  # noqa: F401 - re-exported for the tests
from services.restoration.config import RestorationSettings
from services.restoration.main import build
from services.storage.tests.harness import StorageHarness, User


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def pixels_of(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return np.asarray(img.convert("RGB"))


def steps(*specs: dict) -> list[pb.Step]:
    """`steps({"denoise": {"strength": 1}}, {"upscale": {"factor": 2}})` as proto steps."""
    return [pb.Step(**spec) for spec in specs]


class RestorationHarness:
    def __init__(self, stub, running: RunningApp, settings: RestorationSettings, storage: StorageHarness) -> None:
        self.stub: restoration_pb2_grpc.RestorationServiceStub = stub
        self.running = running
        self.settings = settings
        self.storage = storage

    async def user(self, role: str = "user") -> User:
        return await self.storage.user(role)

    async def image(self, user: User, pixels: np.ndarray, filename: str = "photo.png") -> str:
        return (await self.storage.create(user, png(pixels), filename=filename)).id

    async def create(self, user: User, image_id: str, *specs: dict, **fields) -> pb.Restoration:
        request = pb.CreateRestorationRequest(image_id=image_id, steps=steps(*specs), **fields)
        return (await self.stub.CreateRestoration(request, metadata=user.md)).restoration

    async def watch(self, user: User, restoration_id: str) -> list[pb.Restoration]:
        call = self.stub.WatchRestoration(pb.WatchRestorationRequest(restoration_id=restoration_id), metadata=user.md)
        return [message.restoration async for message in call]

    async def finish(self, user: User, image_id: str, *specs: dict, **fields) -> pb.Restoration:
        created = await self.create(user, image_id, *specs, **fields)
        return (await self.watch(user, created.id))[-1]

    async def get(self, user: User, restoration_id: str) -> pb.Restoration:
        request = pb.GetRestorationRequest(restoration_id=restoration_id)
        return (await self.stub.GetRestoration(request, metadata=user.md)).restoration

    async def list(self, user: User, **fields) -> pb.ListRestorationsResponse:
        return await self.stub.ListRestorations(pb.ListRestorationsRequest(**fields), metadata=user.md)

    async def result_pixels(self, user: User, restoration: pb.Restoration) -> tuple[object, np.ndarray]:
        image, data = await self.storage.download(user, restoration.result_image_id)
        return image, pixels_of(data)

    async def restored_images(self, user: User) -> list:
        from imagemesh.storage.v1 import storage_pb2

        reply = await self.storage.stub.ListImages(storage_pb2.ListImagesRequest(page_size=200), metadata=user.md)
        return [i for i in reply.images if i.kind == "restored"]


@contextlib.asynccontextmanager
async def start_restoration(storage: StorageHarness, database, **extra):
    options: dict = {
        "port": 0,
        "database_url": database.url,
        "database_schema": database.schema,
        "auth_target": storage.auth.target,
        "storage_target": storage.target,
        "access_log": False,
        "service_name": "tester",
        "service_secret": TEST_SERVICE_SECRET,
        "worker_concurrency": 1,
        "lease_s": 5.0,
        "poll_s": 0.1,
        "watch_poll_s": 0.05,
        "retry_backoff_s": 0.1,
    }
    options.update(extra)
    settings = load_settings(RestorationSettings, **options)
    running = await start_app(await build(settings), settings)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield RestorationHarness(restoration_pb2_grpc.RestorationServiceStub(channel), running, settings, storage)
    finally:
        await channel.close()
        await running.stop(0)
