"""The quality service's use cases: images from storage (with the caller's own token), CPU work on a
thread pool, comparisons stored in one transaction each. No gRPC here beyond the StorageClient."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from imagemesh.storage.v1 import storage_pb2
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.context import Principal
from imagemesh_kit.db_types import utcnow
from imagemesh_kit.errors import FailedPrecondition, InvalidArgument, NotFound
from imagemesh_kit.pagination import (
    clamp_page_size,
    decode_time_cursor,
    encode_time_cursor,
)
from services.quality.codec import decode, encode_png
from services.quality.domain.assess import assess
from services.quality.domain.compare import Assessed, assessed, compare_assessed
from services.quality.domain.enhance.params import enhance_params
from services.quality.domain.enhance_image import EnhancedImage, enhance
from services.quality.domain.report import QualityReport
from services.quality.records import StoredComparison, result_json
from services.quality.store import repository as repo
from services.quality.store.models import ComparisonRow

log = logging.getLogger(__name__)

ENHANCED_KIND = "enhanced"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_COMPARISON_ID = re.compile(r"[0-9a-f]{32}")
T = TypeVar("T")


@dataclass(frozen=True)
class Assessment:
    image_id: str
    report: QualityReport
    processing_time_ms: float


@dataclass(frozen=True)
class Enhancement:
    image: storage_pb2.Image
    result: EnhancedImage
    processing_time_ms: float


def _check_image_id(value: str, field: str) -> str:
    if not value:
        raise InvalidArgument.for_field(field, "is required", reason=f"{field.upper()}_REQUIRED")
    return value


def _check_request_id(value: str) -> str | None:
    if value and not _REQUEST_ID.fullmatch(value):
        raise InvalidArgument.for_field(
            "request_id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -", reason="INVALID_REQUEST_ID"
        )
    return value or None


def storage_request_id(*parts: object) -> str:
    """The request_id of a derived image in storage: derived from what identifies our request, so a retry
    stores nothing new, and within storage's 64 characters whatever the caller's id was."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]
    return f"quality:{digest}"


def _comparison_not_found() -> NotFound:
    return NotFound("the comparison does not exist", reason="COMPARISON_NOT_FOUND")


class QualityUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        storage: StorageClient,
        executor: Executor,
        *,
        max_image_pixels: int,
    ) -> None:
        self._sessions = sessions
        self._storage = storage
        self._executor = executor
        self._max_pixels = max_image_pixels

    async def _cpu(self, fn: Callable[..., T], *args, **kwargs) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    async def _pixels(self, caller: Principal, image_id: str, field: str) -> tuple[storage_pb2.Image, np.ndarray]:
        try:
            image, data = await self._storage.download(image_id, caller.forwarded_metadata())
        except NotFound as exc:
            raise NotFound(f"{field}: the image does not exist", reason=exc.reason) from None
        return image, await self._cpu(decode, data, field=field, max_pixels=self._max_pixels)

    async def _assessed(self, caller: Principal, image_id: str, field: str) -> tuple[storage_pb2.Image, Assessed]:
        image, pixels = await self._pixels(caller, image_id, field)
        return image, await self._cpu(assessed, pixels, field)

    # -- assess / enhance (nothing stored here; enhance stores its image in storage) ------------------

    async def assess(self, caller: Principal, image_id: str) -> Assessment:
        started = time.perf_counter()
        _check_image_id(image_id, "image_id")
        _, pixels = await self._pixels(caller, image_id, "image_id")
        report = await self._cpu(assess, pixels)
        return Assessment(image_id, report, (time.perf_counter() - started) * 1000.0)

    async def enhance(
        self, caller: Principal, image_id: str, level: float, aspects: list[str], request_id: str
    ) -> Enhancement:
        started = time.perf_counter()
        _check_image_id(image_id, "image_id")
        params = enhance_params(level, aspects)  # bad level / aspect: refused before any download
        request_id = _check_request_id(request_id)
        source, pixels = await self._pixels(caller, image_id, "image_id")
        result = await self._cpu(enhance, pixels, params.level, params.aspects)
        png = await self._cpu(encode_png, result.pixels)
        stored = await self._storage.upload(
            png,
            filename=_derived_name(source.filename),
            kind=ENHANCED_KIND,
            source_image_id=image_id,
            # the same request_id with other parameters is another request: it gets its own image
            request_id=storage_request_id("enhance", request_id, image_id, params.level, params.aspects)
            if request_id
            else "",
            metadata=caller.forwarded_metadata(),
        )
        return Enhancement(stored, result, (time.perf_counter() - started) * 1000.0)

    # -- comparisons -----------------------------------------------------------------------------

    async def create_comparison(
        self, caller: Principal, image1_id: str, image2_id: str, level: float, request_id: str
    ) -> StoredComparison:
        started = time.perf_counter()
        _check_image_id(image1_id, "image1_id")
        _check_image_id(image2_id, "image2_id")
        try:
            level = enhance_params(level).level
        except InvalidArgument:
            raise InvalidArgument.for_field(
                "enhancement_level", "must be between 0 and 1", reason="LEVEL_OUT_OF_RANGE"
            ) from None
        request_id = _check_request_id(request_id)
        wanted = (image1_id, image2_id, level)
        if request_id and (first := await self._by_request(caller.subject, request_id, wanted)) is not None:
            return first
        # each side is downloaded, decoded and assessed as soon as it can be, the two side by side
        (_, reference), (source, candidate) = await asyncio.gather(
            self._assessed(caller, image1_id, "image1_id"), self._assessed(caller, image2_id, "image2_id")
        )
        # the enhanced PNG is written while the enhancement's final check runs
        result = await self._cpu(compare_assessed, reference, candidate, level, encode=encode_png)
        comparison_id = uuid.uuid4().hex
        enhanced_id = ""
        if result.enhanced_pixels is not None:
            png = result.enhanced_encoded
            stored = await self._storage.upload(
                png,
                filename=_derived_name(source.filename),
                kind=ENHANCED_KIND,
                source_image_id=image2_id,
                # a retried request finds the image its first attempt stored
                request_id=storage_request_id("comparison", request_id or comparison_id),
                metadata=caller.forwarded_metadata(),
            )
            enhanced_id = stored.id
        elapsed = (time.perf_counter() - started) * 1000.0
        row = ComparisonRow(
            id=comparison_id,
            owner_id=caller.subject,
            request_id=request_id,
            image1_id=image1_id,
            image2_id=image2_id,
            enhancement_level=level,
            psnr=float(result.psnr),
            ssim=float(result.ssim),
            enhanced_image_id=enhanced_id,
            processing_time_ms=elapsed,
            result=result_json(result),
            created_at=utcnow(),
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            # a concurrent retry with the same request_id stored first: answer with its comparison
            if request_id and (first := await self._by_request(caller.subject, request_id, wanted)) is not None:
                return first
            await self._forget(caller, enhanced_id, request_id)
            raise
        except Exception:
            await self._forget(caller, enhanced_id, request_id)
            raise
        return repo.to_comparison(row)

    async def _forget(self, caller: Principal, enhanced_id: str, request_id: str | None) -> None:
        """The comparison could not be recorded: remove the enhanced image it stored, unless a retry with the
        same request_id would find and use it."""
        if not enhanced_id or request_id:
            return
        try:
            await self._storage.delete(enhanced_id, caller.forwarded_metadata())
        except Exception:
            log.exception("could not remove enhanced image %s of a failed comparison", enhanced_id)

    async def _by_request(
        self, owner_id: str, request_id: str, wanted: tuple[str, str, float]
    ) -> StoredComparison | None:
        async with self._sessions() as session:
            row = await repo.comparison_by_request(session, owner_id, request_id)
        if row is None:
            return None
        if (row.image1_id, row.image2_id, row.enhancement_level) != wanted:
            raise FailedPrecondition(
                "request_id was already used for a different comparison", reason="REQUEST_ID_REUSED"
            )
        return repo.to_comparison(row)

    async def get_comparison(self, caller: Principal, comparison_id: str) -> StoredComparison:
        if not comparison_id:
            raise InvalidArgument.for_field("comparison_id", "is required", reason="COMPARISON_ID_REQUIRED")
        if not _COMPARISON_ID.fullmatch(comparison_id):
            raise _comparison_not_found()
        async with self._sessions() as session:
            row = await repo.comparison_by_id(session, comparison_id)
        if row is None or (row.owner_id != caller.subject and not caller.is_admin):
            raise _comparison_not_found()
        return repo.to_comparison(row)

    async def list_comparisons(
        self, caller: Principal, page_size: int, page_token: str
    ) -> tuple[list[StoredComparison], str]:
        limit = clamp_page_size(page_size)
        before = decode_time_cursor(page_token)
        async with self._sessions() as session:
            rows = await repo.list_comparisons(session, caller.subject, before, limit + 1)
        items = [repo.to_comparison(r) for r in rows[:limit]]
        next_token = ""
        if len(rows) > limit:
            last = items[-1]
            next_token = encode_time_cursor(last.created_at, last.id)
        return items, next_token


def _derived_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if filename else "image"
    return f"{stem}-enhanced.png"
