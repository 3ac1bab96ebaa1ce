"""PNG mask output: one 8-bit PNG per region (255 inside, 0 outside), all faces merged.

One PNG per region rather than one label image because regions overlap (mouth contains
the lips, whole_face contains everything).
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import ContourGeometry
from .shapes import RegionShape, offset_ring

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
    ok, buf = cv2.imencode(".png", mask, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - cv2 only fails on unsupported arrays
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()


def render_masks(geometry: ContourGeometry) -> dict[str, bytes]:
    """region name -> PNG bytes."""
    return {name: encode_png(mask) for name, mask in region_masks(geometry).items()}
