"""The facial service's use cases: contour jobs (create and run here; get, list, cancel, delete and watch through
the kit's JobResource), the synchronous computation and the cache's counters. Domain rules from
services.facial.domain; no gRPC."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from imagemesh_kit.errors import FailedPrecondition, InvalidArgument
from imagemesh_kit.jobs.model import Job, JobState
from imagemesh_kit.jobs.resource import JobResource
from imagemesh_kit.jobs.store import JobStore
from imagemesh_kit.jobs.worker import JobContext, cpu_pool
from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.domain import (
    ContourParams,
    ContourResult,
    InMemoryLruStore,
    LayeredStore,
    PerceptualCache,
    compute_contours_from_bytes,
    image_header_size,
    validate_landmarks,
)
from services.facial.domain.image_io import MAX_PIXELS, check_image_size
from services.facial.results import ResultView
from services.facial.store import repository as repo
from services.facial.store.cache_store import DbCacheStore

KIND = "facial.contours"


class ImageSource(Protocol):
    """The caller's images in storage (adapters.storage_images.StorageImages), read for their owner."""

    async def size(self, image_id: str, owner_id: str) -> tuple[int, int]: ...

    async def fetch(self, image_id: str, owner_id: str) -> bytes: ...


@dataclass(frozen=True)
class ContourRequest:
    """The input of a job or of the synchronous call, as the caller sent it (not yet validated)."""

    image: bytes = b""
    image_id: str = ""
    landmarks: list[tuple[float, float]] | None = None  # None: detect
    segmentation_map: bytes = b""
    regions: list[str] = field(default_factory=list)
    output_formats: list[str] = field(default_factory=list)
    align: bool = False
    space: str = ""
    faces: str = ""
    margin: float | None = None
    detection_max_side: int = 0
    label_scheme: str = ""

    def params(self) -> ContourParams:
        return ContourParams.create(
            regions=self.regions,
            output_formats=self.output_formats,
            align=self.align,
            space=self.space or "original",
            faces=self.faces or "largest",
            margin=0.25 if self.margin is None else self.margin,
            detection_max_side=self.detection_max_side or 640,
            label_scheme=self.label_scheme or "face_parsing",
        )


@dataclass(frozen=True)
class ContourJob:
    job: Job
    result: ResultView | None = None


