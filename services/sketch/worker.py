"""The job handler of kind "sketch": download the source acting for its owner, render in the CPU pool
with progress, store the result as a derived image.

Exactly one result per sketch even when a job runs twice (its worker died after uploading, the lease
expired, another worker took it over): the upload's request_id is derived from the job id, so storage
hands the second attempt the image the first one stored.
"""

from __future__ import annotations

import logging
import time

from imagemesh_kit import imaging
from imagemesh_kit.auth.service_identity import ServiceIdentity
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.jobs.model import Cancelled, Job
from imagemesh_kit.jobs.worker import JobContext
from services.sketch.domain import SketchCancelled, render_sketch
from services.sketch.use_cases import SketchSpec

# Progress: 0..5% download and decode, 5..90% the drawing's own steps, 90..100% encode and upload.
RENDER_START, RENDER_END = 0.05, 0.90

log = logging.getLogger(__name__)


def result_request_id(job: Job) -> str:
    return f"sketch-{job.id}"


class SketchHandler:
    def __init__(
        self, storage: StorageClient, identity: ServiceIdentity, *, max_png_bytes: int, png_compression: int = 1
    ) -> None:
        self.storage = storage
        self.identity = identity
        self.max_png_bytes = max_png_bytes
        self.png_compression = png_compression

    async def __call__(self, job: Job, ctx: JobContext) -> dict:
        spec = SketchSpec.of(job)
        marks = [("start", time.perf_counter())]
        metadata = await self.identity.metadata(on_behalf_of=job.owner_id)
        await ctx.progress(0.01, "downloading")
        source, data = await self.storage.download(spec.image_id, metadata)
        pixels = await ctx.run_cpu(imaging.decode, data)
        del data
        marks.append(("download+decode", time.perf_counter()))
        ctx.raise_if_stopped()

        def on_progress(fraction: float, message: str) -> None:
            ctx.on_progress(RENDER_START + (RENDER_END - RENDER_START) * fraction, message)

        try:
            drawing = await ctx.run_cpu(
                render_sketch, pixels, spec.style, spec.method, spec.params, on_progress, ctx.should_stop
            )
        except SketchCancelled:
            raise Cancelled("the sketch was cancelled", reason="CANCELLED") from None
        del pixels
        marks.append(("render", time.perf_counter()))
        await ctx.progress(RENDER_END, "encoding")
        encoded = await ctx.run_cpu(
            imaging.encode, drawing, max_png_bytes=self.max_png_bytes, png_compression=self.png_compression
        )
        del drawing
        marks.append(("encode", time.perf_counter()))
        ctx.raise_if_stopped()
        await ctx.progress(0.95, "storing")
        stem = (source.filename.rsplit(".", 1)[0] or "image") if source.filename else "image"
        result = await self.storage.upload(
            encoded.data,
            filename=f"{stem}-{spec.style.lower()}-{spec.method.lower()}.{encoded.extension}",
            content_type=encoded.content_type,
            kind="sketch",
            source_image_id=spec.image_id,
            request_id=result_request_id(job),
            description=f"{spec.style.title()} ({spec.method.lower()}) sketch",
            metadata=metadata,
        )
        marks.append(("upload", time.perf_counter()))
        steps = {name: round((t - marks[i][1]) * 1000, 1) for i, (name, t) in enumerate(marks[1:])}
        log.info("sketch rendered", extra={"job": job.id, "ms": steps, "bytes": len(encoded.data)})
        return {"result_image_id": result.id}
