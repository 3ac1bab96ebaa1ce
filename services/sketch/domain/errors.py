"""Sketch-specific domain errors (on top of the kit's DomainError family)."""

from __future__ import annotations

from imagemesh_kit.errors import Cancelled as KitCancelled


class SketchCancelled(KitCancelled):
    """Raised by `render_sketch` when its `should_stop()` callable says stop between two steps.

    Maps to the gRPC status CANCELLED. A job worker should catch it and mark the job CANCELLED
    (it is not a failure and must not be retried).
    """

    status = "CANCELLED"
    default_reason = "SKETCH_CANCELLED"

    def __init__(self, step: str = "") -> None:
        super().__init__("The sketch was cancelled.", metadata={"step": step} if step else None)
