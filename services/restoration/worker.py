"""The job handler of kind "restoration": download the source acting for its owner, run the pipeline in the
CPU pool with progress, store the result as a derived image (kind "restored").

Exactly one result per restoration even when a job runs twice (lease expiry after a crash): the upload's
request_id is derived from the job id, so storage hands the second attempt the image the first one stored.
"""

from __future__ import annotations

import logging

from imagemesh_kit import imaging
from imagemesh_kit.auth.service_identity import ServiceIdentity
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.worker import JobContext
from services.restoration.domain.pipeline import RestorationTools, run_restoration
from services.restoration.use_cases import RestorationSpec

# Progress: 0..5% download and decode, 5..90% the steps, 90..100% encode and upload.
RUN_START, RUN_END = 0.05, 0.90

log = logging.getLogger(__name__)


def result_request_id(job: Job) -> str:
    return f"restoration-{job.id}"


class RestorationHandler:
    def __init__(
        self,
        storage: StorageClient,
        identity: ServiceIdentity,
        tools: RestorationTools,
        *,
        max_png_bytes: int,
        png_compression: int = 1,
    ) -> None:
        self.storage = storage
        self.identity = identity
        self.tools = tools
        self.max_png_bytes = max_png_bytes
        self.png_compression = png_compression

    async def __call__(self, job: Job, ctx: JobContext) -> dict:
        spec = RestorationSpec.of(job)
        request = spec.request()
        metadata = await self.identity.metadata(on_behalf_of=job.owner_id)
        await ctx.progress(0.01, "downloading")
        source, data = await self.storage.download(spec.image_id, metadata)
        pixels = await ctx.run_cpu(imaging.decode, data, keep_alpha=False)  # the models work on colour
        del data
        ctx.raise_if_stopped()

        def on_progress(fraction: float, message: str) -> None:
            ctx.on_progress(RUN_START + (RUN_END - RUN_START) * fraction, message)

        # A cancel stops the pipeline between tiles with the domain's CANCELLED error (the kit's worker
        # turns it into the CANCELLED state).
        done = await ctx.run_cpu(
            run_restoration, pixels, request, self.tools, on_progress=on_progress, should_stop=ctx.should_stop
        )
        del pixels
        await ctx.progress(RUN_END, "encoding")
        encoded = await ctx.run_cpu(
            imaging.encode, done.image, max_png_bytes=self.max_png_bytes, png_compression=self.png_compression
        )
        ctx.raise_if_stopped()
        await ctx.progress(0.95, "storing")
        stem = (source.filename.rsplit(".", 1)[0] or "image") if source.filename else "image"
        names = "+".join(next(iter(s)) for s in spec.steps)
        stored = await self.storage.upload(
            encoded.data,
            filename=f"{stem}-restored.{encoded.extension}",
            content_type=encoded.content_type,
            kind="restored",
            source_image_id=spec.image_id,
            request_id=result_request_id(job),
            description=f"Restored ({names})",
            metadata=metadata,
        )
        timings = [{"name": t.name, "seconds": round(t.seconds, 4), "detail": t.detail} for t in done.step_timings]
        log.info("restoration done", extra={"job": job.id, "steps": timings, "device": done.device_used.value})
        return {
            "result_image_id": stored.id,
            "step_timings": timings,
            "device_used": done.device_used.value,
            "device_fallback": done.device_fallback,
            "providers": list(done.providers),
        }
