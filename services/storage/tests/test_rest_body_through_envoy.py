"""REST bodies through the real Envoy reach CreateImage / PutUploadContent as a stream of pieces, never as one
message, and an oversized body is refused while it streams, with our JSON error and nothing left behind.

The storage service runs in-process (local backend) with its servicer's two methods wrapped to record what
arrives; Envoy is the mesh's own config for the storage service, minus jwt_authn (there is no JWKS endpoint
here; the service verifies the token itself anyway).
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from imagemesh_kit.mesh.envoy import EnvoyOptions, render
from imagemesh_kit.mesh.launcher import envoy_binary, free_port
from imagemesh_kit.mesh.registry import load_registry
from imagemesh_kit.server import start_app
from services.storage.main import build

from .conftest import litter
from .harness import MIB, User, png_of_size, settings_for

pytestmark = pytest.mark.integration


class Recorder:
    """Wraps a client-streaming servicer method: per call, the fields set in each message and its data size."""

    def __init__(self, method) -> None:
        self.method = method
        self.calls: list[list[tuple[set[str], str, int]]] = []

    async def __call__(self, request_iterator, context):
        seen: list[tuple[set[str], str, int]] = []
        self.calls.append(seen)

        async def recorded():
            async for msg in request_iterator:
                fields = {f.name for f, _ in msg.ListFields()} - {"content"}
                seen.append((fields, msg.content.content_type, len(msg.content.data)))
                yield msg

        return await self.method(recorded(), context)


def start_envoy(workdir: Path, storage_port: int) -> tuple[subprocess.Popen, str]:
    registry = load_registry()
    entries = [e for e in registry.services if e.name in ("gateway", "storage")]
    upstream = [("127.0.0.1", storage_port)]  # the gateway cluster must exist; nothing here goes to it
    opts = EnvoyOptions(
        listen_port=free_port(),
        admin_port=free_port(),
        upstreams={"gateway": upstream, "storage": upstream},
        descriptor_path=str(registry.descriptor_set),
        access_log_path=str(workdir / "envoy-access.log"),
    )
    config = render(registry.__class__(entries, descriptor_set=registry.descriptor_set), opts)
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    hcm["http_filters"] = [f for f in hcm["http_filters"] if f["name"] != "envoy.filters.http.jwt_authn"]
    path = workdir / "envoy.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    log = (workdir / "envoy.log").open("wb")
    argv = [envoy_binary(), "-c", str(path), "--concurrency", "1", "--use-dynamic-base-id", "--log-level", "warn"]
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT), f"http://127.0.0.1:{opts.listen_port}"


def wait_routed(base_url: str, user: User, timeout_s: float = 30.0) -> None:
    """Until Envoy listens and has found the storage cluster healthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            r = httpx.get(f"{base_url}/v1/images", headers={"Authorization": f"Bearer {user.token}"}, timeout=5)
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "Envoy did not route to storage in time"
        time.sleep(0.1)


def reason(response: httpx.Response) -> str:
    return next(d["reason"] for d in response.json()["details"] if d["@type"].endswith("ErrorInfo"))


@pytest.fixture
async def edge(database, auth_server, tmp_path):
    settings = settings_for("local", database, auth_server.target, tmp_path, None)
    app = await build(settings)
    servicer = app.servicers[0][1]
    recorders = {name: Recorder(getattr(servicer, name)) for name in ("CreateImage", "PutUploadContent")}
    for name, recorder in recorders.items():
        setattr(servicer, name, recorder)  # before start_app registers the handlers
    running = await start_app(app, settings)
    envoy, base_url = start_envoy(tmp_path, running.port)
    try:
        token = await auth_server.token(f"edge-{time.time_ns()}@example.com")
        user = User(await auth_server.user_id(token), token)
        await asyncio.to_thread(wait_routed, base_url, user)
        yield base_url, user, recorders, running
    finally:
        envoy.terminate()
        try:
            envoy.wait(10)
        except subprocess.TimeoutExpired:
            envoy.kill()
            envoy.wait()
        await running.stop(0)


async def test_a_rest_body_arrives_in_pieces_and_an_oversized_one_is_refused_while_streaming(edge):
    base_url, user, recorders, running = edge
    auth = {"Authorization": f"Bearer {user.token}"}
    data = png_of_size(6 * MIB + 123)

    def post(body: bytes, **params) -> httpx.Response:
        headers = {**auth, "Content-Type": "image/png"}
        return httpx.post(f"{base_url}/v1/images", params=params, content=body, headers=headers, timeout=60)

    r = await asyncio.to_thread(post, data, filename="big.png", description="in pieces + more", request_id="rest-1")
    assert r.status_code == 200, r.text
    image = r.json()["image"]
    assert image["sha256"] == hashlib.sha256(data).hexdigest() and image["filename"] == "big.png"
    assert image["description"] == "in pieces + more"  # form-encoded query: + is a space, %2B a plus
    [messages] = recorders["CreateImage"].calls
    assert len(messages) >= 6 and all(size <= MIB for _, _, size in messages)
    assert sum(size for _, _, size in messages) == len(data)
    assert messages[0][:2] == ({"filename", "description", "request_id"}, "image/png")
    assert all(fields == set() and content_type == "" for fields, content_type, _ in messages[1:])

    store = running.app.servicers[0][1]._images.store
    for body in (png_of_size(25 * MIB + 1), png_of_size(40 * MIB)):  # over the limit; over Envoy's 32 MiB too
        over = await asyncio.to_thread(post, body, filename="over.png")
        assert over.status_code == 429 and reason(over) == "IMAGE_TOO_LARGE", over.text
        assert over.json()["details"][0]["metadata"]["max_bytes"] == str(25 * MIB)
    assert sum(size for _, _, size in recorders["CreateImage"].calls[-1]) < 40 * MIB  # refused before the end
    assert litter(store) == []
    listed = await asyncio.to_thread(httpx.get, f"{base_url}/v1/images", headers=auth)
    assert [i["id"] for i in listed.json()["images"]] == [image["id"]]


async def test_a_signed_put_body_arrives_in_pieces(edge):
    base_url, user, recorders, running = edge
    auth = {"Authorization": f"Bearer {user.token}"}
    data = png_of_size(3 * MIB)
    start = {"filename": "put.png", "contentType": "image/png", "sizeBytes": len(data)}
    started = (await asyncio.to_thread(httpx.post, f"{base_url}/v1/uploads", json=start, headers=auth)).json()
    url = urlsplit(started["uploadUrl"])  # points at the configured public URL: send it to this Envoy instead
    target = f"{base_url}{url.path}?{url.query}"
    r = await asyncio.to_thread(httpx.put, target, content=data, headers={"Content-Type": "image/png"}, timeout=60)
    assert r.status_code == 200 and r.json() == {"sizeBytes": str(len(data))}, r.text
    [messages] = recorders["PutUploadContent"].calls
    assert len(messages) >= 3 and messages[0][0] == {"upload_id", "expires", "signature"}
    assert all(fields == set() for fields, _, _ in messages[1:])
    too_big = png_of_size(26 * MIB)
    over = await asyncio.to_thread(httpx.put, target, content=too_big, timeout=60)
    assert over.status_code == 429 and reason(over) == "IMAGE_TOO_LARGE", over.text
    assert litter(running.app.servicers[0][1]._images.store) == []
    confirm = f"{base_url}/v1/uploads/{started['uploadId']}:confirm"
    image = (await asyncio.to_thread(httpx.post, confirm, json={}, headers=auth)).json()["image"]
    assert image["sha256"] == hashlib.sha256(data).hexdigest()  # the first PUT's bytes, untouched by the refused one
