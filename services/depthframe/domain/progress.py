"""Progress reporting and cooperative cancellation for long domain operations.

Long operations take an optional ``on_progress(fraction, message)`` callback and an optional
``should_stop()`` callable. They call :func:`check_stop` between steps (and between chunks of big
steps); when ``should_stop()`` answers True, :class:`Cancelled` is raised.
"""

from __future__ import annotations

from collections.abc import Callable

from imagemesh_kit.errors import Cancelled as KitCancelled

ProgressCallback = Callable[[float, str], None]
StopCheck = Callable[[], bool]


class Cancelled(KitCancelled):
    """The caller asked the operation to stop (``should_stop()`` returned True). Nothing was produced."""

    default_reason = "CANCELLED"

    def __init__(self, message: str = "the operation was cancelled") -> None:
        super().__init__(message, reason="CANCELLED")


def check_stop(should_stop: StopCheck | None) -> None:
    """Raise :class:`Cancelled` when ``should_stop`` is given and says stop."""
    if should_stop is not None and should_stop():
        raise Cancelled()


def report(on_progress: ProgressCallback | None, fraction: float, message: str) -> None:
    """Call ``on_progress`` (when given) with ``fraction`` clamped to 0..1."""
    if on_progress is not None:
        on_progress(min(1.0, max(0.0, float(fraction))), message)
