"""A contour result as the service keeps and returns it (no gRPC, no SQL): from the domain's
ContourResult, to and from the rows of facial_job_results."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.facial.domain import ContourResult
from services.facial.store.cache_store import decode_masks, encode_masks


@dataclass(frozen=True)
class ResultView:
    space: str
    width: int
    height: int
    source: str
    face_count: int
    from_cache: bool
    alignment: dict | None  # Alignment.to_dict(): angle_deg, crop_box{x,y,width,height}, matrix, inverse
    svg: str | None = None
    polygons_json: str | None = None
    masks: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, result: ContourResult) -> ResultView:
        g = result.geometry
        return cls(
            space=g.space.value,
            width=int(g.size[0]),
            height=int(g.size[1]),
            source=g.source.value,
            face_count=len(g.faces),
            from_cache=result.from_cache,
            alignment=g.alignment.to_dict() if g.alignment is not None else None,
            svg=result.svg.decode() if result.svg is not None else None,
            polygons_json=result.polygons_json.decode() if result.polygons_json is not None else None,
            masks=dict(result.masks),
        )

    def document(self) -> dict:
        """The small part stored as JSON (the documents have their own columns)."""
        return {
            "space": self.space,
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "face_count": self.face_count,
            "from_cache": self.from_cache,
            "alignment": self.alignment,
        }

    def row_values(self) -> dict:
        return dict(
            document=self.document(), svg=self.svg, polygons_json=self.polygons_json, masks=encode_masks(self.masks)
        )

    @classmethod
    def from_row(cls, row) -> ResultView:
        return cls(**row.document, svg=row.svg, polygons_json=row.polygons_json, masks=decode_masks(row.masks))
