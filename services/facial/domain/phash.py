"""64-bit DCT perceptual hash (pHash) and Hamming distance.

Normalisation: grayscale -> 32x32 area resize -> 2-D DCT -> the 8x8 lowest frequencies ->
one bit per coefficient: above the median of the 63 non-DC coefficients. Robust to
re-encoding, small resizes and mild colour shifts; not to crops, flips or rotations.
"""

from __future__ import annotations

import cv2
import numpy as np

from .image_io import to_gray

HASH_BITS = 64


def phash(image: np.ndarray) -> int:
    """The 64-bit pHash of an image (gray, RGB or RGBA uint8) as an unsigned int."""
    gray = to_gray(image)
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].flatten()
    median = float(np.median(low[1:]))
    bits = low > median
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def hamming(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()


def bands(value: int, count: int = 8) -> tuple[int, ...]:
    """Split a 64-bit hash into `count` equal bands (most significant first).

    Two hashes within Hamming distance < count share at least one band exactly (pigeonhole),
    so an index on (band number, band value) finds every candidate; see cache.py.
    """
    width = HASH_BITS // count
    mask = (1 << width) - 1
    return tuple((value >> (HASH_BITS - width * (i + 1))) & mask for i in range(count))
