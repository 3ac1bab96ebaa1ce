"""Write docs/sketch/contact_sheet.png: all 21 style x method combinations on two real photographs.

Run: PYTHONPATH=libs:. python -m services.sketch.tools.contact_sheet [out.png]
"""

from __future__ import annotations

import sys
import time

import cv2
import numpy as np
from skimage import data

from services.sketch.domain import Method, Style, render_sketch

CELL = 300  # cell height in px
LABEL = 26


def _label(image: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((LABEL, image.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
    return np.vstack([bar, image])


def _cell(image: np.ndarray, text: str, width: int) -> np.ndarray:
    h = CELL
    resized = cv2.resize(image, (width, h), interpolation=cv2.INTER_AREA)
    return _label(resized, text)


def build(photos: dict[str, np.ndarray]) -> np.ndarray:
    rows = []
    for name, photo in photos.items():
        width = round(photo.shape[1] * CELL / photo.shape[0])
        header = [_cell(photo, f"original: {name}", width)]
        header += [np.full((CELL + LABEL, width, 3), 255, np.uint8)] * 2
        rows.append(np.hstack(header))
        for style in Style:
            cells = []
            for method in Method:
                started = time.perf_counter()
                out = render_sketch(photo, style, method)
                took = time.perf_counter() - started
                print(f"{name:10s} {style.value:10s} {method.value:9s} {took:.2f}s", flush=True)
                cells.append(_cell(out, f"{style.value} / {method.value}", width))
            rows.append(np.hstack(cells))
    # lay the two photographs side by side, one column block each
    half = len(rows) // 2
    left, right = rows[:half], rows[half:]
    gap = np.full((rows[0].shape[0], 12, 3), 255, np.uint8)
    lines = []
    for a, b in zip(left, right, strict=True):
        lines.append(np.hstack([a, gap[: a.shape[0]], b]))
    return np.vstack(lines)


def main() -> None:
    cv2.setNumThreads(1)
    out_path = sys.argv[1] if len(sys.argv) > 1 else "docs/sketch/contact_sheet.png"
    photos = {"astronaut": data.astronaut(), "coffee": data.coffee()}
    sheet = build(photos)
    cv2.imwrite(out_path, cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print("wrote", out_path, sheet.shape)


if __name__ == "__main__":
    main()
