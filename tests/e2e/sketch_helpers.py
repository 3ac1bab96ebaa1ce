"""Helpers of the sketch e2e tests: upload a photo, create a sketch, read the NDJSON watch stream."""

from __future__ import annotations

import io
import json
import time

import httpx
import numpy as np
from PIL import Image

from tests.e2e.conftest import auth_header


def photo_png(height: int = 96) -> tuple[bytes, tuple[int, int]]:
    return photo_bytes(height, "PNG")


def photo_bytes(height: int, fmt: str) -> tuple[bytes, tuple[int, int]]:
    from services.sketch.tests.images import photo

    pixels = photo("astronaut", height)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue(), pixels.shape[:2]


def long_job_photo() -> bytes:
    """A 9-MP JPEG (under 1 MB): PENCIL/ARTISTIC on it takes seconds even on a quiet machine, so a test can
    act while the job runs."""
    return photo_bytes(3000, "JPEG")[0]


LONG_JOB = ("PENCIL", "ARTISTIC")


def upload(client: httpx.Client, tokens: dict, data: bytes) -> dict:
    headers = {**auth_header(tokens), "Content-Type": "application/octet-stream"}  # storage reads the bytes
    r = client.post("/v1/images", content=data, headers=headers, params={"filename": "photo.png"})
    assert r.status_code == 200, r.text
    return r.json()["image"]


def create(
    client: httpx.Client, tokens: dict, image_id: str, style="PENCIL", method="BASIC", **fields
) -> httpx.Response:
    body = {"imageId": image_id, "style": style, "method": method, **fields}
    return client.post("/v1/sketches", json=body, headers=auth_header(tokens))


def watch(client: httpx.Client, tokens: dict, sketch_id: str, timeout_s: float = 120) -> list[dict]:
    """Every line of the NDJSON stream (each `{"sketch": ...}`), read as they arrive."""
    lines = []
    with client.stream(
        "GET", f"/v1/sketches/{sketch_id}:watch", headers=auth_header(tokens), timeout=timeout_s
    ) as response:
        assert response.status_code == 200, response.read()
        # Envoy labels the stream application/json; the body is NDJSON (one object per line, no array).
        for line in response.iter_lines():
            if line.strip():
                lines.append(json.loads(line)["sketch"])
    return lines


def reason(response: httpx.Response) -> str:
    body = response.json()
    return next(d["reason"] for d in body["details"] if d["@type"].endswith("ErrorInfo"))


def decoded(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return np.asarray(img)


def wait_for_state(client, tokens, sketch_id: str, states: set[str], timeout_s: float = 60) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        sketch = client.get(f"/v1/sketches/{sketch_id}", headers=auth_header(tokens)).json()["sketch"]
        if sketch["status"]["state"] in states or time.monotonic() > deadline:
            return sketch
        time.sleep(0.05)
