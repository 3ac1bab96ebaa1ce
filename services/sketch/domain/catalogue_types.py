"""Plain data types describing styles, methods and their parameters (no logic beyond lookup)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Style(StrEnum):
    PENCIL = "PENCIL"
    CHARCOAL = "CHARCOAL"
    WATERCOLOR = "WATERCOLOR"
    INK = "INK"
    PASTEL = "PASTEL"
    OIL = "OIL"
    ACRYLIC = "ACRYLIC"


class Method(StrEnum):
    BASIC = "BASIC"
    ADVANCED = "ADVANCED"
    ARTISTIC = "ARTISTIC"


class ParamType(StrEnum):
    INT = "INT"
    FLOAT = "FLOAT"


@dataclass(frozen=True)
class ParamSpec:
    """One tunable parameter: `minimum <= value <= maximum`, `default` when not given."""

    name: str
    type: ParamType
    minimum: float
    maximum: float
    default: float
    description: str

    def as_dict(self) -> dict[str, object]:
        cast = int if self.type is ParamType.INT else float
        return {
            "name": self.name,
            "type": self.type.value,
            "minimum": cast(self.minimum),
            "maximum": cast(self.maximum),
            "default": cast(self.default),
            "description": self.description,
        }


@dataclass(frozen=True)
class Variant:
    """One style x method combination: what it looks like and what can be tuned."""

    style: Style
    method: Method
    description: str
    params: tuple[ParamSpec, ...]

    def param(self, name: str) -> ParamSpec | None:
        for spec in self.params:
            if spec.name == name:
                return spec
        return None

    def defaults(self) -> dict[str, float | int]:
        return {p.name: (int(p.default) if p.type is ParamType.INT else float(p.default)) for p in self.params}

    def as_dict(self) -> dict[str, object]:
        return {
            "style": self.style.value,
            "method": self.method.value,
            "description": self.description,
            "params": [p.as_dict() for p in self.params],
        }
