"""Restoration-specific domain errors (on top of the kit's DomainError family)."""

from __future__ import annotations

from imagemesh_kit.errors import Cancelled as KitCancelled


class Cancelled(KitCancelled):
    """Raised between steps (or tiles) when the caller's `should_stop()` says stop (the kit's CANCELLED)."""

    default_reason = "RESTORATION_CANCELLED"


def check_stop(should_stop) -> None:
    """Raise Cancelled when `should_stop` is given and returns True."""
    if should_stop is not None and should_stop():
        raise Cancelled("The restoration was cancelled.")
