"""DetectFaces and DetectObjects over real gRPC: the image is read with the caller's own token."""

from __future__ import annotations

import grpc
import pytest

from imagemesh.restoration.v1 import restoration_pb2 as pb
from services.restoration.tests.harness import expect_error, start_restoration

pytestmark = pytest.mark.integration


def inside(box: pb.Box, width: int, height: int) -> bool:
    return box.x >= 0 and box.y >= 0 and box.x + box.width <= width and box.y + box.height <= height


@pytest.mark.parametrize("detector", ["", "hog", "CNN"])
async def test_detect_faces_with_landmarks(restoration, astronaut, detector):
    user = await restoration.user()
    image_id = await restoration.image(user, astronaut)
    reply = await restoration.stub.DetectFaces(
        pb.DetectFacesRequest(image_id=image_id, detector=detector), metadata=user.md
    )
    assert (reply.width, reply.height) == (512, 512)
    best = reply.faces[0]
    assert inside(best.box, 512, 512) and 60 < best.box.width < 200
    assert len(best.landmarks5) == 5 and len(best.landmarks68) == 68
    assert all(best.box.x - 20 <= p.x <= best.box.x + best.box.width + 20 for p in best.landmarks68)
    assert [f.score for f in reply.faces] == sorted((f.score for f in reply.faces), reverse=True)


async def test_detect_objects_with_classic_detectors(restoration, astronaut, chelsea):
    user = await restoration.user()
    face = await restoration.stub.DetectObjects(
        pb.DetectObjectsRequest(image_id=await restoration.image(user, astronaut), detector="haar_frontal_face"),
        metadata=user.md,
    )
    assert [o.label for o in face.objects][:1] == ["face"] and inside(face.objects[0].box, 512, 512)
    cat = await restoration.stub.DetectObjects(
        pb.DetectObjectsRequest(image_id=await restoration.image(user, chelsea), detector="haar_cat_face"),
        metadata=user.md,
    )
    assert (cat.width, cat.height) == (451, 300) and "cat_face" in [o.label for o in cat.objects]
    assert all(0 < o.score <= 1 for o in cat.objects)


async def test_detection_bad_input(restoration, astronaut):
    owner, stranger = await restoration.user(), await restoration.user()
    image_id = await restoration.image(owner, astronaut[:64, :64])
    for call in (
        restoration.stub.DetectObjects(
            pb.DetectObjectsRequest(image_id=image_id, detector="yolo9000"), metadata=owner.md
        ),
        restoration.stub.DetectObjects(pb.DetectObjectsRequest(image_id=image_id), metadata=owner.md),
        restoration.stub.DetectFaces(pb.DetectFacesRequest(image_id=image_id, detector="mtcnn"), metadata=owner.md),
    ):
        await expect_error(call, grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_DETECTOR", "detector")
    await expect_error(
        restoration.stub.DetectFaces(pb.DetectFacesRequest(), metadata=owner.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "IMAGE_ID_REQUIRED",
        "image_id",
    )
    for call in (
        restoration.stub.DetectFaces(pb.DetectFacesRequest(image_id=image_id), metadata=stranger.md),
        restoration.stub.DetectObjects(
            pb.DetectObjectsRequest(image_id=image_id, detector="hog_people"), metadata=stranger.md
        ),
        restoration.stub.DetectFaces(pb.DetectFacesRequest(image_id="0" * 36), metadata=owner.md),
    ):
        await expect_error(call, grpc.StatusCode.NOT_FOUND, "IMAGE_NOT_FOUND")
    await expect_error(
        restoration.stub.DetectFaces(pb.DetectFacesRequest(image_id=image_id)),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOKEN_MISSING",
    )
    people = await restoration.stub.DetectObjects(
        pb.DetectObjectsRequest(image_id=image_id, detector="hog_people"), metadata=owner.md
    )
    assert (people.width, people.height) == (64, 64)


async def test_detection_over_the_pixel_limit_is_refused_before_download(storage, restoration_db, astronaut):
    async with start_restoration(storage, restoration_db, max_input_pixels=1000) as svc:
        user = await svc.user()
        image_id = await svc.image(user, astronaut[:64, :64])
        await expect_error(
            svc.stub.DetectFaces(pb.DetectFacesRequest(image_id=image_id), metadata=user.md),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "INPUT_TOO_LARGE",
        )


async def test_a_dropped_in_onnx_detector_is_served_like_the_classic_ones(storage, restoration_db, tmp_path):
    import numpy as np

    from services.restoration.tests.tiny_models import constant_yolo

    models = tmp_path / "models"
    models.mkdir()
    out = np.zeros((1, 6, 3), np.float32)  # YOLOv8 layout: cx, cy, w, h, then one score per class
    out[0, :, 0] = [32, 32, 20, 10, 0.05, 0.95]  # a "dog" in the middle of the 64x64 input
    out[0, :, 1] = [10, 20, 4, 4, 0.80, 0.10]  # a "cat"
    constant_yolo(models, out, ["cat", "dog"], name="operator-yolo")
    async with start_restoration(storage, restoration_db, models_dir=str(models)) as svc:
        user = await svc.user()
        listed = await svc.stub.ListModels(pb.ListModelsRequest(), metadata=user.md)
        assert [m.task for m in listed.models] == ["object_detection"] and "operator-yolo" in listed.detectors
        image_id = await svc.image(user, np.zeros((64, 64, 3), np.uint8))
        reply = await svc.stub.DetectObjects(
            pb.DetectObjectsRequest(image_id=image_id, detector="operator-yolo"), metadata=user.md
        )
        assert [o.label for o in reply.objects] == ["dog", "cat"]
        dog = reply.objects[0].box
        assert (dog.x, dog.y, dog.width, dog.height) == pytest.approx((22, 27, 20, 10))
