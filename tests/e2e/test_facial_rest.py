"""The facial service through Envoy: REST (httpx), the original API's routes, and native gRPC (grpcurl)."""

from __future__ import annotations

import base64
import json
import time
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest
from skimage import data

from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.tests.conftest import encode
from services.facial.tests.test_segmentation import synthetic_map
from tests.e2e.conftest import PASSWORD, auth_header, grpcurl, register_and_login, unique_email

pytestmark = pytest.mark.e2e

FINAL = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}


def reason(response) -> str:
    body = response.json()
    return next(d["reason"] for d in body["details"] if d["@type"].endswith("ErrorInfo"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def astronaut() -> tuple[bytes, list[dict]]:
    image = data.astronaut()
    face = shared_detector().detect(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))[0]
    return encode(image), [{"x": float(x), "y": float(y)} for x, y in face.landmarks]


def watch(client, path: str, headers: dict) -> list[dict]:
    """The NDJSON stream of a :watch route, one object per line."""
    with client.stream("GET", path, headers=headers, timeout=60) as r:
        assert r.status_code == 200, r.read()
        return [json.loads(line) for line in r.iter_lines() if line.strip()]


def poll(client, path: str, headers: dict, timeout_s: float = 60) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        r = client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        job = r.json()["contourJob"]
        if job["status"]["state"] in FINAL or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_job_lifecycle_over_rest(client, astronaut):
    image, landmarks = astronaut
    h = auth_header(register_and_login(client))
    body = {"image": b64(image), "landmarks": landmarks, "outputFormats": ["svg", "png", "json"], "align": True}
    r = client.post("/v1/facial/contours", json=body, headers=h)
    assert r.status_code == 200, r.text
    job_id = r.json()["contourJob"]["id"]
    assert r.json()["created"] is True

    messages = watch(client, f"/v1/facial/contours/{job_id}:watch", h)
    last = messages[-1]["contourJob"]
    assert last["status"]["state"] == "JOB_STATE_SUCCEEDED", last
    result = last["result"]
    root = ET.fromstring(result["svg"])
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) == 10
    mask = cv2.imdecode(np.frombuffer(base64.b64decode(result["masks"]["nose"]), np.uint8), cv2.IMREAD_UNCHANGED)
    assert mask.shape == (512, 512)
    assert len(result["alignment"]["matrix"]) == 6 and result["alignment"]["cropBox"]["width"] > 0
    assert json.loads(result["polygonsJson"])["alignment"] is not None

    got = client.get(f"/v1/facial/contours/{job_id}", headers=h).json()["contourJob"]
    assert got["result"]["svg"] == result["svg"]
    listed = client.get("/v1/facial/contours", params={"pageSize": 1}, headers=h).json()
    assert [j["id"] for j in listed["contourJobs"]] == [job_id] and "result" not in listed["contourJobs"][0]
    cancelled = client.post(f"/v1/facial/contours/{job_id}:cancel", json={}, headers=h)
    assert cancelled.json()["contourJob"]["status"]["state"] == "JOB_STATE_SUCCEEDED"  # finished: unchanged

    assert client.delete(f"/v1/facial/contours/{job_id}", headers=h).status_code == 200
    gone = client.get(f"/v1/facial/contours/{job_id}", headers=h)
    assert gone.status_code == 404 and reason(gone) == "JOB_NOT_FOUND"


def test_the_original_api_routes(client, astronaut):
    image, landmarks = astronaut
    h = auth_header(register_and_login(client))
    r = client.post("/api/v1/frontal/crop/submit", json={"image": b64(image), "landmarks": landmarks}, headers=h)
    assert r.status_code == 200, r.text
    job = poll(client, f"/api/v1/frontal/crop/status/{r.json()['contourJob']['id']}", h)
    assert job["status"]["state"] == "JOB_STATE_SUCCEEDED" and job["result"]["source"] == "landmarks"

    labels, _ = synthetic_map()
    picture = encode(np.dstack([labels * 10] * 3).astype(np.uint8))
    body = {"image": b64(picture), "segmentation_map": b64(encode(labels))}  # the original snake_case key
    r = client.post("/api/v1/frontal/crop/submit", json=body, headers=h)
    assert r.status_code == 200, r.text
    job = poll(client, f"/api/v1/frontal/crop/status/{r.json()['contourJob']['id']}", h)
    assert job["status"]["state"] == "JOB_STATE_SUCCEEDED" and job["result"]["source"] == "segmentation_map"

    bad = client.post("/api/v1/frontal/crop/submit", json={"image": b64(image), "landmarks": landmarks[:5]}, headers=h)
    assert bad.status_code == 400 and reason(bad) == "WRONG_LANDMARK_COUNT"


def test_jobs_on_storage_images(client, astronaut):
    image, landmarks = astronaut
    ann, bob = register_and_login(client), register_and_login(client)
    up = client.post("/v1/images", content=image, headers={**auth_header(ann), "Content-Type": "image/png"})
    assert up.status_code == 200, up.text
    image_id = up.json()["image"]["id"]
    r = client.post("/v1/facial/contours", json={"imageId": image_id, "landmarks": landmarks}, headers=auth_header(ann))
    assert r.status_code == 200, r.text
    job = poll(client, f"/v1/facial/contours/{r.json()['contourJob']['id']}", auth_header(ann))
    assert job["status"]["state"] == "JOB_STATE_SUCCEEDED" and job["imageId"] == image_id, job
    sync = client.post("/v1/facial/contours:compute", json={"imageId": image_id}, headers=auth_header(ann))
    assert sync.status_code == 200 and sync.json()["result"]["faceCount"] == 1
    foreign = client.post("/v1/facial/contours", json={"imageId": image_id}, headers=auth_header(bob))
    assert foreign.status_code == 404 and reason(foreign) == "IMAGE_NOT_FOUND"


