"""The Huffman-only deflate kernel (native/huffman_deflate.c) on its own: its raw deflate data - finished, or
ending in a sync flush so that the next slice's data may follow - inflates (zlib) to exactly its input, and is
never larger than stored blocks, nor noticeably larger than zlib's Huffman-only coding."""

import zlib

import numpy as np
import pytest

from imagemesh_kit import native


@pytest.fixture(scope="module")
def lib():
    loaded = native.load()
    assert loaded is not None, f"{native.LIBRARY} missing: run `make setup`"
    return loaded


def _inflate(stream: bytes) -> bytes:
    """zlib's inflate of one whole raw deflate stream (nothing missing, nothing after its end)."""
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(stream)
    assert inflater.eof and not inflater.unused_data
    return out


def _deflate(lib, data: bytes, final: bool = True) -> bytes:
    src = np.frombuffer(data, np.uint8) if data else np.zeros(1, np.uint8)
    cap = lib.huffman_deflate_bound(len(data))
    out = np.empty(cap, np.uint8)
    written = lib.huffman_deflate(src.ctypes.data, len(data), int(final), out.ctypes.data, cap)
    assert written > 0
    return out[:written].tobytes()


def _fibonacci_bytes() -> bytes:
    """Byte i repeated fib(i) times: the frequencies that make the deepest Huffman trees (25 levels here),
    beyond deflate's 15-bit limit."""
    counts = [1, 1]
    while len(counts) < 24:
        counts.append(counts[-1] + counts[-2])
    return b"".join(bytes([i]) * n for i, n in enumerate(counts))


_RNG = np.random.default_rng(7)
KERNEL_CASES = {
    "empty": b"",
    "one byte": b"a",
    "one value": bytes(200_000),
    "two values": bytes([1, 2] * 50_000),
    "random (stored blocks)": _RNG.integers(0, 256, 300_000, dtype=np.uint8).tobytes(),
    "geometric": _RNG.geometric(0.3, 400_000).clip(0, 255).astype(np.uint8).tobytes(),
    "one block exactly": _RNG.integers(0, 40, 65_535, dtype=np.uint8).tobytes(),
    "one block and a byte": _RNG.integers(0, 40, 65_536, dtype=np.uint8).tobytes(),
    "fibonacci, sorted": _fibonacci_bytes(),
    "fibonacci, shuffled": bytes(_RNG.permutation(np.frombuffer(_fibonacci_bytes(), np.uint8))),
}


@pytest.mark.parametrize("data", KERNEL_CASES.values(), ids=KERNEL_CASES.keys())
def test_kernel_output_inflates_to_its_input(lib, data):
    assert _inflate(_deflate(lib, data)) == data
    # pieces ending in a sync flush, then the last one: one stream, as the writer's slices make it
    cuts = [0, len(data) // 3, 2 * len(data) // 3, len(data)]
    pieces = [_deflate(lib, data[a:b], final=i == 2) for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))]
    assert _inflate(b"".join(pieces)) == data


@pytest.mark.parametrize("data", KERNEL_CASES.values(), ids=KERNEL_CASES.keys())
def test_kernel_output_is_no_larger_than_zlib_huffman_only_or_stored(lib, data):
    ours = len(_deflate(lib, data))
    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_HUFFMAN_ONLY)
    theirs = len(packer.compress(data) + packer.flush())
    stored = len(data) + 5 * (len(data) // 65_535 + 1)
    assert ours <= stored
    # the same coding, one code per 64 KiB block (zlib: per ~16k symbols, which only matters on data whose
    # byte statistics change within a block, like the sorted Fibonacci run)
    tolerance = 0.25 if data == KERNEL_CASES["fibonacci, sorted"] else 0.01
    assert ours <= theirs * (1 + tolerance) + 8


def test_a_buffer_below_the_bound_is_refused(lib):
    data = np.zeros(1000, np.uint8)
    out = np.empty(lib.huffman_deflate_bound(1000) - 1, np.uint8)
    assert lib.huffman_deflate(data.ctypes.data, 1000, 1, out.ctypes.data, out.size) == 0
