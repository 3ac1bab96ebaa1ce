"""Where inference runs: the requested device and what was actually used."""

from __future__ import annotations

import enum

from imagemesh_kit.errors import InvalidArgument


class Device(enum.StrEnum):
    AUTO = "AUTO"  # GPU when one is usable, else CPU
    CPU = "CPU"
    GPU = "GPU"  # GPU asked: falls back to CPU when none is usable, and says so


def parse_device(value: str | Device, field: str = "device") -> Device:
    """Device from its name (case-insensitive); unknown -> InvalidArgument UNKNOWN_DEVICE."""
    if isinstance(value, Device):
        return value
    try:
        return Device(str(value).upper())
    except ValueError:
        raise InvalidArgument.for_field(field, "must be one of AUTO, CPU, GPU", reason="UNKNOWN_DEVICE") from None
