"""A minimal keep-alive HTTP/1.1 client on asyncio streams, so that the benchmark's client costs little
CPU next to the server and Envoy it measures (httpx costs several times more per request)."""

from __future__ import annotations

import asyncio


class RawHttpClient:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        head = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write((head + "\r\n").encode())
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return int(status_line.split()[1]), body

    async def close(self) -> None:
        if self.writer:
            self.writer.close()
