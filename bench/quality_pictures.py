"""Before/after pictures of the enhancement, written to docs/quality/*.png for a visual check.

    PYTHONPATH=libs:. .venv/bin/python bench/quality_pictures.py

Each picture is a row of same-size crops (clean | degraded | enhanced blind | enhanced with the
clean image's statistics) labelled with PSNR against the clean crop's image.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import skimage.data

from services.quality.domain.enhance.params import enhance_params, reference_stats
from services.quality.domain.enhance.pipeline import enhance_working
from services.quality.domain.fidelity import psnr
from services.quality.domain.measure import measure
from services.quality.domain.working_image import to_pixels, to_working_image

OUT = Path(__file__).resolve().parents[1] / "docs" / "quality"


def label(img: np.ndarray, text: str) -> np.ndarray:
    out = np.ascontiguousarray(img.copy())
    cv2.rectangle(out, (0, 0), (out.shape[1], 22), (0, 0, 0), -1)
    cv2.putText(out, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def panel(name: str, clean_px: np.ndarray, degraded_px: np.ndarray, what: str, crop: tuple[slice, slice]) -> None:
    clean = to_working_image(clean_px)
    deg = to_working_image(degraded_px)
    ref = reference_stats(clean, measure(clean, natural_scene=False))
    blind = enhance_working(deg, enhance_params(1.0))
    guided = enhance_working(deg, enhance_params(1.0), reference=ref)
    tiles = []
    for title, rgb in [
        ("clean", clean.rgb),
        (f"{what} {psnr(clean.rgb, deg.rgb):.1f} dB", deg.rgb),
        (f"blind {psnr(clean.rgb, blind.rgb):.1f} dB", blind.rgb),
        (f"ref-stats {psnr(clean.rgb, guided.rgb):.1f} dB", guided.rgb),
    ]:
        px = to_pixels(rgb, None, is_grayscale=False, bit_depth=8)[crop]
        tiles.append(label(px, title))
    row = np.concatenate(tiles, axis=1)
    cv2.imwrite(str(OUT / f"{name}.png"), row[..., ::-1])
    steps_b = ", ".join(f"{s.name}@{s.strength:.2f}" for s in blind.steps) or "none"
    steps_g = ", ".join(f"{s.name}@{s.strength:.2f}" for s in guided.steps) or "none"
    print(f"{name}: blind [{steps_b}]  ref-stats [{steps_g}]")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    astro = skimage.data.astronaut()
    crop = (slice(60, 316), slice(140, 396))
    noisy = np.clip(astro + rng.normal(0, 20, astro.shape), 0, 255).round().astype(np.uint8)
    panel("enhance_noise", astro, noisy, "noise 20", crop)
    coffee = skimage.data.coffee()
    blurred = cv2.GaussianBlur(coffee, (0, 0), 1.5)
    panel("enhance_blur", coffee, blurred, "blur 1.5", (slice(80, 336), slice(150, 406)))
    chelsea = skimage.data.chelsea()
    mean = chelsea.reshape(-1, 3).mean(axis=0)
    flat = np.clip(mean + 0.4 * (chelsea - mean), 0, 255).round().astype(np.uint8)
    panel("enhance_contrast", chelsea, flat, "contrast x0.4", (slice(20, 276), slice(100, 356)))
    hubble = skimage.data.hubble_deep_field()  # mostly black star field: deblurring with a reference
    stars_crop = (slice(300, 556), slice(350, 606))
    panel("enhance_blur_stars", hubble, cv2.GaussianBlur(hubble, (0, 0), 2.0), "blur 2", stars_crop)


if __name__ == "__main__":
    main()