def test_sync_compute_and_the_cache_over_rest(client, mesh, astronaut):
    image, _ = astronaut
    h = auth_header(register_and_login(client))
    body = {"image": b64(image), "regions": ["left_eye", "right_eye"], "outputFormats": ["json"], "align": True}
    first = client.post("/v1/facial/contours:compute", json=body, headers=h)
    assert first.status_code == 200, first.text
    assert first.json()["result"].get("fromCache", False) is False
    jpeg = encode(data.astronaut(), ".jpg", quality=80)
    second = client.post("/v1/facial/contours:compute", json={**body, "image": b64(jpeg)}, headers=h)
    assert second.status_code == 200 and second.json()["result"]["fromCache"] is True
    refused = client.get("/v1/facial/cache-stats", headers=h)  # the counters are for administrators
    assert refused.status_code == 403 and reason(refused) == "ADMIN_REQUIRED"
    admin_email = unique_email("facial-admin")
    mesh.create_admin(admin_email, PASSWORD)
    admin = client.post("/v1/auth/login", json={"email": admin_email, "password": PASSWORD}).json()
    stats = client.get("/v1/facial/cache-stats", headers=auth_header(admin)).json()
    assert int(stats["hits"]) >= 1 and int(stats["entries"]) >= 1 and stats["hitRate"] > 0


def test_bad_requests_over_rest(client, astronaut):
    image, landmarks = astronaut
    ann = auth_header(register_and_login(client))
    bob = auth_header(register_and_login(client))
    client.cookies.clear()  # the logins set the access_token cookie
    assert client.post("/v1/facial/contours", json={"image": b64(image)}).status_code == 401
    assert client.get("/v1/facial/contours", headers={"Authorization": "Bearer nope"}).status_code == 401

    outside = [{"x": p["x"] + 1000, "y": p["y"]} for p in landmarks]
    cases = [
        ({"image": b64(image), "landmarks": outside}, "LANDMARKS_OUTSIDE_IMAGE"),
        ({"image": b64(b"\x89PNG broken")}, "UNDECODABLE_IMAGE"),
        ({"image": b64(image), "regions": ["ears"]}, "UNKNOWN_REGION"),
        ({}, "IMAGE_REQUIRED"),
    ]
    for body, expected in cases:
        r = client.post("/v1/facial/contours", json=body, headers=ann)
        assert r.status_code == 400 and reason(r) == expected, r.text
        assert r.json()["code"] == 3
    big = encode(np.zeros((1500, 1500), np.uint8))
    r = client.post("/v1/facial/contours:compute", json={"image": b64(big)}, headers=ann)
    assert r.status_code == 400 and reason(r) == "IMAGE_TOO_LARGE"
    r = client.post("/v1/facial/contours", json={"image_id": "0" * 36}, headers=ann)
    assert r.status_code == 404 and reason(r) == "IMAGE_NOT_FOUND"
    malformed = client.post(
        "/v1/facial/contours", content=b"{not json", headers={**ann, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400

    job_id = client.post("/v1/facial/contours", json={"image": b64(image), "landmarks": landmarks}, headers=ann)
    job_id = job_id.json()["contourJob"]["id"]
    for method, path in (
        ("GET", f"/v1/facial/contours/{job_id}"),
        ("DELETE", f"/v1/facial/contours/{job_id}"),
        ("POST", f"/v1/facial/contours/{job_id}:cancel"),
        ("GET", f"/api/v1/frontal/crop/status/{job_id}"),
    ):
        r = client.request(method, path, headers=bob, json={} if method == "POST" else None)
        assert r.status_code == 404 and reason(r) == "JOB_NOT_FOUND", (method, path, r.text)
    assert poll(client, f"/v1/facial/contours/{job_id}", ann)["status"]["state"] == "JOB_STATE_SUCCEEDED"


def test_facial_over_native_grpc(mesh, client, astronaut):
    _, landmarks = astronaut
    image = encode(data.astronaut(), ".jpg", quality=70)  # grpcurl takes the request as one argument (<128 KiB)
    tokens = register_and_login(client)
    flags = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    created = grpcurl(
        mesh,
        "imagemesh.facial.v1.FacialService/CreateContourJob",
        flags=flags,
        data=json.dumps({"image": b64(image), "landmarks": landmarks, "output_formats": ["json"]}),
    )
    assert created.returncode == 0, created.stderr
    job_id = json.loads(created.stdout)["contour_job"]["id"]
    watched = grpcurl(
        mesh, "imagemesh.facial.v1.FacialService/WatchContourJob", flags=flags, data=json.dumps({"id": job_id})
    )
    assert watched.returncode == 0, watched.stderr
    assert '"JOB_STATE_SUCCEEDED"' in watched.stdout and "polygons_json" in watched.stdout
    missing = grpcurl(
        mesh, "imagemesh.facial.v1.FacialService/GetContourJob", flags=flags, data=json.dumps({"id": "nope"})
    )
    assert missing.returncode != 0 and "NotFound" in missing.stderr and "JOB_NOT_FOUND" in missing.stderr
