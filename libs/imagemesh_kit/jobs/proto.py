"""Job -> imagemesh.jobs.v1.JobStatus (for servicers)."""

from __future__ import annotations

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.proto_time import timestamp


def job_status(job: Job) -> jobs_pb2.JobStatus:
    status = jobs_pb2.JobStatus(
        state=jobs_pb2.JobState.Value(f"JOB_STATE_{job.state.value}"),
        progress=job.progress,
        progress_message=job.progress_message,
        attempts=job.attempts,
        created_at=timestamp(job.created_at),
        started_at=timestamp(job.started_at),
        finished_at=timestamp(job.finished_at),
        cancel_requested=job.cancel_requested,
    )
    if job.error is not None and job.state.value == "FAILED":
        status.error.CopyFrom(
            jobs_pb2.JobError(code=job.error.code, reason=job.error.reason, message=job.error.message)
        )
    return status
