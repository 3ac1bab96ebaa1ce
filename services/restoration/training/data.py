"""Training and evaluation images from scikit-image's bundled data set, plus degradations.

Held-out evaluation images (never used in training): EVAL_IMAGES. `cat` is the same photograph as
`chelsea`, so it is excluded from training as well.
"""

from __future__ import annotations

import cv2
import numpy as np
import skimage.data as skdata

EVAL_IMAGES = ("astronaut", "camera", "chelsea", "coffee")
EXCLUDED = ("cat",)
TRAIN_IMAGES = (
    "rocket",
    "stereo_motorcycle",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "coins",
    "moon",
    "brick",
    "grass",
    "gravel",
    "clock",
    "page",
    "text",
    "colorwheel",
)


def load_rgb(name: str) -> list[np.ndarray]:
    """RGB uint8 images for one skimage.data name (stereo pairs give two)."""
    data = getattr(skdata, name)()
    images = list(data[:2]) if isinstance(data, tuple) else [data]
    out = []
    for image in images:
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        out.append(np.ascontiguousarray(image[..., :3].astype(np.uint8)))
    return out


def training_images() -> list[np.ndarray]:
    """Training images, plus half-size copies of the large ones for scale variety."""
    images: list[np.ndarray] = []
    for name in TRAIN_IMAGES:
        for image in load_rgb(name):
            images.append(image)
            if min(image.shape[:2]) >= 800:
                h, w = image.shape[:2]
                images.append(cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    return images


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Full-range BT.601 luma in [0, 1] (float32), as the runtime uses."""
    rgb = image.astype(np.float32) / 255.0
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def downscale(y: np.ndarray, scale: int) -> np.ndarray:
    """The SR degradation: area (box) downscaling, quantised to 8 bits."""
    h, w = y.shape[:2]
    lr = cv2.resize(y, (w // scale, h // scale), interpolation=cv2.INTER_AREA)
    return np.round(np.clip(lr, 0, 1) * 255.0).astype(np.float32) / 255.0


def random_patch(rng: np.random.Generator, image: np.ndarray, size: int) -> np.ndarray:
    """A random crop with a random flip / 90-degree rotation."""
    h, w = image.shape[:2]
    top = int(rng.integers(0, h - size + 1))
    left = int(rng.integers(0, w - size + 1))
    patch = image[top : top + size, left : left + size]
    patch = np.rot90(patch, int(rng.integers(0, 4)))
    if rng.integers(0, 2):
        patch = patch[:, ::-1]
    return np.ascontiguousarray(patch)


def add_noise(rng: np.random.Generator, clean: np.ndarray, sigma: float) -> np.ndarray:
    """The denoising degradation: AWGN of `sigma` (0..255 scale), clipped and quantised to 8 bits."""
    noisy = clean.astype(np.float32) + rng.normal(0.0, sigma, clean.shape).astype(np.float32)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)
