"""Running a pipeline of small steps with progress reporting and cooperative cancellation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .errors import Cancelled

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]
C = TypeVar("C")


def run_steps(
    context: C,
    steps: Sequence[tuple[str, Callable[[C], None]]],
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> C:
    """Apply each (message, step) to `context` in order; check `should_stop` between steps.

    Raises `Cancelled` when `should_stop()` returns True; reports `on_progress(done/total, message)`
    after each step.
    """
    total = len(steps)
    for index, (message, step) in enumerate(steps):
        if should_stop is not None and should_stop():
            raise Cancelled("the operation was cancelled")
        step(context)
        if on_progress is not None:
            on_progress((index + 1) / total, message)
    return context