class Timings:
    """Server time of cache hits and of computed results on this replica (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.hit_ms = self.miss_ms = 0.0
        self.hit_n = self.miss_n = 0

    def record(self, from_cache: bool, ms: float) -> None:
        with self._lock:
            if from_cache:
                self.hit_ms, self.hit_n = self.hit_ms + ms, self.hit_n + 1
            else:
                self.miss_ms, self.miss_n = self.miss_ms + ms, self.miss_n + 1


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    hit_rate: float
    mean_hit_ms: float
    mean_miss_ms: float
    entries: int
    total_hits: int


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data else None


class FacialUseCases:
    def __init__(
        self,
        jobs: JobStore,
        cache_store: DbCacheStore,
        *,
        cache_max_distance: int = 6,
        cache_memory_entries: int = 256,
        sync_max_pixels: int = 2_000_000,
        max_attempts: int = 3,
        images: ImageSource | None = None,
    ) -> None:
        self.jobs = jobs
        self.engine = jobs.engine
        self.cache_store = cache_store
        layered = LayeredStore(InMemoryLruStore(cache_memory_entries), cache_store, cache_max_distance)
        self.cache = PerceptualCache(layered, max_distance=cache_max_distance)
        self.timings = Timings()
        self.sync_max_pixels = sync_max_pixels
        self.max_attempts = max_attempts
        self.images = images
        # Get, List, Cancel, Delete, Watch: the kit's (its own JOB_NOT_FOUND); what Get, Cancel and Watch answer
        # carries the job's result rows, a List page does not. Deleting a job deletes its input and result rows
        # too (ON DELETE CASCADE, same statement).
        self.contour_jobs = JobResource(jobs, KIND, detail=self._with_result, summary=ContourJob)

    # -- checks that need no decoding (create answers bad input at once) -------------------------

    def _source(self, req: ContourRequest) -> None:
        if req.image and req.image_id:
            raise InvalidArgument.for_field("image", "send image or image_id, not both", reason="IMAGE_AND_IMAGE_ID")
        if not req.image and not req.image_id:
            raise InvalidArgument.for_field("image", "is required (or image_id)", reason="IMAGE_REQUIRED")
        if req.image_id and self.images is None:
            raise FailedPrecondition(
                "image_id inputs need the storage service, which this deployment does not reach yet; "
                "send the image bytes instead",
                reason="IMAGE_ID_UNSUPPORTED",
            )

    @staticmethod
    def _check_headers(req: ContourRequest, max_pixels: int, size: tuple[int, int] | None = None) -> None:
        """Image/map sizes from their headers (or storage's `size`) and landmark validity, before any decoding."""
        if size is not None:
            check_image_size(size[0], size[1], "image_id", max_pixels)
        else:
            size = image_header_size(req.image, "image", max_pixels)
        if req.landmarks is not None:
            validate_landmarks(req.landmarks, size)
        if req.segmentation_map:
            map_size = image_header_size(req.segmentation_map, "segmentation_map")
            if map_size != size:
                raise InvalidArgument.for_field(
                    "segmentation_map",
                    f"is {map_size[0]}x{map_size[1]} but the image is {size[0]}x{size[1]}",
                    reason="SEGMENTATION_MAP_SIZE_MISMATCH",
                )

    # -- jobs -----------------------------------------------------------------------------------

    async def create_job(self, owner_id: str, req: ContourRequest, request_id: str = "") -> tuple[ContourJob, bool]:
        params = req.params()
        self._source(req)
        size = await self.images.size(req.image_id, owner_id) if req.image_id else None
        await asyncio.to_thread(self._check_headers, req, MAX_PIXELS, size)
        job_params = {
            "contour": params.to_dict(),
            "landmarks": [list(p) for p in req.landmarks] if req.landmarks is not None else None,
            "image_id": req.image_id or None,
            "image_sha256": _sha256(req.image),
            "segmentation_map_sha256": _sha256(req.segmentation_map),
        }

        async def store_input(conn, job_id: str) -> None:
            if req.image or req.segmentation_map:
                await repo.add_input(conn, job_id, req.image or None, req.segmentation_map or None)

        job, created = await self.jobs.create(
            owner_id, KIND, job_params, idempotency_key=request_id, max_attempts=self.max_attempts, also=store_input
        )
        return await self._with_result(job), created

    async def _with_result(self, job: Job) -> ContourJob:
        if job.state is not JobState.SUCCEEDED:
            return ContourJob(job)
        async with self.engine.connect() as conn:
            row = await repo.get_result(conn, job.id)
        return ContourJob(job, ResultView.from_row(row) if row is not None else None)

    async def run_job(self, job: Job, ctx: JobContext) -> dict:
        """The worker's handler: load the input, compute (or hit the cache), store the result."""
        p = job.params
        params = ContourParams.create(**p["contour"])
        if p.get("image_id"):
            if self.images is None:
                raise FailedPrecondition("the storage service is not configured", reason="IMAGE_ID_UNSUPPORTED")
            await ctx.progress(0.02, "downloading")
            image = await self.images.fetch(p["image_id"], job.owner_id)
            async with self.engine.connect() as conn:
                row = await repo.get_input(conn, job.id)
            label_map = row.segmentation_map if row is not None else None
        else:
            async with self.engine.connect() as conn:
                row = await repo.get_input(conn, job.id)
            if row is None:
                raise FailedPrecondition("the job's input is gone", reason="INPUT_MISSING")
            image, label_map = row.image, row.segmentation_map
        await ctx.progress(0.05, "decoding")
        result = await ctx.run_cpu(
            self._compute, image, label_map, p.get("landmarks"), params, MAX_PIXELS, ctx.on_progress, ctx.should_stop
        )
        view = ResultView.of(result)
        async with self.engine.begin() as conn:
            await repo.put_result(conn, job.id, view.row_values())
        return {"result": "facial_job_results", "from_cache": view.from_cache, "face_count": view.face_count}

    # -- synchronous ------------------------------------------------------------------------------

    async def compute(self, owner_id: str, req: ContourRequest) -> ResultView:
        params = req.params()
        self._source(req)
        image = req.image
        try:
            if req.image_id:
                size = await self.images.size(req.image_id, owner_id)
                await asyncio.to_thread(self._check_headers, req, self.sync_max_pixels, size)
                image = await self.images.fetch(req.image_id, owner_id)
            else:
                await asyncio.to_thread(self._check_headers, req, self.sync_max_pixels)
        except InvalidArgument as exc:
            if exc.reason != "IMAGE_TOO_LARGE" or "segmentation_map" in exc.message:
                raise
            raise InvalidArgument.for_field(
                "image_id" if req.image_id else "image",
                f"{exc.message.split(';')[0]}; the synchronous call takes at most {self.sync_max_pixels} pixels: "
                "create a job (POST /v1/facial/contours) for larger images",
                reason="IMAGE_TOO_LARGE",
            ) from None
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            cpu_pool(),
            self._compute,
            image,
            req.segmentation_map or None,
            req.landmarks,
            params,
            self.sync_max_pixels,
            None,
            None,
        )
        return ResultView.of(result)

    def _compute(
        self, image_bytes, map_bytes, landmarks, params, max_pixels, on_progress, should_stop
    ) -> ContourResult:
        """CPU pool: the cached pipeline from bytes (the detector only when landmarks are needed)."""
        start = time.perf_counter()
        needs_detector = landmarks is None and (not map_bytes or params.align)
        detector = shared_detector() if needs_detector else None
        result = compute_contours_from_bytes(
            image_bytes, params, self.cache, landmarks, map_bytes, detector, on_progress, should_stop, max_pixels
        )
        self.timings.record(result.from_cache, (time.perf_counter() - start) * 1000)
        return result

    # -- metrics ----------------------------------------------------------------------------------

    async def cache_stats(self) -> CacheStats:
        entries, total_hits = await self.cache_store.totals()
        t = self.timings
        return CacheStats(
            hits=self.cache.hits,
            misses=self.cache.misses,
            hit_rate=self.cache.hit_rate,
            mean_hit_ms=t.hit_ms / t.hit_n if t.hit_n else 0.0,
            mean_miss_ms=t.miss_ms / t.miss_n if t.miss_n else 0.0,
            entries=entries,
            total_hits=total_hits,
        )
