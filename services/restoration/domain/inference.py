"""Run an image model over a whole image: value range, layout, extra inputs, tiling."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from services.restoration.domain.ports import ModelRunner
from services.restoration.domain.tiling import ProgressFn, StopFn, run_tiled


def _batch_fn(runner: ModelRunner, extra_channels: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
    meta = runner.metadata
    low, high = meta.value_range
    n_in = None if extra_channels is None else extra_channels.shape[0]

    def fn(batch: np.ndarray) -> np.ndarray:
        x = batch
        if meta.color_space == "bgr":
            x = x[:, ::-1] if n_in is None else np.concatenate([x[:, 2::-1], x[:, 3:]], axis=1)
        rgb_part = x[:, : x.shape[1] - (n_in or 0)] * (high - low) + low
        x = np.concatenate([rgb_part, x[:, rgb_part.shape[1] :]], axis=1) if n_in else rgb_part
        if meta.input_layout == "NHWC":
            x = x.transpose(0, 2, 3, 1)
        y = runner.run(np.ascontiguousarray(x, dtype=np.float32))
        if meta.input_layout == "NHWC":
            y = y.transpose(0, 3, 1, 2)
        y = (y - low) / (high - low)
        if meta.color_space == "bgr":
            y = y[:, ::-1]
        return y.astype(np.float32)

    return fn


def run_image_model(
    runner: ModelRunner,
    image: np.ndarray,
    *,
    extra_channels: np.ndarray | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Run `runner` on a C x H x W float image in [0, 1]; returns C' x sH x sW float in [0, 1] (unclipped).

    `extra_channels` (k x H x W, e.g. a noise-level map) are appended after the colour channels.
    """
    meta = runner.metadata
    x = image if extra_channels is None else np.concatenate([image, extra_channels], axis=0)
    return run_tiled(
        x.astype(np.float32),
        _batch_fn(runner, extra_channels),
        scale=meta.scale,
        tile=meta.tile_size,
        overlap=meta.tile_overlap,
        multiple=meta.input_multiple,
        on_progress=on_progress,
        should_stop=should_stop,
    )
