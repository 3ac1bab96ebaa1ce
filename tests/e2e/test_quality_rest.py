"""Quality through Envoy: REST (HTTP codes + JSON bodies) and native gRPC with grpcurl."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from services.quality.tests.harness import decode_png, png
from services.quality.tests.images import add_noise, photo
from tests.e2e.conftest import auth_header, grpcurl, register_and_login

pytestmark = pytest.mark.e2e

ASPECTS = {"sharpness", "noise", "contrast", "exposure", "colorfulness", "compression", "brisque", "niqe"}


def reason(response) -> str:
    return next(d["reason"] for d in response.json()["details"] if d["@type"].endswith("ErrorInfo"))


def upload(client, tokens, pixels: np.ndarray, filename: str = "in.png") -> str:
    headers = {**auth_header(tokens), "Content-Type": "image/png"}
    r = client.post("/v1/images", content=png(pixels), headers=headers, params={"filename": filename})
    assert r.status_code == 200, r.text
    return r.json()["image"]["id"]


def crop(name: str, size: int) -> np.ndarray:
    return np.ascontiguousarray(photo(name)[:size, :size])


def test_assess_enhance_compare_get_list_over_rest(client):
    tokens = register_and_login(client)
    h = auth_header(tokens)
    clean = crop("astronaut", 160)
    ref = upload(client, tokens, clean)
    cand = upload(client, tokens, add_noise(clean, 15.0))

    r = client.post(f"/v1/images/{ref}:assess", json={}, headers=h)
    assert r.status_code == 200, r.text
    report = r.json()["report"]
    assert report["width"] == 160 and {a["name"] for a in report["aspects"]} == ASPECTS
    assert all(a["reason"] for a in report["aspects"]) and "noiseSigma" in report and "brisque" in report

    r = client.post(f"/v1/images/{cand}:enhance", json={"level": 1, "aspects": ["noise"]}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["image"]["kind"] == "enhanced" and body["image"]["sourceImageId"] == cand
    assert body["after"]["noiseSigma"] < body["before"]["noiseSigma"]
    content = client.get(f"/v1/images/{body['image']['id']}/content", headers=h)
    assert content.status_code == 200 and decode_png(content.content).shape == clean.shape

    r = client.post(
        "/v1/comparisons",
        json={"image1Id": ref, "image2Id": cand, "enhancementLevel": 0.8, "requestId": "rest-1"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    comparison = r.json()["comparison"]
    assert comparison["resized"] is False and 0 < comparison["ssim"] < 1 and comparison["psnr"] > 10
    assert comparison["enhancedImageId"] and comparison["enhancementsApplied"]
    assert comparison["createdAt"].endswith("Z") and comparison["processingTimeMs"] > 0
    got = client.get(f"/v1/comparisons/{comparison['id']}", headers=h)
    assert got.status_code == 200 and got.json()["comparison"] == comparison
    listed = client.get("/v1/comparisons", params={"page_size": 1}, headers=h).json()
    assert [c["id"] for c in listed["comparisons"]] == [comparison["id"]] and listed["nextPageToken"] == ""


def test_identical_images_give_infinite_psnr_in_json(client):
    tokens = register_and_login(client)
    a = upload(client, tokens, crop("camera", 64))
    r = client.post("/v1/comparisons", json={"image1_id": a, "image2_id": a}, headers=auth_header(tokens))
    assert r.status_code == 200, r.text
    assert r.json()["comparison"]["psnr"] == "Infinity" and math.isinf(float(r.json()["comparison"]["psnr"]))


def test_sizes_gray_and_16_bit_inputs_over_rest(client):
    tokens = register_and_login(client)
    h = auth_header(tokens)
    gray16 = upload(client, tokens, crop("camera", 128).astype(np.uint16) * 257)
    small = upload(client, tokens, cv2.resize(crop("camera", 128), (100, 60)))
    r = client.post("/v1/comparisons", json={"image1Id": gray16, "image2Id": small}, headers=h)
    assert r.status_code == 200, r.text
    c = r.json()["comparison"]
    assert c["resized"] is True and "100x60" in c["sizeNote"]
    assert c["report1"]["colorfulness"] == 0


@pytest.mark.parametrize(
    ("path", "body", "status", "expected"),
    [
        ("/v1/images/{own}:enhance", {"level": 1.5}, 400, "LEVEL_OUT_OF_RANGE"),
        ("/v1/images/{own}:enhance", {"level": -1}, 400, "LEVEL_OUT_OF_RANGE"),
        ("/v1/images/{own}:enhance", {"level": 0.5, "aspects": ["glow"]}, 400, "UNKNOWN_ASPECT"),
        ("/v1/comparisons", {"image1Id": "{own}", "image2Id": "{own}", "enhancementLevel": 2}, 400,
         "LEVEL_OUT_OF_RANGE"),
        ("/v1/comparisons", {"image2Id": "{own}"}, 400, "IMAGE1_ID_REQUIRED"),
        ("/v1/images/{other}:assess", {}, 404, "IMAGE_NOT_FOUND"),
        ("/v1/images/{other}:enhance", {"level": 0.5}, 404, "IMAGE_NOT_FOUND"),
        ("/v1/comparisons", {"image1Id": "{own}", "image2Id": "{other}"}, 404, "IMAGE_NOT_FOUND"),
        ("/v1/images/nope:assess", {}, 404, "IMAGE_NOT_FOUND"),
    ],
)  # fmt: skip
def test_bad_input_over_rest(client, path, body, status, expected):
    alice, bob = register_and_login(client), register_and_login(client)
    ids = {"own": upload(client, alice, crop("camera", 32)), "other": upload(client, bob, crop("camera", 32))}
    body = json.loads(json.dumps(body).replace("{own}", ids["own"]).replace("{other}", ids["other"]))
    r = client.post(path.format(**ids), json=body, headers=auth_header(alice))
    assert r.status_code == status, r.text
    assert reason(r) == expected
    assert r.json()["details"][0]["domain"] == "quality.imagemesh"
    assert client.get("/v1/comparisons", headers=auth_header(alice)).json()["comparisons"] == []


def test_foreign_comparison_bad_page_token_malformed_json_and_tokens(client):
    alice, bob = register_and_login(client), register_and_login(client)
    image = upload(client, bob, crop("camera", 32))
    made = client.post("/v1/comparisons", json={"image1Id": image, "image2Id": image}, headers=auth_header(bob))
    theirs = made.json()["comparison"]["id"]
    r = client.get(f"/v1/comparisons/{theirs}", headers=auth_header(alice))
    assert r.status_code == 404 and reason(r) == "COMPARISON_NOT_FOUND"
    r = client.get("/v1/comparisons", params={"page_token": "zz"}, headers=auth_header(alice))
    assert r.status_code == 400 and reason(r) == "INVALID_PAGE_TOKEN"
    r = client.post(
        "/v1/comparisons", content=b"{not json", headers={**auth_header(alice), "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    client.cookies.clear()  # login set the access_token cookie, which also authenticates
    r = client.post(f"/v1/images/{image}:assess", json={})
    assert r.status_code == 401 and r.json()["code"] == 16
    r = client.get("/v1/comparisons", headers={"Authorization": "Bearer not.a.jwt"})
    assert r.status_code == 401


def test_grpcurl_assess_compare_and_errors(mesh, client):
    tokens = register_and_login(client)
    image = upload(client, tokens, crop("astronaut", 64))
    flags = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    out = grpcurl(mesh, "imagemesh.quality.v1.QualityService/AssessImage", flags=flags,
                  data=json.dumps({"image_id": image}))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["report"]["width"] == 64
    out = grpcurl(mesh, "imagemesh.quality.v1.QualityService/CreateComparison", flags=flags,
                  data=json.dumps({"image1_id": image, "image2_id": image, "enhancement_level": 0.3}))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["comparison"]["image1_id"] == image
    bad = grpcurl(mesh, "imagemesh.quality.v1.QualityService/EnhanceImage", flags=flags,
                  data=json.dumps({"image_id": image, "level": 7}))  # fmt: skip
    assert "InvalidArgument" in bad.stderr and "LEVEL_OUT_OF_RANGE" in bad.stderr
    missing = grpcurl(mesh, "imagemesh.quality.v1.QualityService/GetComparison", flags=flags,
                      data=json.dumps({"comparison_id": "0" * 32}))  # fmt: skip
    assert "NotFound" in missing.stderr and "COMPARISON_NOT_FOUND" in missing.stderr
    described = grpcurl(mesh, "describe", "imagemesh.quality.v1.QualityService")
    assert described.returncode == 0 and "CreateComparison" in described.stdout
