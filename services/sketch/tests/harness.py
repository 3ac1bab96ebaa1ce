"""The sketch service in-process (port 0) with a real auth and storage service, and helpers to call it."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import grpc
import numpy as np
from PIL import Image

from conftest import TEST_SERVICE_SECRET
from imagemesh.sketch.v1 import sketch_pb2, sketch_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from imagemesh_kit.testing import expect_error, field_violations  # noqa: F401 - re-exported for the tests
from services.sketch.config import SketchSettings
from services.sketch.main import build
from services.sketch.tests.images import photo
from services.storage.tests.harness import StorageHarness, User


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def encoded(pixels: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()


def pixels_of(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return np.asarray(img)


@dataclass
class SketchHarness:
    stub: sketch_pb2_grpc.SketchServiceStub
    running: RunningApp
    settings: SketchSettings
    storage: StorageHarness

    @property
    def jobs(self):
        return self.running.app.servicers[0][1]._uc.jobs

    async def user(self) -> User:
        return await self.storage.user()

    async def image(self, user: User, height: int = 96, fmt: str = "PNG") -> tuple[str, tuple[int, int]]:
        """Uploads a real photo as `user`; (image id, (height, width))."""
        pixels = photo("astronaut", height)
        data = png(pixels) if fmt == "PNG" else encoded(pixels, fmt)
        return (await self.storage.create(user, data, filename=f"astronaut.{fmt.lower()}")).id, pixels.shape[:2]

    async def create(self, user: User, image_id: str, style="PENCIL", method="BASIC", **fields) -> sketch_pb2.Sketch:
        request = sketch_pb2.CreateSketchRequest(image_id=image_id, style=style, method=method, **fields)
        return (await self.stub.CreateSketch(request, metadata=user.md)).sketch

    async def watch(self, user: User, sketch_id: str) -> list[sketch_pb2.Sketch]:
        call = self.stub.WatchSketch(sketch_pb2.WatchSketchRequest(sketch_id=sketch_id), metadata=user.md)
        return [message.sketch async for message in call]

    async def get(self, user: User, sketch_id: str) -> sketch_pb2.Sketch:
        return (await self.stub.GetSketch(sketch_pb2.GetSketchRequest(sketch_id=sketch_id), metadata=user.md)).sketch

    async def sketch_images(self, user: User) -> list:
        from imagemesh.storage.v1 import storage_pb2

        reply = await self.storage.stub.ListImages(storage_pb2.ListImagesRequest(page_size=200), metadata=user.md)
        return [i for i in reply.images if i.kind == "sketch"]


@contextlib.asynccontextmanager
async def start_sketch(storage: StorageHarness, database, **extra):
    options: dict = {
        "port": 0,
        "database_url": database.url,
        "database_schema": database.schema,
        "auth_target": storage.auth.target,
        "storage_target": storage.target,
        "access_log": False,
        "service_name": "tester",
        "service_secret": TEST_SERVICE_SECRET,
        "worker_concurrency": 2,
        "lease_s": 2.0,
        "poll_s": 0.1,
        "watch_poll_s": 0.05,
        "retry_backoff_s": 0.1,
    }
    options.update(extra)
    settings = load_settings(SketchSettings, **options)
    running = await start_app(await build(settings), settings)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield SketchHarness(sketch_pb2_grpc.SketchServiceStub(channel), running, settings, storage)
    finally:
        await channel.close()
        await running.stop(0)
