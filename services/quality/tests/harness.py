"""The quality service in-process (port 0, real channel) with a real storage and auth service."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import grpc
import numpy as np

from imagemesh.quality.v1 import quality_pb2_grpc
from imagemesh_kit.config import load_settings
from imagemesh_kit.server import RunningApp, start_app
from imagemesh_kit.testing import DatabaseTarget
from services.quality.config import QualitySettings
from services.quality.main import build
from services.storage.tests.harness import StorageHarness, User, start_storage

MIB = 1024 * 1024


def png(pixels: np.ndarray) -> bytes:
    """PNG bytes of gray / RGB / RGBA pixels (RGB order), 8 or 16 bit."""
    if pixels.ndim == 3 and pixels.shape[2] == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    elif pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA)
    ok, data = cv2.imencode(".png", np.ascontiguousarray(pixels))
    assert ok
    return data.tobytes()


def decode_png(data: bytes) -> np.ndarray:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels.ndim == 3 and pixels.shape[2] == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA)
    return pixels


@dataclass
class QualityHarness:
    stub: quality_pb2_grpc.QualityServiceStub
    running: RunningApp
    storage: StorageHarness

    async def user(self, role: str = "user") -> User:
        return await self.storage.user(role)

    async def image(self, user: User, pixels: np.ndarray, filename: str = "test.png") -> str:
        """Uploads pixels as a PNG owned by `user`; returns its id."""
        return (await self.storage.upload(user, png(pixels), filename=filename)).id


@contextlib.asynccontextmanager
async def start_quality(database, auth_server, tmp_path: Path, **extra):
    storage_db = DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'storage.db'}", None)
    async with start_storage("local", storage_db, auth_server, tmp_path, None) as storage:
        options: dict = {
            "port": 0,
            "database_url": database.url,
            "database_schema": database.schema,
            "auth_target": auth_server.target,
            "storage_target": storage.target,
            "access_log": False,
            "cpu_workers": 2,
        }
        options.update(extra)
        settings = load_settings(QualitySettings, **options)
        running = await start_app(await build(settings), settings)
        channel = grpc.aio.insecure_channel(
            f"127.0.0.1:{running.port}",
            options=[("grpc.max_receive_message_length", 64 * MIB), ("grpc.max_send_message_length", 64 * MIB)],
        )
        try:
            yield QualityHarness(quality_pb2_grpc.QualityServiceStub(channel), running, storage)
        finally:
            await channel.close()
            await running.stop(0)
