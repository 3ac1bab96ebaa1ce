"""Progress reporting and cooperative cancellation for long domain operations."""

from __future__ import annotations

from collections.abc import Callable

from imagemesh_kit.errors import Cancelled as KitCancelled

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]


class Cancelled(KitCancelled):
    """The caller asked the operation to stop (its `should_stop()` returned True)."""

    status = "CANCELLED"
    default_reason = "CANCELLED"


def checkpoint(
    fraction: float,
    message: str,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
) -> None:
    """Between two steps: raise Cancelled if asked to stop, else report progress."""
    if should_stop is not None and should_stop():
        raise Cancelled("The operation was cancelled.")
    if on_progress is not None:
        on_progress(min(max(float(fraction), 0.0), 1.0), message)
