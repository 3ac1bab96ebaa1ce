"""Sketch jobs across processes: SIGKILL mid-job and restart, a second replica sharing PostgreSQL."""

from __future__ import annotations

import sys
import time

import grpc
import pytest

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh.sketch.v1 import sketch_pb2, sketch_pb2_grpc
from imagemesh_kit.mesh.launcher import free_port
from imagemesh_kit.testing import db_backends
from tests.e2e.conftest import auth_header, register_and_login
from tests.e2e.sketch_helpers import LONG_JOB, create, long_job_photo, upload, wait_for_state, watch

pytestmark = pytest.mark.e2e


def wait_serving(target: str, timeout_s: float = 60) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    deadline = time.monotonic() + timeout_s
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                if (
                    stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                    == health_pb2.HealthCheckResponse.SERVING
                ):
                    return
            except grpc.RpcError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)


def sketch_images(client, tokens) -> list[dict]:
    images = client.get("/v1/images", params={"page_size": 200}, headers=auth_header(tokens)).json()["images"]
    return [i for i in images if i["kind"] == "sketch"]


def test_sigkill_mid_job_then_restart_finishes_the_job_once(mesh, client):
    tokens = register_and_login(client)
    image = upload(client, tokens, long_job_photo())
    sketch = create(client, tokens, image["id"], *LONG_JOB).json()["sketch"]
    running = wait_for_state(client, tokens, sketch["id"], {"JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"})
    assert running["status"]["state"] == "JOB_STATE_RUNNING", running

    mesh.procs["sketch"].kill()  # SIGKILL: no graceful hand-back, the lease has to expire
    mesh.procs["sketch"].wait()
    mesh.start_service("sketch")
    wait_serving(mesh.target("sketch"))

    final = watch(client, tokens, sketch["id"])[-1]
    assert final["status"]["state"] == "JOB_STATE_SUCCEEDED", final
    assert final["status"]["attempts"] == 2
    assert [i["id"] for i in sketch_images(client, tokens)] == [final["resultImageId"]]


@pytest.mark.parametrize("mesh", [b for b in db_backends() if b == "postgresql"], indirect=True)
def test_a_watcher_on_another_replica_process_sees_progress(mesh, client):
    """Replica B (its own process, same PostgreSQL schema, no workers) streams a job rendered by replica A."""
    entry = mesh.registry.entry("sketch")
    port = free_port()
    env = {**mesh.service_env(entry), "IMAGEMESH_PORT": str(port), "IMAGEMESH_WORKER_CONCURRENCY": "0"}
    mesh.spawn("sketch-b", [sys.executable, "-m", entry.module], env)
    try:
        wait_serving(f"127.0.0.1:{port}")
        tokens = register_and_login(client)
        image = upload(client, tokens, long_job_photo())  # seconds of work: many polls of replica B
        sketch = create(client, tokens, image["id"], *LONG_JOB).json()["sketch"]
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = sketch_pb2_grpc.SketchServiceStub(channel)
            md = (("authorization", f"Bearer {tokens['accessToken']}"),)
            states = [
                m.sketch
                for m in stub.WatchSketch(
                    sketch_pb2.WatchSketchRequest(sketch_id=sketch["id"]), metadata=md, timeout=120
                )
            ]
        assert states[-1].status.state == jobs_pb2.JOB_STATE_SUCCEEDED and states[-1].result_image_id
        assert any(s.status.state == jobs_pb2.JOB_STATE_RUNNING and 0 < s.status.progress < 1 for s in states)
    finally:
        mesh.stop_process("sketch-b")
