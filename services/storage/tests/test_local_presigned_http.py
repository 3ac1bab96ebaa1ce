"""Local backend, end to end over HTTP: a minimal signed-URL handler (what the integrator's HTTP route
does) on loopback, driven by a plain HTTP client (urllib)."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from imagemesh_kit.errors import DomainError
from services.storage.adapters.blobs.keys import new_upload_id
from services.storage.adapters.blobs.local import LocalBlobStore
from services.storage.adapters.blobs.signer import UrlSigner
from services.storage.domain.inspect import inspect_file

from .conftest import SIGNING_SECRET
from .samples import sample

HTTP_STATUS = {"PERMISSION_DENIED": 403, "NOT_FOUND": 404, "RESOURCE_EXHAUSTED": 413, "INVALID_ARGUMENT": 400}


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def make_handler(store: LocalBlobStore, signer: UrlSigner) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def _fail(self, error: DomainError) -> None:
            self.send_response(HTTP_STATUS.get(error.status, 500))
            self.send_header("X-Reason", error.reason)
            self.end_headers()

        def do_PUT(self) -> None:
            parts = urlsplit(self.path)
            try:
                signer.verify("PUT", parts.path, dict(parse_qsl(parts.query)))
                upload_id = parts.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers["Content-Length"]))
                asyncio.run(store.receive_upload(upload_id, [body], max_bytes=1_000_000))
            except DomainError as error:
                self._fail(error)
                return
            self.send_response(200)
            self.end_headers()

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            try:
                params = signer.verify("GET", parts.path, dict(parse_qsl(parts.query)))
                body = asyncio.run(store.read_bytes(parts.path.rsplit("/", 1)[-1]))
            except DomainError as error:
                self._fail(error)
                return
            self.send_response(200)
            self.send_header("Content-Type", params.get("content_type", "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LocalBlobStore, Clock]]:
    clock = Clock()
    signer = UrlSigner(SIGNING_SECRET, clock=clock)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(LocalBlobStore(tmp_path), signer))
    host, port = server.server_address[:2]
    store = LocalBlobStore(tmp_path, signer=signer, public_base_url=f"http://{host}:{port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store, clock
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def send(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_presigned_put_confirm_and_signed_get(served: tuple[LocalBlobStore, Clock]) -> None:
    store, _clock = served
    jpeg = sample("JPEG")
    upload_id = new_upload_id()
    upload = asyncio.run(store.presign_upload(upload_id, 300, content_type="image/jpeg"))
    send("PUT", upload.url, jpeg, upload.headers)

    async def confirm() -> str:
        staged = await store.stage_upload(upload_id, max_bytes=len(jpeg))
        try:
            async with store.open_staged(staged) as handle:
                assert inspect_file(handle).format.content_type == "image/jpeg"
            return (await store.commit(staged)).sha256
        finally:
            await store.discard(staged)

    sha = asyncio.run(confirm())
    download = asyncio.run(store.presign_get(sha, 60, content_type="image/jpeg"))
    assert send("GET", download.url) == jpeg


def test_expired_and_tampered_urls_are_refused(served: tuple[LocalBlobStore, Clock]) -> None:
    store, clock = served
    upload = asyncio.run(store.presign_upload(new_upload_id(), 30))
    with pytest.raises(urllib.error.HTTPError) as tampered:
        send("PUT", upload.url.replace("expires=", "expires=9"), b"bytes")
    assert (tampered.value.code, tampered.value.headers["X-Reason"]) == (403, "SIGNED_URL_INVALID")
    clock.now += 31
    with pytest.raises(urllib.error.HTTPError) as expired:
        send("PUT", upload.url, b"bytes")
    assert (expired.value.code, expired.value.headers["X-Reason"]) == (403, "SIGNED_URL_EXPIRED")


def test_oversized_put_is_refused_while_streaming(served: tuple[LocalBlobStore, Clock]) -> None:
    store, _clock = served
    upload_id = new_upload_id()
    upload = asyncio.run(store.presign_upload(upload_id, 30))
    with pytest.raises(urllib.error.HTTPError) as caught:
        send("PUT", upload.url, b"x" * 1_000_001)
    assert (caught.value.code, caught.value.headers["X-Reason"]) == (413, "IMAGE_TOO_LARGE")
    assert list((store.root / "uploads").iterdir()) == [] and list((store.root / "tmp").iterdir()) == []
