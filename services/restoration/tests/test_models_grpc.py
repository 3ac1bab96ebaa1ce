"""ListModels, a model dropped into the models directory, missing models, quality through the service."""

from __future__ import annotations

import json
import shutil

import cv2
import grpc
import numpy as np
import pytest

from imagemesh.jobs.v1 import jobs_pb2
from imagemesh.restoration.v1 import restoration_pb2 as pb
from services.restoration.adapters.model_registry import DEFAULT_MODELS_DIR
from services.restoration.tests.harness import expect_error, start_restoration
from services.restoration.tests.tiny_models import nearest_upsampler

pytestmark = pytest.mark.integration

S = jobs_pb2.JobState
SHIPPED = ["espcn-y-x2", "espcn-y-x4", "ffdnet-lite-rgb"]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0**2 / mse)


async def test_list_models_shows_the_shipped_models_and_where_they_ran(restoration, astronaut):
    user = await restoration.user()
    reply = await restoration.stub.ListModels(pb.ListModelsRequest(), metadata=user.md)
    assert [m.name for m in reply.models] == SHIPPED and reply.next_page_token == ""
    by_name = {m.name: m for m in reply.models}
    assert by_name["espcn-y-x4"].task == "super_resolution" and by_name["espcn-y-x4"].scale == 4
    assert by_name["ffdnet-lite-rgb"].task == "denoise" and by_name["ffdnet-lite-rgb"].version
    assert "hog_people" in reply.detectors and "haar_frontal_face" in reply.detectors
    assert dict(reply.problems) == {}

    image_id = await restoration.image(user, astronaut[:32, :32])
    await restoration.finish(user, image_id, {"upscale": {"factor": 2}})
    after = {m.name: m for m in (await restoration.stub.ListModels(pb.ListModelsRequest(), metadata=user.md)).models}
    assert (after["espcn-y-x2"].device, after["espcn-y-x2"].provider) == ("CPU", "CPUExecutionProvider")
    assert after["espcn-y-x4"].device == ""  # not loaded yet (sessions are lazy)

    first = await restoration.stub.ListModels(pb.ListModelsRequest(page_size=2), metadata=user.md)
    rest = await restoration.stub.ListModels(
        pb.ListModelsRequest(page_size=2, page_token=first.next_page_token), metadata=user.md
    )
    assert [m.name for m in first.models] + [m.name for m in rest.models] == SHIPPED and not rest.next_page_token
    await expect_error(
        restoration.stub.ListModels(pb.ListModelsRequest(page_token="eyJvZmZzZXQiOiJ4In0"), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )


async def test_a_model_dropped_into_the_models_directory_is_served(storage, restoration_db, tmp_path, astronaut):
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    nearest_upsampler(models, scale=2, name="operator-x2")
    meta = json.loads((models / "operator-x2.json").read_text())
    (models / "operator-x2.json").write_text(json.dumps({**meta, "priority": 10}))  # preferred over espcn_y_x2
    (models / "broken.json").write_text('{"name": "broken", "task": "colorize"}')

    async with start_restoration(storage, restoration_db, models_dir=str(models)) as svc:
        user, admin = await svc.user(), await svc.user("admin")
        reply = await svc.stub.ListModels(pb.ListModelsRequest(), metadata=user.md)
        assert "operator-x2" in [m.name for m in reply.models] and dict(reply.problems) == {}  # users: no internals
        seen_by_admin = await svc.stub.ListModels(pb.ListModelsRequest(), metadata=admin.md)
        assert list(seen_by_admin.problems) == ["broken.json"] and "task" in seen_by_admin.problems["broken.json"]
        source = astronaut[200:248, 200:264]
        done = await svc.finish(user, await svc.image(user, source), {"upscale": {"factor": 2}})
        assert done.status.state == S.JOB_STATE_SUCCEEDED, done.status
        assert done.step_timings[0].detail == "operator-x2"
        _, pixels = await svc.result_pixels(user, done)
        nearest = source.repeat(2, axis=0).repeat(2, axis=1)
        assert pixels.shape == nearest.shape and np.abs(pixels.astype(int) - nearest).max() <= 1
        x4 = await svc.finish(user, await svc.image(user, source), {"upscale": {"factor": 4}})
        assert x4.step_timings[0].detail == "espcn-y-x4"  # its own scale's model is untouched


async def test_no_model_for_a_step_is_a_clear_error_at_create(storage, restoration_db, tmp_path, astronaut):
    models = tmp_path / "only-x2"
    models.mkdir()
    for suffix in (".onnx", ".json"):
        shutil.copy(DEFAULT_MODELS_DIR / f"espcn_y_x2{suffix}", models)
    async with start_restoration(storage, restoration_db, models_dir=str(models)) as svc:
        user = await svc.user()
        image_id = await svc.image(user, astronaut[:32, :32])
        err = await expect_error(
            svc.create(user, image_id, {"denoise": {}}), grpc.StatusCode.FAILED_PRECONDITION, "MODEL_UNAVAILABLE"
        )
        assert "denois" in err.details()
        x4 = await svc.finish(user, image_id, {"upscale": {"factor": 4}})  # x2 twice
        assert x4.status.state == S.JOB_STATE_SUCCEEDED and x4.step_timings[0].detail == "espcn-y-x2+espcn-y-x2"


async def test_denoise_through_the_service_improves_psnr(restoration, astronaut):
    user = await restoration.user()
    clean = astronaut[160:288, 160:288]
    rng = np.random.default_rng(7)
    noisy = np.clip(clean + rng.normal(0, 25, clean.shape), 0, 255).astype(np.uint8)
    done = await restoration.finish(user, await restoration.image(user, noisy), {"denoise": {"sigma": 25}})
    _, denoised = await restoration.result_pixels(user, done)
    assert psnr(denoised, clean) > psnr(noisy, clean) + 3.0


async def test_upscale_through_the_service_beats_bicubic(restoration, astronaut):
    user = await restoration.user()
    original = astronaut[128:384, 128:384]
    small = cv2.resize(original, (128, 128), interpolation=cv2.INTER_AREA)
    done = await restoration.finish(user, await restoration.image(user, small), {"upscale": {"factor": 2}})
    _, ours = await restoration.result_pixels(user, done)
    bicubic = cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC)
    assert psnr(ours, original) > psnr(bicubic, original)
