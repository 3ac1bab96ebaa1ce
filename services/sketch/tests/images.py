"""Real test photographs (scikit-image's bundled data, no download), shrunk for fast tests."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from skimage import data


@lru_cache(maxsize=8)
def photo(name: str = "astronaut", height: int = 192) -> np.ndarray:
    image = getattr(data, name)()
    width = round(image.shape[1] * height / image.shape[0])
    out = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    out.setflags(write=False)
    return out
