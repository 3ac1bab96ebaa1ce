"""Contact sheet of storage thumbnails, for a visual check: docs/storage/thumbnails.png.

Row 1: chelsea as JPEG with EXIF orientation 1, 3, 6, 8 (all must look upright).
Row 2: PNG with used alpha (on a checkerboard), 16-bit grey ramp, CMYK JPEG, palette GIF.
Run: PYTHONPATH=libs:. .venv/bin/python bench/storage_thumbnail_sheet.py
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from services.storage.domain.thumbnails import make_thumbnail

CELL = 200
OUT = Path("docs/storage/thumbnails.png")


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def stored_as(orientation: int) -> bytes:
    """chelsea as a camera would store it for `orientation` (pixels turned back, tag says how)."""
    upright = Image.fromarray(data.chelsea())
    undo = {1: None, 3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(undo[orientation]) if undo[orientation] else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", exif=exif.tobytes())


def samples() -> list[tuple[str, bytes]]:
    chelsea = data.chelsea()
    alpha = np.zeros(chelsea.shape[:2], np.uint8)
    yy, xx = np.mgrid[: chelsea.shape[0], : chelsea.shape[1]]
    alpha[(yy - 150) ** 2 + (xx - 225) ** 2 < 130**2] = 255
    ramp = np.tile(np.linspace(0, 65535, 400), (200, 1)).astype(np.uint16)
    gif = Image.fromarray(data.coffee()).convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    return [
        *[(f"orientation {o}", stored_as(o)) for o in (1, 3, 6, 8)],
        ("alpha PNG", encode(Image.fromarray(np.dstack([chelsea, alpha])), "PNG")),
        ("16-bit ramp", encode(Image.fromarray(ramp), "PNG")),
        ("CMYK JPEG", encode(Image.fromarray(data.astronaut()).convert("CMYK"), "JPEG")),
        ("palette GIF", encode(gif, "GIF")),
    ]


def checkerboard(size: int) -> Image.Image:
    tiles = (np.indices((size, size)) // 10).sum(axis=0) % 2
    return Image.fromarray(np.where(tiles, 200, 255).astype(np.uint8)).convert("RGBA")


def main() -> None:
    items = samples()
    sheet = Image.new("RGB", (CELL * 4, (CELL + 20) * 2), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (label, blob) in enumerate(items):
        thumb = make_thumbnail(blob, CELL - 10)
        image = Image.open(io.BytesIO(thumb.data)).convert("RGBA")
        cell = checkerboard(CELL)
        cell.alpha_composite(image, ((CELL - image.width) // 2, (CELL - image.height) // 2))
        x, y = (index % 4) * CELL, (index // 4) * (CELL + 20)
        sheet.paste(cell.convert("RGB"), (x, y))
        draw.text((x + 5, y + CELL + 4), f"{label} -> {thumb.content_type} {thumb.width}x{thumb.height}", fill="black")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
