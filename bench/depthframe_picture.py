"""Draw docs/depthframe/frame_strip.png: the synthetic dataset's full range with the default colormap
(wrapped into bands, depth increasing left to right, top to bottom) and a panel comparing colormaps
on one depth window. Also writes frame_strip_raw.png, the exact render_strip output (150 x 5,460).

    PYTHONPATH=libs:. python bench/depthframe_picture.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from services.depthframe.domain import (
    DEFAULT_COLORMAP,
    apply_colormap,
    decode_png_rgb,
    ingest_csv,
    render_strip,
    resolve_colormap,
    select_rows,
)
from services.depthframe.sample_data.depth_log import make_depth_csv

OUT = Path("docs/depthframe")
BANDS = 4
MAPS = [DEFAULT_COLORMAP, "viridis", "magma", "inferno", "plasma", "cividis", "jet", "turbo", "gray"]
WHITE = (255, 255, 255)
INK = (30, 30, 30)


def text(image: np.ndarray, message: str, x: int, y: int, scale: float = 0.5) -> None:
    cv2.putText(image, message, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, INK, 1, cv2.LINE_AA)


def full_range_bands(rgb: np.ndarray, depths: np.ndarray) -> np.ndarray:
    """Depth on x: the (rows, 150, 3) strip transposed and cut into BANDS bands stacked vertically."""
    per_band = -(-rgb.shape[0] // BANDS)
    label_w, band_h, gap = 150, rgb.shape[1], 26
    canvas = np.full((40 + BANDS * (band_h + gap), label_w + per_band + 10, 3), 255, np.uint8)
    text(
        canvas,
        f"Full range, colormap '{DEFAULT_COLORMAP}': depth {depths[0]:.1f} .. {depths[-1]:.1f} "
        f"({rgb.shape[0]} rows x {rgb.shape[1]} px), depth increases to the right",
        10,
        25,
        0.6,
    )
    for band in range(BANDS):
        part = rgb[band * per_band : (band + 1) * per_band].transpose(1, 0, 2)
        top = 40 + band * (band_h + gap)
        canvas[top : top + band_h, label_w : label_w + part.shape[1]] = part
        first, last = depths[band * per_band], depths[min(len(depths), (band + 1) * per_band) - 1]
        text(canvas, f"{first:.1f}", 10, top + band_h // 2)
        text(canvas, f"..{last:.1f}", 10, top + band_h // 2 + 20)
    return canvas


def colormap_panel(resized: np.ndarray, depths: np.ndarray, scale) -> np.ndarray:
    """The same depth window under each colormap (depth down), each with its color bar below."""
    window = select_rows(depths, 9100.0, 9160.0)
    rows = resized[window]
    column_w, gap, bar_h = rows.shape[1], 14, 20
    height = 60 + rows.shape[0] + 10 + bar_h + 30
    canvas = np.full((height, 10 + len(MAPS) * (column_w + gap), 3), 255, np.uint8)
    text(
        canvas,
        f"Colormaps on depth {depths[window][0]:.1f} .. {depths[window][-1]:.1f} (depth down); "
        f"scale = dataset min/max {scale.vmin}..{scale.vmax}",
        10,
        20,
        0.6,
    )
    ramp = np.tile(np.linspace(scale.vmin, scale.vmax, column_w).round().astype(np.uint8), (bar_h, 1))
    for index, name in enumerate(MAPS):
        colormap = resolve_colormap(name)
        left = 10 + index * (column_w + gap)
        text(canvas, name, left, 48)
        canvas[60 : 60 + rows.shape[0], left : left + column_w] = apply_colormap(rows, colormap, scale)
        canvas[70 + rows.shape[0] : 70 + rows.shape[0] + bar_h, left : left + column_w] = apply_colormap(
            ramp, colormap, scale
        )
        text(canvas, str(scale.vmin), left, 90 + rows.shape[0] + bar_h, 0.4)
        text(canvas, str(scale.vmax), left + column_w - 25, 90 + rows.shape[0] + bar_h, 0.4)
    return canvas


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    dataset = ingest_csv(make_depth_csv(rows=5461))
    depths, resized, scale = dataset.parsed.depths, dataset.resized, dataset.color_scale
    raw_png = render_strip(resized, resolve_colormap(None), scale)
    (OUT / "frame_strip_raw.png").write_bytes(raw_png)
    strip_rgb = decode_png_rgb(raw_png)  # draw what the API really returns
    top = full_range_bands(strip_rgb, depths)
    bottom = colormap_panel(resized, depths, scale)
    width = max(top.shape[1], bottom.shape[1])
    pad = [np.pad(part, ((0, 0), (0, width - part.shape[1]), (0, 0)), constant_values=255) for part in (top, bottom)]
    picture = np.concatenate(pad, axis=0)
    cv2.imwrite(str(OUT / "frame_strip.png"), picture[..., ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {OUT / 'frame_strip.png'} {picture.shape[1]}x{picture.shape[0]} and frame_strip_raw.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
