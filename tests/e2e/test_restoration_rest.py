"""Restoration through Envoy: REST (JSON, NDJSON watch, error bodies with reasons) and native gRPC with grpcurl."""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import pytest
import skimage.data
from PIL import Image

from tests.e2e.conftest import auth_header, grpcurl, register_and_login

pytestmark = pytest.mark.e2e

PACKAGE = "imagemesh.restoration.v1.RestorationService"


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def upload(client: httpx.Client, tokens: dict, data: bytes) -> dict:
    headers = {**auth_header(tokens), "Content-Type": "image/png"}
    r = client.post("/v1/images", content=data, headers=headers, params={"filename": "photo.png"})
    assert r.status_code == 200, r.text
    return r.json()["image"]


def reason(response: httpx.Response) -> str:
    body = response.json()
    return next(d["reason"] for d in body["details"] if d["@type"].endswith("ErrorInfo"))


def fields(response: httpx.Response) -> list[str]:
    body = response.json()
    bad = [d for d in body["details"] if d["@type"].endswith("BadRequest")]
    return [v["field"] for d in bad for v in d["fieldViolations"]]


def create(client: httpx.Client, tokens: dict, image_id: str, steps: list, **extra) -> httpx.Response:
    return client.post(
        "/v1/restorations", json={"imageId": image_id, "steps": steps, **extra}, headers=auth_header(tokens)
    )


def watch(client: httpx.Client, tokens: dict, restoration_id: str) -> list[dict]:
    lines = []
    with client.stream(
        "GET", f"/v1/restorations/{restoration_id}:watch", headers=auth_header(tokens), timeout=120
    ) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.strip():
                lines.append(json.loads(line)["restoration"])
    return lines


def test_rest_lifecycle_with_the_ndjson_watch(client):
    tokens = register_and_login(client)
    source = upload(client, tokens, png(skimage.data.astronaut()[:48, :64]))
    r = create(
        client,
        tokens,
        source["id"],
        [{"denoise": {"strength": 0.8}}, {"upscale": {"factor": 2}}],
        device="GPU",
        requestId="e2e-1",
    )
    assert r.status_code == 200, r.text
    created = r.json()["restoration"]
    assert created["status"]["state"] == "JOB_STATE_QUEUED" and created["device"] == "GPU"
    assert created["steps"] == [{"denoise": {"strength": 0.8}}, {"upscale": {"factor": 2}}]

    states = watch(client, tokens, created["id"])
    done = states[-1]
    assert done["status"]["state"] == "JOB_STATE_SUCCEEDED", done
    assert done["deviceUsed"] == "CPU" and done["deviceFallback"] is True  # no GPU here: said so
    assert [t["name"] for t in done["stepTimings"]] == ["denoise", "upscale"]
    result = client.get(f"/v1/images/{done['resultImageId']}", headers=auth_header(tokens)).json()["image"]
    assert result["kind"] == "restored" and result["sourceImageId"] == source["id"]
    assert (result["width"], result["height"]) == (128, 96)

    got = client.get(f"/v1/restorations/{created['id']}", headers=auth_header(tokens))
    assert got.status_code == 200 and got.json()["restoration"] == done
    listed = client.get("/v1/restorations", params={"pageSize": 10}, headers=auth_header(tokens)).json()
    assert [x["id"] for x in listed["restorations"]] == [created["id"]]
    again = create(
        client, tokens, source["id"], [{"denoise": {"strength": 0.8}}, {"upscale": {}}], device="gpu", requestId="e2e-1"
    )
    assert again.json()["restoration"]["id"] == created["id"]  # idempotent, defaults filled the same way
    cancel = client.post(f"/v1/restorations/{created['id']}:cancel", json={}, headers=auth_header(tokens))
    assert cancel.status_code == 200 and cancel.json()["restoration"]["status"]["state"] == "JOB_STATE_SUCCEEDED"
    deleted = client.delete(f"/v1/restorations/{created['id']}", headers=auth_header(tokens))
    assert deleted.status_code == 200
    gone = client.get(f"/v1/restorations/{created['id']}", headers=auth_header(tokens))
    assert gone.status_code == 404 and reason(gone) == "RESTORATION_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "status", "why", "field"),
    [
        ({"steps": []}, 400, "NO_STEPS", "steps"),
        ({"steps": [{}]}, 400, "UNKNOWN_STEP", "steps[0]"),
        ({"steps": [{"upscale": {"factor": 3}}]}, 400, "INVALID_SCALE_FACTOR", "steps[0].upscale.factor"),
        ({"steps": [{"denoise": {"strength": 2}}]}, 400, "INVALID_STRENGTH", "steps[0].denoise.strength"),
        ({"steps": [{"upscale": {}}], "device": "TPU"}, 400, "UNKNOWN_DEVICE", "device"),
        ({"steps": [{"upscale": {}}], "imageId": ""}, 400, "IMAGE_ID_REQUIRED", "image_id"),
        ({"steps": [{"upscale": {}}], "imageId": "0" * 36}, 404, "IMAGE_NOT_FOUND", None),
    ],
)
def test_rest_bad_input(client, body, status, why, field):
    tokens = register_and_login(client)
    source = upload(client, tokens, png(skimage.data.astronaut()[:32, :32]))
    r = client.post("/v1/restorations", json={"imageId": source["id"], **body}, headers=auth_header(tokens))
    assert r.status_code == status, r.text
    assert reason(r) == why and r.json()["code"] and r.json()["message"]
    if field:
        assert fields(r) == [field]
    assert client.get("/v1/restorations", headers=auth_header(tokens)).json().get("restorations", []) == []


