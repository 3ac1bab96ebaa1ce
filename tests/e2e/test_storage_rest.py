"""Storage through Envoy: REST (raw bodies, HttpBody responses, signed URLs with a plain HTTP client) and grpcurl."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from PIL import Image

from services.storage.adapters.blobs.signer import UrlSigner
from tests.e2e.conftest import STORAGE_URL_SECRET, auth_header, grpcurl, register_and_login

pytestmark = pytest.mark.e2e


def png(width: int = 40, height: int = 30, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def reason(response: httpx.Response) -> str:
    body = response.json()
    return next(d["reason"] for d in body["details"] if d["@type"].endswith("ErrorInfo"))


def post_image(client, tokens, data: bytes, content_type: str = "image/jpeg", **params) -> httpx.Response:
    headers = {**auth_header(tokens), "Content-Type": content_type}
    return client.post("/v1/images", content=data, headers=headers, params=params)


def test_upload_read_thumbnail_list_delete(client):
    tokens = register_and_login(client)
    data = png()
    r = post_image(client, tokens, data, filename="../../etc/Red Square.png", description="red")
    assert r.status_code == 200, r.text
    image = r.json()["image"]
    assert image["contentType"] == "image/png"  # from the bytes, not from the lying header
    assert (image["width"], image["height"], image["sizeBytes"]) == (40, 30, str(len(data)))
    assert image["sha256"] == hashlib.sha256(data).hexdigest() and "/" not in image["filename"]
    assert image["kind"] == "original" and image["description"] == "red"

    got = client.get(f"/v1/images/{image['id']}", headers=auth_header(tokens))
    assert got.status_code == 200 and got.json()["image"] == image
    content = client.get(f"/v1/images/{image['id']}/content", headers=auth_header(tokens))
    assert content.status_code == 200 and content.content == data
    assert content.headers["content-type"] == "image/png"
    thumb = client.get(f"/v1/images/{image['id']}/thumbnail", params={"size": 16}, headers=auth_header(tokens))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (16, 12)

    listed = client.get("/v1/images", params={"page_size": 10}, headers=auth_header(tokens)).json()
    assert [i["id"] for i in listed["images"]] == [image["id"]] and listed["nextPageToken"] == ""

    gone = client.delete(f"/v1/images/{image['id']}", headers=auth_header(tokens))
    assert gone.status_code == 200
    again = client.get(f"/v1/images/{image['id']}", headers=auth_header(tokens))
    assert again.status_code == 404 and reason(again) == "IMAGE_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (b"", 400, "EMPTY_BODY"),
        (b"just some text, not an image", 400, "UNSUPPORTED_MEDIA_TYPE"),
        (png()[:-20], 400, "CORRUPT_IMAGE"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 400, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(client, body, status, expected):
    tokens = register_and_login(client)
    r = post_image(client, tokens, body)
    assert r.status_code == status and reason(r) == expected, r.text
    assert client.get("/v1/images", headers=auth_header(tokens)).json()["images"] == []


def test_pixel_bomb_and_bad_fields(client):
    from services.storage.tests.samples import png_header_only

    tokens = register_and_login(client)
    bomb = post_image(client, tokens, png_header_only(20_000, 20_000))
    assert bomb.status_code == 429 and reason(bomb) == "TOO_MANY_PIXELS"
    bad_kind = post_image(client, tokens, png(), kind="Not A Kind")
    assert bad_kind.status_code == 400 and reason(bad_kind) == "INVALID_KIND"
    assert bad_kind.json()["details"][1]["fieldViolations"][0]["field"] == "kind"
    bad_size = client.get("/v1/images/x/thumbnail", params={"size": 5000}, headers=auth_header(tokens))
    assert bad_size.status_code == 400 and reason(bad_size) == "INVALID_THUMBNAIL_SIZE"
    bad_page = client.get("/v1/images", params={"page_token": "garbage"}, headers=auth_header(tokens))
    assert bad_page.status_code == 400 and reason(bad_page) == "INVALID_PAGE_TOKEN"


def test_tokens_and_isolation(client):
    alice, bob = register_and_login(client), register_and_login(client)
    image = post_image(client, alice, png()).json()["image"]
    client.cookies.clear()  # login set bob's cookie
    assert client.get(f"/v1/images/{image['id']}").status_code == 401
    assert client.get("/v1/images", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
    for path in ("", "/content", "/thumbnail", "/download-url"):
        r = client.get(f"/v1/images/{image['id']}{path}", headers=auth_header(bob))
        assert r.status_code == 404 and reason(r) == "IMAGE_NOT_FOUND", path
    r = client.delete(f"/v1/images/{image['id']}", headers=auth_header(bob))
    assert r.status_code == 404
    derived = post_image(client, bob, png(), source_image_id=image["id"], kind="sketch")
    assert derived.status_code == 404 and reason(derived) == "SOURCE_IMAGE_NOT_FOUND"
    others = client.get("/v1/images", params={"owner_id": alice["user"]["id"]}, headers=auth_header(bob))
    assert others.status_code == 403 and reason(others) == "ADMIN_REQUIRED"


def test_presigned_upload_and_download_url_with_a_plain_http_client(client, mesh):
    tokens = register_and_login(client)
    data = png(64, 48)
    r = client.post(
        "/v1/uploads",
        json={"filename": "big.png", "contentType": "image/png", "sizeBytes": len(data)},
        headers=auth_header(tokens),
    )
    assert r.status_code == 200, r.text
    upload = r.json()
    assert upload["method"] == "PUT" and upload["uploadUrl"].startswith(mesh.base_url)
    early = client.post(f"/v1/uploads/{upload['uploadId']}:confirm", json={}, headers=auth_header(tokens))
    assert early.status_code == 400 and reason(early) == "UPLOAD_CONTENT_MISSING"

    tampered = upload["uploadUrl"].replace("signature=", "signature=x")
    assert httpx.put(tampered, content=data, headers=upload["headers"]).status_code == 403
    put = httpx.put(upload["uploadUrl"], content=data, headers=upload["headers"])  # no token: the URL is the key
    assert put.status_code == 200, put.text

    confirmed = client.post(f"/v1/uploads/{upload['uploadId']}:confirm", json={}, headers=auth_header(tokens))
    assert confirmed.status_code == 200, confirmed.text
    image = confirmed.json()["image"]
    assert image["sha256"] == hashlib.sha256(data).hexdigest() and image["filename"] == "big.png"
    again = client.post(f"/v1/uploads/{upload['uploadId']}:confirm", json={}, headers=auth_header(tokens))
    assert again.json()["image"]["id"] == image["id"]

    link = client.get(f"/v1/images/{image['id']}/download-url", headers=auth_header(tokens)).json()
    got = httpx.get(link["url"])
    assert got.status_code == 200 and got.content == data and got.headers["content-type"] == "image/png"
    assert 'filename="big.png"' in got.headers["content-disposition"]
    forged = httpx.get(link["url"].replace("content_type=image%2Fpng", "content_type=text%2Fhtml"))
    assert forged.status_code == 403 and reason(forged) == "SIGNED_URL_INVALID"


def test_expired_signed_urls_are_refused(client):
    tokens = register_and_login(client)
    upload = client.post(
        "/v1/uploads", json={"contentType": "image/png", "sizeBytes": 100}, headers=auth_header(tokens)
    ).json()
    path = urlsplit(upload["uploadUrl"]).path
    past = UrlSigner(STORAGE_URL_SECRET.encode(), clock=lambda: time.time() - 3600)
    query = past.sign("PUT", path, 60)
    r = httpx.put(f"{client.base_url}{path}", params=query, content=png())
    assert r.status_code == 403 and reason(r) == "SIGNED_URL_EXPIRED"
    sha = hashlib.sha256(png()).hexdigest()
    blob_query = past.sign("GET", f"/v1/blobs/{sha}", 60, {"content_type": "image/png"})
    r = httpx.get(f"{client.base_url}/v1/blobs/{sha}", params=blob_query)
    assert r.status_code == 403 and reason(r) == "SIGNED_URL_EXPIRED"
    assert dict(parse_qsl(urlsplit(upload["uploadUrl"]).query)).keys() == {"expires", "signature"}


def test_idempotent_create_through_envoy(client):
    tokens = register_and_login(client)
    first = post_image(client, tokens, png(), request_id="job-42-result").json()["image"]
    second = post_image(client, tokens, png(9, 9), request_id="job-42-result").json()["image"]
    assert second["id"] == first["id"]
    assert len(client.get("/v1/images", headers=auth_header(tokens)).json()["images"]) == 1


def test_streaming_upload_and_download_with_grpcurl(mesh, client):
    tokens = register_and_login(client)
    data = png(33, 22)
    flags = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    messages = [{"metadata": {"filename": "g.png"}}, {"chunk": base64.b64encode(data).decode()}]
    up = grpcurl(
        mesh, "imagemesh.storage.v1.StorageService/UploadImage", flags=flags, data="\n".join(map(json.dumps, messages))
    )
    assert up.returncode == 0, up.stderr
    image = json.loads(up.stdout)["image"]
    assert image["width"] == 33 and image["content_type"] == "image/png"
    down = grpcurl(
        mesh,
        "imagemesh.storage.v1.StorageService/DownloadImage",
        flags=flags,
        data=json.dumps({"image_id": image["id"]}),
    )
    assert down.returncode == 0, down.stderr
    parts = [json.loads(p) for p in down.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert parts[0]["image"]["id"] == image["id"]
    assert b"".join(base64.b64decode(p["chunk"]) for p in parts[1:]) == data
    missing = grpcurl(
        mesh, "imagemesh.storage.v1.StorageService/GetImage", flags=flags, data=json.dumps({"image_id": "0" * 36})
    )
    assert "NotFound" in missing.stderr and "IMAGE_NOT_FOUND" in missing.stderr


def test_size_limits_through_envoy(client):
    from services.storage.tests.harness import MIB, png_of_size

    tokens = register_and_login(client)
    at_limit = png_of_size(25 * MIB)
    r = post_image(client, tokens, at_limit, "image/png")
    assert r.status_code == 200, r.text
    image = r.json()["image"]
    assert image["sha256"] == hashlib.sha256(at_limit).hexdigest()
    with client.stream("GET", f"/v1/images/{image['id']}/content", headers=auth_header(tokens)) as download:
        digest = hashlib.sha256()
        for part in download.iter_bytes():
            digest.update(part)
    assert digest.hexdigest() == image["sha256"]
    over = post_image(client, tokens, at_limit + b"\0")
    assert over.status_code == 429 and reason(over) == "IMAGE_TOO_LARGE"
    # Envoy streams this body (CreateImage is client-streaming), so its 32 MiB buffer limit does not apply: the
    # service refuses it once 25 MiB have arrived, and the client still gets the JSON error, not a reset.
    huge = post_image(client, tokens, png_of_size(40 * MIB), "image/png")
    assert huge.status_code == 429 and reason(huge) == "IMAGE_TOO_LARGE", huge.text
    assert [i["id"] for i in client.get("/v1/images", headers=auth_header(tokens)).json()["images"]] == [image["id"]]
    upload = client.post(
        "/v1/uploads", json={"contentType": "image/png", "sizeBytes": 100}, headers=auth_header(tokens)
    ).json()
    put = httpx.put(upload["uploadUrl"], content=png_of_size(40 * MIB), headers=upload["headers"], timeout=60)
    assert put.status_code == 429 and reason(put) == "IMAGE_TOO_LARGE", put.text
    confirm = client.post(f"/v1/uploads/{upload['uploadId']}:confirm", json={}, headers=auth_header(tokens))
    assert confirm.status_code == 400 and reason(confirm) == "UPLOAD_CONTENT_MISSING"  # nothing was kept
