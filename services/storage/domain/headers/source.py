"""Random-access byte sources for header readers: an in-memory buffer or a seekable binary file.

Header readers only ever ask for a few small ranges, so a 25 MB file on disk is never read whole.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from ..errors import corrupt_image


class ByteSource(Protocol):
    def read_at(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes starting at `offset` (fewer at the end of the data)."""
        ...


class BytesSource:
    """A ByteSource over bytes, bytearray or memoryview (no copy until a range is read)."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data)

    def read_at(self, offset: int, size: int) -> bytes:
        if offset < 0 or size < 0:
            return b""
        return bytes(self._view[offset : offset + size])


class FileSource:
    """A ByteSource over a seekable binary file object (it is not closed here)."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._file = fileobj

    def read_at(self, offset: int, size: int) -> bytes:
        if offset < 0 or size < 0:
            return b""
        self._file.seek(offset)
        return self._file.read(size)


def read_exact(src: ByteSource, offset: int, size: int) -> bytes:
    """Exactly `size` bytes at `offset`, or CORRUPT_IMAGE when the header is cut short."""
    data = src.read_at(offset, size)
    if len(data) != size:
        raise corrupt_image("the image header is truncated")
    return data
