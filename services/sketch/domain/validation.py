"""Parsing and validation of what a caller sends: style, method, params and the image."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from imagemesh_kit.errors import InvalidArgument, ResourceExhausted

from .catalogue import variant
from .catalogue_types import Method, ParamType, Style

MIN_SIDE = 16
MAX_PIXELS = 40_000_000  # 40 MP: a render peaks at about 100 MB of memory per megapixel


@dataclass(frozen=True)
class ResolvedParams:
    """Every parameter of a combination, defaults filled in, all checked. Read with `p["name"]`."""

    values: Mapping[str, float | int]

    def __getitem__(self, name: str) -> float | int:
        return self.values[name]


def parse_style(value: Style | str) -> Style:
    """`Style` from an enum or its name (case-insensitive; a `STYLE_` prefix is accepted)."""
    return _parse_enum(Style, value, "style", "STYLE_", "UNKNOWN_STYLE")


def parse_method(value: Method | str) -> Method:
    """`Method` from an enum or its name (case-insensitive; a `METHOD_` prefix is accepted)."""
    return _parse_enum(Method, value, "method", "METHOD_", "UNKNOWN_METHOD")


def _parse_enum(enum, value, field: str, prefix: str, reason: str):
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        name = value.strip().upper()
        name = name.removeprefix(prefix)
        if name in enum.__members__:
            return enum[name]
    allowed = ", ".join(enum.__members__)
    raise InvalidArgument.for_field(field, f"must be one of {allowed}", reason=reason)


def resolve_params(style: Style, method: Method, params: Mapping[str, object] | None) -> ResolvedParams:
    """Check `params` against the catalogue and fill in defaults.

    Numbers may arrive as floats even for INT parameters (JSON / protobuf Struct carry only doubles):
    an integral float such as `7.0` is accepted for an INT parameter, `7.5` is not. Booleans and
    strings are never numbers.
    """
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise InvalidArgument.for_field("params", "must be an object of name: number", reason="PARAMS_NOT_OBJECT")
    spec_of = variant(style, method)
    values = spec_of.defaults()
    for name, raw in params.items():
        spec = spec_of.param(name) if isinstance(name, str) else None
        if spec is None:
            allowed = ", ".join(p.name for p in spec_of.params)
            raise InvalidArgument.for_field(
                f"params.{name}",
                f"unknown parameter for {style.value}/{method.value}; allowed: {allowed}",
                reason="UNKNOWN_PARAMETER",
            )
        values[name] = _coerce(spec.name, spec.type, raw)
        if not spec.minimum <= values[name] <= spec.maximum:
            lo, hi = _fmt(spec.type, spec.minimum), _fmt(spec.type, spec.maximum)
            raise InvalidArgument.for_field(
                f"params.{name}", f"must be between {lo} and {hi}", reason="PARAMETER_OUT_OF_RANGE"
            )
    return ResolvedParams(MappingProxyType(values))


def _coerce(name: str, kind: ParamType, raw: object) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, np.integer, np.floating)):
        raise InvalidArgument.for_field(
            f"params.{name}", f"must be a number ({kind.value.lower()})", reason="PARAMETER_WRONG_TYPE"
        )
    value = float(raw)
    if not math.isfinite(value):
        raise InvalidArgument.for_field(f"params.{name}", "must be a finite number", reason="PARAMETER_WRONG_TYPE")
    if kind is ParamType.INT:
        if not value.is_integer():
            raise InvalidArgument.for_field(f"params.{name}", "must be a whole number", reason="PARAMETER_WRONG_TYPE")
        return int(value)
    return value


def _fmt(kind: ParamType, x: float) -> str:
    return str(int(x)) if kind is ParamType.INT else f"{x:g}"


def check_image(image: object) -> np.ndarray:
    """Accept an HxW (grey), HxWx1, HxWx3 (RGB) or HxWx4 (RGBA) uint8 array; return it unchanged."""
    if not isinstance(image, np.ndarray):
        raise InvalidArgument.for_field("image", "must be a decoded image", reason="IMAGE_NOT_ARRAY")
    if image.dtype != np.uint8:
        raise InvalidArgument.for_field("image", "must have 8 bits per channel", reason="IMAGE_UNSUPPORTED_DEPTH")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise InvalidArgument.for_field("image", "must be greyscale, RGB or RGBA", reason="IMAGE_UNSUPPORTED_CHANNELS")
    check_size(*image.shape[:2])
    return image


def check_size(height: int, width: int, field: str = "image") -> None:
    """The size a sketch's source may have: at least MIN_SIDE pixels on each side (INVALID_ARGUMENT
    IMAGE_TOO_SMALL on `field`), at most MAX_PIXELS (RESOURCE_EXHAUSTED IMAGE_TOO_LARGE). Checked on the decoded
    image, and before that on the size storage reports (`field="image_id"`: a field that only names the image,
    so the violation says "the image must be ...")."""
    if min(height, width) < MIN_SIDE:
        subject = "" if field == "image" else "the image "
        raise InvalidArgument.for_field(
            field, f"{subject}must be at least {MIN_SIDE} pixels on each side", reason="IMAGE_TOO_SMALL"
        )
    if height * width > MAX_PIXELS:
        raise ResourceExhausted(
            f"The image is too large to sketch (at most {MAX_PIXELS // 1_000_000} megapixels).",
            reason="IMAGE_TOO_LARGE",
        )
