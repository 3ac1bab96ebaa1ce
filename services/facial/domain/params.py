"""Validated, frozen parameters of a contour computation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from imagemesh_kit.errors import InvalidArgument

from .alignment import MAX_MARGIN
from .geometry import Space
from .landmarks import FaceSelection
from .scheme import Region, parse_regions
from .segmentation import LabelScheme


class OutputFormat(StrEnum):
    SVG = "svg"
    PNG = "png"
    JSON = "json"


DEFAULT_FORMATS = (OutputFormat.SVG, OutputFormat.JSON)
MIN_DETECTION_SIDE = 160
MAX_DETECTION_SIDE = 4096


@dataclass(frozen=True)
class ContourParams:
    """What to compute. Build with `ContourParams.create(...)`, which validates."""

    regions: tuple[Region, ...]
    output_formats: tuple[OutputFormat, ...]
    align: bool = False
    space: Space = Space.ORIGINAL
    faces: FaceSelection = FaceSelection.LARGEST
    margin: float = 0.25
    detection_max_side: int = 640  # face detection runs on a copy scaled to at most this side
    label_scheme: LabelScheme = LabelScheme.FACE_PARSING  # numbering of segmentation-map labels

    @classmethod
    def create(
        cls,
        regions: list[str] | tuple[str, ...] | None = None,
        output_formats: list[str] | tuple[str, ...] | None = None,
        align: bool = False,
        space: str = "original",
        faces: str = "largest",
        margin: float = 0.25,
        detection_max_side: int = 640,
        label_scheme: str = "face_parsing",
    ) -> ContourParams:
        """Validate and normalise; raises InvalidArgument with a reason per bad field.

        regions: names from `Region` (None/empty = all). output_formats: svg/png/json
        (None/empty = svg+json). space: original|aligned ("aligned" needs align=True).
        faces: largest|all ("all" cannot be combined with align: each face has its own crop).
        label_scheme: face_parsing|celebamask_hq, the numbering of segmentation-map labels.
        """
        if isinstance(regions, str):
            regions = [regions]
        if isinstance(output_formats, str):
            output_formats = [output_formats]
        formats = _parse_enum_list(OutputFormat, output_formats, "output_formats", "UNKNOWN_OUTPUT_FORMAT")
        space_v = _parse_enum(Space, space, "space", "UNKNOWN_SPACE")
        faces_v = _parse_enum(FaceSelection, faces, "faces", "UNKNOWN_FACE_SELECTION")
        scheme_v = _parse_enum(LabelScheme, label_scheme, "label_scheme", "UNKNOWN_LABEL_SCHEME")
        if space_v is Space.ALIGNED and not align:
            raise InvalidArgument.for_field("space", "'aligned' needs align=true", reason="ALIGNED_SPACE_NEEDS_ALIGN")
        if align and faces_v is FaceSelection.ALL:
            raise InvalidArgument.for_field(
                "faces", "'all' cannot be combined with align (one crop per request)", reason="ALIGN_NEEDS_ONE_FACE"
            )
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= MAX_MARGIN:
            raise InvalidArgument.for_field("margin", f"must be between 0 and {MAX_MARGIN}", reason="BAD_MARGIN")
        if (
            isinstance(detection_max_side, bool)
            or not isinstance(detection_max_side, int)
            or not (MIN_DETECTION_SIDE <= detection_max_side <= MAX_DETECTION_SIDE)
        ):
            raise InvalidArgument.for_field(
                "detection_max_side",
                f"must be an integer in {MIN_DETECTION_SIDE}..{MAX_DETECTION_SIDE}",
                reason="BAD_DETECTION_SIZE",
            )
        return cls(
            regions=parse_regions(regions),
            output_formats=formats or DEFAULT_FORMATS,
            align=bool(align),
            space=space_v,
            faces=faces_v,
            margin=float(margin),
            detection_max_side=detection_max_side,
            label_scheme=scheme_v,
        )

    def to_dict(self) -> dict:
        """Canonical plain form (also the input of the cache's parameter hash)."""
        return {
            "regions": [r.value for r in self.regions],
            "output_formats": [f.value for f in self.output_formats],
            "align": self.align,
            "space": self.space.value,
            "faces": self.faces.value,
            "margin": self.margin,
            "detection_max_side": self.detection_max_side,
            "label_scheme": self.label_scheme.value,
        }


def _parse_enum(enum_cls, value, field: str, reason: str):
    try:
        return enum_cls(str(value).strip().lower())
    except ValueError:
        valid = ", ".join(e.value for e in enum_cls)
        raise InvalidArgument.for_field(
            field, f"unknown value {str(value)[:40]!r}; expected one of: {valid}", reason=reason
        ) from None


def _parse_enum_list(enum_cls, values, field: str, reason: str) -> tuple:
    wanted = {_parse_enum(enum_cls, v, field, reason) for v in (values or ())}
    return tuple(e for e in enum_cls if e in wanted)
