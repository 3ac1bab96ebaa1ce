"""Built-in colormaps as 256x3 uint8 RGB lookup tables, tabulated from OpenCV (no matplotlib).

OpenCV's ``applyColorMap`` tables match matplotlib's viridis/magma/inferno/plasma/cividis/twilight
and the classic jet/hot/bone/... maps; ``gray`` is the identity ramp.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

_OPENCV_MAPS = {
    "viridis": cv2.COLORMAP_VIRIDIS,
    "magma": cv2.COLORMAP_MAGMA,
    "inferno": cv2.COLORMAP_INFERNO,
    "plasma": cv2.COLORMAP_PLASMA,
    "cividis": cv2.COLORMAP_CIVIDIS,
    "jet": cv2.COLORMAP_JET,
    "turbo": cv2.COLORMAP_TURBO,
    "bone": cv2.COLORMAP_BONE,
    "hot": cv2.COLORMAP_HOT,
    "ocean": cv2.COLORMAP_OCEAN,
    "parula": cv2.COLORMAP_PARULA,
    "twilight": cv2.COLORMAP_TWILIGHT,
    "deepgreen": cv2.COLORMAP_DEEPGREEN,
}

BUILTIN_NAMES: tuple[str, ...] = ("gray", *_OPENCV_MAPS)


@cache
def builtin_lut(name: str) -> np.ndarray:
    """The read-only 256x3 uint8 RGB table of a built-in map; KeyError for an unknown name."""
    ramp = np.arange(256, dtype=np.uint8)
    if name == "gray":
        lut = np.repeat(ramp[:, None], 3, axis=1)
    else:
        bgr = cv2.applyColorMap(ramp.reshape(256, 1), _OPENCV_MAPS[name]).reshape(256, 3)
        lut = np.ascontiguousarray(bgr[:, ::-1])
    lut.flags.writeable = False
    return lut
