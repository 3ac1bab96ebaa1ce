"""The depthframe service through Envoy: REST (httpx) and native gRPC (grpcurl), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from services.depthframe.domain import ColorScale, apply_colormap, decode_png_rgb, parse_depth_csv, resolve_colormap
from services.depthframe.sample_data.depth_log import make_depth_csv
from services.depthframe.tests.csv_samples import area_resize_reference, csv_bytes
from tests.e2e.conftest import auth_header, grpcurl, register_and_login

pytestmark = pytest.mark.e2e

SAMPLE = make_depth_csv(rows=501, width=200, seed=11)  # 500 rows (9000.1 .. 9050.0) + the empty last row
PARSED = parse_depth_csv(SAMPLE)
RESIZED = area_resize_reference(PARSED.pixels, 150)
SCALE = ColorScale(int(RESIZED.min()), int(RESIZED.max()))
CSV = {"Content-Type": "text/csv"}


def reason(response) -> str:
    return next(d["reason"] for d in response.json()["details"] if d["@type"].endswith("ErrorInfo"))


def upload(client, headers, csv: bytes = SAMPLE, **params):
    return client.post("/v1/depth-datasets", params={"name": "well", **params}, content=csv, headers={**headers, **CSV})


@pytest.fixture
def user(client):
    return auth_header(register_and_login(client))


def test_upload_query_image_delete(client, user):
    r = upload(client, user)
    assert r.status_code == 200, r.text
    ds = r.json()["dataset"]
    assert (ds["rows"], ds["sourceWidth"], ds["width"], ds["skippedCount"]) == (500, 200, 150, 1)
    assert ds["skippedRows"] == [{"line": 502, "reason": "all values empty or NaN"}]
    assert (ds["depthMin"], ds["depthMax"]) == (9000.1, 9050.0) and ds["createdAt"].endswith("Z")
    assert client.get(f"/v1/depth-datasets/{ds['id']}", headers=user).json()["dataset"] == ds
    listed = client.get("/v1/depth-datasets", params={"page_size": 10}, headers=user).json()
    assert [d["id"] for d in listed["datasets"]] == [ds["id"]] and listed["nextPageToken"] == ""

    # Frames: one PNG per depth (base64 in JSON), inclusive bounds, the dataset's fixed scale.
    query = {"depth_min": 9010.0, "depth_max": 9012.0, "dataset_id": ds["id"], "colormap": "magma"}
    frames = client.get("/v1/frames", params=query, headers=user).json()
    assert frames["datasetId"] == ds["id"] and len(frames["frames"]) == 21
    magma = resolve_colormap("magma")
    for frame, depth, row in zip(frames["frames"], PARSED.depths[99:120], RESIZED[99:120], strict=True):
        assert frame["depth"] == depth and (frame["width"], frame["height"]) == (150, 1)
        assert np.array_equal(decode_png_rgb(base64.b64decode(frame["png"]))[0], apply_colormap(row, magma, SCALE))
    # The original API's path answers the same; without dataset_id, the newest dataset.
    legacy = client.get("/frames", params={k: v for k, v in query.items() if k != "dataset_id"}, headers=user)
    assert legacy.status_code == 200 and legacy.json() == frames

    image = client.get("/v1/frames:image", params={"dataset_id": ds["id"]}, headers=user)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert np.array_equal(decode_png_rgb(image.content), apply_colormap(RESIZED, resolve_colormap(None), SCALE))

    assert client.delete(f"/v1/depth-datasets/{ds['id']}", headers=user).status_code == 200
    gone = client.get(f"/v1/depth-datasets/{ds['id']}", headers=user)
    assert gone.status_code == 404 and reason(gone) == "DATASET_NOT_FOUND"


def test_empty_and_reversed_ranges(client, user):
    ds = upload(client, user).json()["dataset"]
    empty = client.get("/v1/frames", params={"dataset_id": ds["id"], "depth_min": 1, "depth_max": 2}, headers=user)
    assert empty.status_code == 200 and empty.json()["frames"] == []
    strip = client.get(
        "/v1/frames:image", params={"dataset_id": ds["id"], "depth_min": 1, "depth_max": 2}, headers=user
    )
    assert strip.status_code == 400 and reason(strip) == "EMPTY_DEPTH_RANGE"
    reversed_ = client.get("/v1/frames", params={"depth_min": 9002, "depth_max": 9001}, headers=user)
    assert reversed_.status_code == 400 and reason(reversed_) == "DEPTH_RANGE_REVERSED"
    body = reversed_.json()
    assert body["code"] == 3 and body["details"][1]["fieldViolations"][0]["field"] == "depth_min"
    malformed = client.get("/v1/frames", params={"depth_min": "deep"}, headers=user)
    assert malformed.status_code == 400 and reason(malformed) == "INVALID_REQUEST"
    unknown = client.get("/v1/frames:image", params={"colormap": "sparkles"}, headers=user)
    assert unknown.status_code == 400 and reason(unknown) == "UNKNOWN_COLORMAP"
    assert "viridis" in unknown.json()["message"]


@pytest.mark.parametrize(
    ("csv", "why", "where"),
    [
        (csv_bytes(["1,1,2,3", "2,1,oops,3"]), "NOT_A_NUMBER", "line 3, column 3"),
        (csv_bytes(["1,1,2,3", "2,1,2"]), "WRONG_COLUMN_COUNT", "line 3"),
        (csv_bytes(["1,1,2,3", "1,4,5,6"]), "DUPLICATE_DEPTH", "line 3"),
        (csv_bytes(["1,1,2,300"]), "PIXEL_OUT_OF_RANGE", "line 2, column 4"),
    ],
)
def test_bad_csv_is_400_naming_the_line_and_stores_nothing(client, user, csv, why, where):
    r = upload(client, user, csv, width=2)
    assert r.status_code == 400 and reason(r) == why and where in r.json()["message"]
    assert client.get("/v1/depth-datasets", headers=user).json()["datasets"] == []


def test_request_problems(client, user):
    no_name = client.post("/v1/depth-datasets", content=SAMPLE, headers={**user, **CSV})
    assert no_name.status_code == 400 and reason(no_name) == "NAME_REQUIRED"
    form = client.post(
        "/v1/depth-datasets",
        params={"name": "x"},
        content=SAMPLE,
        headers={**user, "Content-Type": "application/x-www-form-urlencoded"},
    )  # curl -d
    assert form.status_code == 400 and reason(form) == "UNSUPPORTED_CONTENT_TYPE"
    json_body = client.post(
        "/v1/depth-datasets", params={"name": "x"}, content=b"{}", headers={**user, "Content-Type": "application/json"}
    )
    assert json_body.status_code == 400 and reason(json_body) == "UNSUPPORTED_CONTENT_TYPE"
    too_big = client.post(
        "/v1/depth-datasets", params={"name": "x"}, content=b"0" * (33 * 1024 * 1024), headers={**user, **CSV}
    )
    assert too_big.status_code == 413 and reason(too_big) == "PAYLOAD_TOO_LARGE"
    client.cookies.clear()  # login set the access_token cookie
    anonymous = client.get("/v1/depth-datasets")
    assert anonymous.status_code == 401 and reason(anonymous) == "UNAUTHENTICATED"
    forged = client.get("/v1/frames", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    token = client.get("/v1/depth-datasets", params={"page_token": "%%%"}, headers=user)
    assert token.status_code == 400 and reason(token) == "INVALID_PAGE_TOKEN"
    none_yet = client.get("/v1/frames", headers=auth_header(register_and_login(client)))
    assert none_yet.status_code == 404 and reason(none_yet) == "NO_DATASET"


def test_other_users_dataset_is_404(client, user):
    ds = upload(client, user).json()["dataset"]
    other = auth_header(register_and_login(client))
    upload(client, other, csv_bytes(["1,1,2,3"]), width=3)
    for r in (
        client.get(f"/v1/depth-datasets/{ds['id']}", headers=other),
        client.delete(f"/v1/depth-datasets/{ds['id']}", headers=other),
        client.get("/v1/frames", params={"dataset_id": ds["id"]}, headers=other),
        client.get("/frames", params={"dataset_id": ds["id"]}, headers=other),
        client.get("/v1/frames:image", params={"dataset_id": ds["id"]}, headers=other),
    ):
        assert r.status_code == 404 and reason(r) == "DATASET_NOT_FOUND"
        assert r.json()["message"] == "no such dataset"
    assert client.get(f"/v1/depth-datasets/{ds['id']}", headers=user).status_code == 200


def test_custom_colormap_over_rest(client, user):
    stops = [{"position": 0, "color": "#102030"}, {"position": 1, "color": "#F0E0D0"}]
    made = client.post("/v1/colormaps", json={"name": "dusk", "stops": stops}, headers=user)
    assert made.status_code == 200 and made.json()["colormap"]["stops"][1]["color"] == "#f0e0d0"
    again = client.post("/v1/colormaps", json={"name": "dusk", "stops": stops}, headers=user)
    assert again.status_code == 409 and reason(again) == "COLORMAP_EXISTS"
    bad = client.post("/v1/colormaps", json={"name": "dusk2", "stops": stops[:1]}, headers=user)
    assert bad.status_code == 400 and reason(bad) == "INVALID_COLOR_STOPS"
    listed = client.get("/v1/colormaps", params={"page_size": 200}, headers=user).json()
    names = [c["name"] for c in listed["colormaps"]]
    assert names[0] == "imagemesh-depth" and names[-1] == "dusk"
    ds = upload(client, user).json()["dataset"]
    image = client.get(
        "/v1/frames:image", params={"dataset_id": ds["id"], "colormap": "dusk", "row_height": 2}, headers=user
    )
    assert image.status_code == 200 and decode_png_rgb(image.content).shape == (1000, 150, 3)


def test_streamed_upload_over_rest_json_array(client, user):
    half = len(SAMPLE) // 2
    body = [
        {"name": "streamed", "width": 100, "chunk": base64.b64encode(SAMPLE[:half]).decode()},
        {"chunk": base64.b64encode(SAMPLE[half:]).decode()},
    ]
    r = client.post("/v1/depth-datasets:upload", json=body, headers=user)
    assert r.status_code == 200, r.text
    assert (r.json()["dataset"]["rows"], r.json()["dataset"]["width"]) == (500, 100)


def test_native_grpc_through_envoy(mesh, client):
    tokens = register_and_login(client)
    bearer = ("-H", f"authorization: Bearer {tokens['accessToken']}")
    small = make_depth_csv(rows=21, width=200, seed=2)
    messages = "\n".join(
        json.dumps({"name": "grpc", "chunk": base64.b64encode(part).decode()}) for part in (small[:1000], small[1000:])
    )
    up = grpcurl(mesh, "imagemesh.depthframe.v1.DepthFrameService/UploadDepthDataset", flags=bearer, data=messages)
    assert up.returncode == 0, up.stderr
    dataset = json.loads(up.stdout)["dataset"]
    assert dataset["rows"] == 20 and dataset["source_width"] == 200
    frames = grpcurl(
        mesh,
        "imagemesh.depthframe.v1.DepthFrameService/QueryFrames",
        flags=bearer,
        data=json.dumps({"depth_min": 9000.5, "depth_max": 9001.0}),
    )
    assert frames.returncode == 0, frames.stderr
    assert [f["depth"] for f in json.loads(frames.stdout)["frames"]] == [9000.5, 9000.6, 9000.7, 9000.8, 9000.9, 9001]
    missing = grpcurl(
        mesh,
        "imagemesh.depthframe.v1.DepthFrameService/GetDepthDataset",
        flags=bearer,
        data=json.dumps({"id": "00000000-0000-0000-0000-000000000000"}),
    )
    assert missing.returncode != 0 and "NotFound" in missing.stderr and "DATASET_NOT_FOUND" in missing.stderr
    anon = grpcurl(mesh, "imagemesh.depthframe.v1.DepthFrameService/ListColormaps")
    assert "Unauthenticated" in anon.stderr
