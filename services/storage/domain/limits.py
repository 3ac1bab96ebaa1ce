"""Upload limits: how many bytes and pixels an image may have (configurable, validated)."""

from __future__ import annotations

from dataclasses import dataclass

from imagemesh_kit.errors import InvalidArgument

from .errors import INVALID_LIMITS

DEFAULT_MAX_BYTES = 25 * 1024 * 1024  # 25 MiB
DEFAULT_MAX_PIXELS = 50_000_000  # 50 megapixels


@dataclass(frozen=True)
class ImageLimits:
    """Upper bounds for one stored image. Both must be positive."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidArgument.for_field(name, "must be a positive integer", reason=INVALID_LIMITS)
