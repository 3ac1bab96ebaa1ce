"""Test helpers around real runners."""

from __future__ import annotations

import dataclasses


class RetiledRunner:
    """A runner with other tiling metadata (to compare tiled and untiled runs of the same model)."""

    def __init__(self, runner, **changes):
        self._runner = runner
        self.metadata = dataclasses.replace(runner.metadata, **changes)
        self.device_used, self.provider = runner.device_used, runner.provider

    def run(self, batch):
        return self._runner.run(batch)
