"""Sketch through Envoy: REST (JSON, NDJSON watch stream) and native gRPC with grpcurl."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.conftest import auth_header, grpcurl, register_and_login
from tests.e2e.sketch_helpers import (
    LONG_JOB,
    create,
    decoded,
    long_job_photo,
    photo_png,
    reason,
    upload,
    wait_for_state,
    watch,
)

pytestmark = pytest.mark.e2e


def test_styles_catalogue_is_public(client):
    r = client.get("/v1/sketch/styles")
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["styles"]) == 7 and len(body["methods"]) == 3
    pencil = body["styles"][0]
    assert pencil["style"] == "PENCIL" and [v["method"] for v in pencil["variants"]] == [
        "BASIC",
        "ADVANCED",
        "ARTISTIC",
    ]
    seed = next(p for p in pencil["variants"][0]["params"] if p["name"] == "seed")
    assert seed["type"] == "PARAM_TYPE_INT" and seed["minimum"] == 0 and seed["defaultValue"] == 0


def test_lifecycle_over_rest(client):
    tokens = register_and_login(client)
    data, (height, width) = photo_png()
    image = upload(client, tokens, data)
    r = create(client, tokens, image["id"], "charcoal", "basic", params={"seed": 5}, requestId="rest-1")
    assert r.status_code == 200, r.text
    sketch = r.json()["sketch"]
    assert sketch["status"]["state"] == "JOB_STATE_QUEUED" and sketch["style"] == "CHARCOAL"
    assert sketch["params"]["seed"] == 5
    again = create(client, tokens, image["id"], "charcoal", "basic", params={"seed": 5}, requestId="rest-1")
    assert again.status_code == 200 and again.json()["sketch"]["id"] == sketch["id"]

    lines = watch(client, tokens, sketch["id"])
    final = lines[-1]
    assert final["status"]["state"] == "JOB_STATE_SUCCEEDED" and final["status"]["progress"] == 1
    assert all(line["status"]["state"] != "JOB_STATE_SUCCEEDED" for line in lines[:-1])

    got = client.get(f"/v1/sketches/{sketch['id']}", headers=auth_header(tokens))
    assert got.status_code == 200 and got.json()["sketch"] == final
    result = client.get(f"/v1/images/{final['resultImageId']}", headers=auth_header(tokens)).json()["image"]
    assert result["kind"] == "sketch" and result["sourceImageId"] == image["id"]
    content = client.get(f"/v1/images/{final['resultImageId']}/content", headers=auth_header(tokens))
    assert content.status_code == 200 and content.headers["content-type"] == "image/png"
    assert decoded(content.content).shape[:2] == (height, width)

    listed = client.get("/v1/sketches", params={"page_size": 1}, headers=auth_header(tokens)).json()
    assert [s["id"] for s in listed["sketches"]] == [sketch["id"]] and listed["nextPageToken"] == ""
    cancel = client.post(f"/v1/sketches/{sketch['id']}:cancel", json={}, headers=auth_header(tokens))
    assert cancel.status_code == 200 and cancel.json()["sketch"]["status"]["state"] == "JOB_STATE_SUCCEEDED"
    deleted = client.delete(f"/v1/sketches/{sketch['id']}", headers=auth_header(tokens))
    assert deleted.status_code == 200 and deleted.json() == {}
    gone = client.get(f"/v1/sketches/{sketch['id']}", headers=auth_header(tokens))
    assert gone.status_code == 404 and reason(gone) == "SKETCH_NOT_FOUND"


@pytest.mark.parametrize(
    ("fields", "status", "expected", "field"),
    [
        ({"style": "CRAYON"}, 400, "UNKNOWN_STYLE", "style"),
        ({"method": "QUICK"}, 400, "UNKNOWN_METHOD", "method"),
        ({"params": {"seed": 2.5}}, 400, "PARAMETER_WRONG_TYPE", "params.seed"),
        ({"params": {"seed": -3}}, 400, "PARAMETER_OUT_OF_RANGE", "params.seed"),
        ({"params": {"sharpness": 1}}, 400, "UNKNOWN_PARAMETER", "params.sharpness"),
        ({"imageId": ""}, 400, "IMAGE_ID_REQUIRED", "image_id"),
        ({"imageId": "0" * 36}, 404, "IMAGE_NOT_FOUND", None),
    ],
)
def test_bad_requests_over_rest(client, fields, status, expected, field):
    tokens = register_and_login(client)
    image = upload(client, tokens, photo_png(32)[0])
    r = client.post(
        "/v1/sketches",
        json={"imageId": image["id"], "style": "PENCIL", "method": "BASIC", **fields},
        headers=auth_header(tokens),
    )
    assert r.status_code == status, r.text
    body = r.json()
    assert reason(r) == expected and body["message"]
    if field:
        bad = next(d for d in body["details"] if d["@type"].endswith("BadRequest"))
        assert [v["field"] for v in bad["fieldViolations"]] == [field]
    assert client.get("/v1/sketches", headers=auth_header(tokens)).json()["sketches"] == []


def test_malformed_bodies_tokens_and_isolation(client, mesh):
    owner, stranger = register_and_login(client), register_and_login(client)
    image = upload(client, owner, photo_png(32)[0])
    r = client.post(
        "/v1/sketches", content=b"{not json", headers={**auth_header(owner), "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    r = client.post(
        "/v1/sketches",
        json={"imageId": image["id"], "style": "INK", "method": "BASIC", "params": {"seed": "x"}},
        headers=auth_header(owner),
    )
    assert r.status_code == 400
    assert create(client, {"accessToken": "garbage"}, image["id"]).status_code == 401
    anonymous = httpx.post(f"{mesh.base_url}/v1/sketches", json={"imageId": image["id"]})  # no cookie either
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 16
    foreign = create(client, stranger, image["id"])
    assert foreign.status_code == 404 and reason(foreign) == "IMAGE_NOT_FOUND"

    sketch = create(client, owner, image["id"]).json()["sketch"]
    for method, path in (
        ("GET", ""),
        ("DELETE", ""),
        ("POST", ":cancel"),
        ("GET", ":watch"),
    ):
        r = client.request(
            method,
            f"/v1/sketches/{sketch['id']}{path}",
            headers=auth_header(stranger),
            json={} if method == "POST" else None,
        )
        assert r.status_code == 404, (method, path, r.text)
        assert "SKETCH_NOT_FOUND" in r.text
    assert watch(client, owner, sketch["id"])[-1]["status"]["state"] == "JOB_STATE_SUCCEEDED"


def test_create_and_watch_with_grpcurl(mesh, client):
    tokens = register_and_login(client)
    image = upload(client, tokens, photo_png(64)[0])
    flags = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    created = grpcurl(
        mesh,
        "imagemesh.sketch.v1.SketchService/CreateSketch",
        flags=flags,
        data=json.dumps({"image_id": image["id"], "style": "ACRYLIC", "method": "BASIC", "params": {"seed": 1}}),
    )
    assert created.returncode == 0, created.stderr
    sketch_id = json.loads(created.stdout)["sketch"]["id"]
    watched = grpcurl(
        mesh, "imagemesh.sketch.v1.SketchService/WatchSketch", flags=flags, data=json.dumps({"sketch_id": sketch_id})
    )
    assert watched.returncode == 0, watched.stderr
    messages = [json.loads(p) for p in watched.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert messages[-1]["sketch"]["status"]["state"] == "JOB_STATE_SUCCEEDED"
    assert messages[-1]["sketch"]["result_image_id"]
    bad = grpcurl(
        mesh,
        "imagemesh.sketch.v1.SketchService/CreateSketch",
        flags=flags,
        data=json.dumps({"image_id": image["id"], "style": "CRAYON", "method": "BASIC"}),
    )
    assert "InvalidArgument" in bad.stderr and "UNKNOWN_STYLE" in bad.stderr
    missing = grpcurl(
        mesh, "imagemesh.sketch.v1.SketchService/GetSketch", flags=flags, data=json.dumps({"sketch_id": "0" * 36})
    )
    assert "NotFound" in missing.stderr and "SKETCH_NOT_FOUND" in missing.stderr


def test_cancel_running_and_request_id_reuse_over_rest(client):
    tokens = register_and_login(client)
    image = upload(client, tokens, long_job_photo())
    sketch = create(client, tokens, image["id"], *LONG_JOB, requestId="cancel-me").json()["sketch"]
    reused = create(client, tokens, image["id"], "OIL", "BASIC", requestId="cancel-me")
    assert reused.status_code == 400 and reason(reused) == "REQUEST_ID_REUSED"
    running = wait_for_state(client, tokens, sketch["id"], {"JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"})
    assert running["status"]["state"] == "JOB_STATE_RUNNING", running
    r = client.post(f"/v1/sketches/{sketch['id']}:cancel", json={}, headers=auth_header(tokens))
    assert r.status_code == 200 and r.json()["sketch"]["status"]["cancelRequested"] is True
    final = watch(client, tokens, sketch["id"])[-1]
    assert final["status"]["state"] == "JOB_STATE_CANCELLED" and final["resultImageId"] == ""
