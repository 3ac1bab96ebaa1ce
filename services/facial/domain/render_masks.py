"""PNG mask output: one 1-bit PNG per region (white inside, black outside), all faces merged.

One PNG per region rather than one label image because regions overlap (mouth contains
the lips, whole_face contains everything).
"""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np

from .geometry import ContourGeometry
from .shapes import RegionShape, offset_ring

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUBPIXEL_BITS = 4
#: cv2.fillPoly also sets every pixel its outline touches (about half a pixel of dilation), so
#: rings are pulled back by this much first: mask pixel counts then match polygon areas.
FILL_INSET_PX = 0.5


def rasterize(shape: RegionShape, size: tuple[int, int]) -> np.ndarray:
    """A uint8 mask (255 inside) of one shape, even-odd filled, about pixel-centre sampling."""
    width, height = size
    mask = np.zeros((height, width), np.uint8)
    polys = [
        np.round(offset_ring(r.points, FILL_INSET_PX, outward=r.hole) * (1 << SUBPIXEL_BITS)).astype(np.int32)
        for r in shape.rings
        if len(r.points) >= 3
    ]
    if polys:
        cv2.fillPoly(mask, polys, 255, lineType=cv2.LINE_8, shift=SUBPIXEL_BITS)
    return mask


def region_masks(geometry: ContourGeometry) -> dict[str, np.ndarray]:
    """region name -> uint8 mask, the union over all faces."""
    out: dict[str, np.ndarray] = {}
    for face in geometry.faces:
        for shape in face.shapes:
            mask = rasterize(shape, geometry.size)
            out[shape.region] = mask if shape.region not in out else np.maximum(out[shape.region], mask)
    return out


def encode_png(mask: np.ndarray) -> bytes:
    """A 1-bit grayscale PNG (white = mask > 0), written directly: pack 8 pixels per byte,
    filter type 0, zlib level 1. ~20x faster than an 8-bit cv2.imencode on 1-MP masks.
    OpenCV reads it back as 0/255 uint8, Pillow as mode "1"."""
    height, width = mask.shape
    rows = np.packbits(mask > 0, axis=1)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"".join(
        [PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", zlib.compress(raw, 1)), _chunk(b"IEND", b"")]
    )


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def render_masks(geometry: ContourGeometry) -> dict[str, bytes]:
    """region name -> PNG bytes."""
    return {name: encode_png(mask) for name, mask in region_masks(geometry).items()}
