"""Pixel limits, checked before any work starts."""

from __future__ import annotations

from dataclasses import dataclass

from imagemesh_kit.errors import ResourceExhausted


@dataclass(frozen=True)
class PixelLimits:
    """Largest input and output images the service accepts (in pixels)."""

    max_input_pixels: int = 40_000_000
    max_output_pixels: int = 64_000_000


def check_input_pixels(height: int, width: int, limits: PixelLimits) -> None:
    """ResourceExhausted INPUT_TOO_LARGE when the input image is over the limit."""
    if height * width > limits.max_input_pixels:
        raise ResourceExhausted(
            f"The image has {height * width} pixels; the limit is {limits.max_input_pixels}.",
            reason="INPUT_TOO_LARGE",
            metadata={"pixels": str(height * width), "limit": str(limits.max_input_pixels)},
        )


def check_output_pixels(height: int, width: int, limits: PixelLimits) -> None:
    """ResourceExhausted OUTPUT_TOO_LARGE when the result would be over the limit."""
    if height * width > limits.max_output_pixels:
        raise ResourceExhausted(
            f"The result would have {height * width} pixels; the limit is {limits.max_output_pixels}.",
            reason="OUTPUT_TOO_LARGE",
            metadata={"pixels": str(height * width), "limit": str(limits.max_output_pixels)},
        )