def test_rest_upscale_over_the_pixel_limit_is_refused_at_create(client):
    tokens = register_and_login(client)
    big = upload(client, tokens, png(np.zeros((2048, 2048, 3), np.uint8)))  # x4 = 67 MP > 64 MP
    r = create(client, tokens, big["id"], [{"upscale": {"factor": 4}}])
    assert r.status_code == 429 and reason(r) == "OUTPUT_TOO_LARGE", r.text
    too_big = create(client, tokens, big["id"], [{"upscale": {"factor": 2}}, {"denoise": {}}, {"upscale": {}}])
    assert too_big.status_code == 429 and reason(too_big) == "OUTPUT_TOO_LARGE"
    assert client.get("/v1/restorations", headers=auth_header(tokens)).json().get("restorations", []) == []


def test_rest_isolation_and_tokens(client):
    owner, stranger = register_and_login(client), register_and_login(client)
    source = upload(client, owner, png(skimage.data.astronaut()[:32, :32]))
    assert create(client, stranger, source["id"], [{"upscale": {}}]).status_code == 404
    mine = create(client, owner, source["id"], [{"upscale": {}}]).json()["restoration"]
    for method, path in (
        ("GET", f"/v1/restorations/{mine['id']}"),
        ("DELETE", f"/v1/restorations/{mine['id']}"),
        ("POST", f"/v1/restorations/{mine['id']}:cancel"),
    ):
        r = client.request(method, path, headers=auth_header(stranger), json={} if method == "POST" else None)
        assert r.status_code == 404 and reason(r) == "RESTORATION_NOT_FOUND", (method, path, r.text)
    faces = client.post(f"/v1/images/{source['id']}:detectFaces", json={}, headers=auth_header(stranger))
    assert faces.status_code == 404 and reason(faces) == "IMAGE_NOT_FOUND"
    with httpx.Client(base_url=client.base_url, timeout=10) as anonymous:  # no login cookie either
        assert anonymous.post("/v1/restorations", json={"imageId": source["id"]}).status_code == 401
        assert anonymous.get("/v1/restoration/models").status_code == 401
        bad = anonymous.get("/v1/restorations", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
    assert watch(client, owner, mine["id"])[-1]["status"]["state"] == "JOB_STATE_SUCCEEDED"


def test_rest_detection_and_models(client):
    tokens = register_and_login(client)
    source = upload(client, tokens, png(skimage.data.astronaut()))
    faces = client.post(f"/v1/images/{source['id']}:detectFaces", json={"detector": "hog"}, headers=auth_header(tokens))
    assert faces.status_code == 200, faces.text
    face = faces.json()["faces"][0]
    assert len(face["landmarks5"]) == 5 and len(face["landmarks68"]) == 68 and face["box"]["width"] > 50
    objects = client.post(
        f"/v1/images/{source['id']}:detectObjects", json={"detector": "haar_frontal_face"}, headers=auth_header(tokens)
    )
    assert objects.status_code == 200 and objects.json()["objects"][0]["label"] == "face"
    unknown = client.post(
        f"/v1/images/{source['id']}:detectObjects", json={"detector": "yolo9000"}, headers=auth_header(tokens)
    )
    assert unknown.status_code == 400 and reason(unknown) == "UNKNOWN_DETECTOR" and fields(unknown) == ["detector"]
    models = client.get("/v1/restoration/models", headers=auth_header(tokens)).json()
    assert {m["task"] for m in models["models"]} == {"super_resolution", "denoise"}
    assert "hog_people" in models["detectors"]


def test_grpcurl_restoration(mesh, client):
    tokens = register_and_login(client)
    source = upload(client, tokens, png(skimage.data.astronaut()[:32, :32]))
    auth = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    models = grpcurl(mesh, f"{PACKAGE}/ListModels", flags=auth)
    assert models.returncode == 0, models.stderr
    assert [m["name"] for m in json.loads(models.stdout)["models"]] == ["espcn-y-x2", "espcn-y-x4", "ffdnet-lite-rgb"]
    made = grpcurl(
        mesh,
        f"{PACKAGE}/CreateRestoration",
        flags=auth,
        data=json.dumps({"image_id": source["id"], "steps": [{"upscale": {"factor": 4}}]}),
    )
    assert made.returncode == 0, made.stderr
    restoration_id = json.loads(made.stdout)["restoration"]["id"]
    streamed = grpcurl(
        mesh, f"{PACKAGE}/WatchRestoration", flags=auth, data=json.dumps({"restoration_id": restoration_id})
    )
    assert streamed.returncode == 0, streamed.stderr
    assert '"JOB_STATE_SUCCEEDED"' in streamed.stdout and '"device_used": "CPU"' in streamed.stdout
    bad = grpcurl(
        mesh, f"{PACKAGE}/DetectObjects", flags=auth, data=json.dumps({"image_id": source["id"], "detector": "nope"})
    )
    assert bad.returncode != 0 and "InvalidArgument" in bad.stderr and "UNKNOWN_DETECTOR" in bad.stderr
