"""Stored comparisons: the domain's ComparisonResult as a record, and its JSON form for the database.

JSON keeps finite numbers only (PostgreSQL's JSON refuses NaN/Infinity): a non-finite value is
written as null and read back as NaN; PSNR (infinite for identical images) has a column of its own.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime

from services.quality.domain.compare import AspectDifference, ComparisonResult
from services.quality.domain.enhance.pipeline import AppliedStep
from services.quality.domain.report import AspectScore, QualityReport


@dataclass(frozen=True)
class StoredComparison:
    id: str
    owner_id: str
    image1_id: str
    image2_id: str
    enhancement_level: float
    report1: QualityReport
    report2: QualityReport
    psnr: float
    ssim: float
    resized: bool
    size_note: str
    differences: tuple[AspectDifference, ...]
    enhancements_applied: tuple[AppliedStep, ...]
    enhancement_notes: tuple[str, ...]
    enhanced_image_id: str
    processing_time_ms: float
    created_at: datetime


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _number(value) -> float:
    return math.nan if value is None else float(value)


def result_json(result: ComparisonResult) -> dict:
    """What the `result` column keeps of a comparison."""
    return _finite(
        {
            "report1": asdict(result.report1),
            "report2": asdict(result.report2),
            "resized": result.resized,
            "size_note": result.size_note,
            "differences": [asdict(d) for d in result.differences],
            "steps": [asdict(s) for s in result.enhancements_applied],
            "notes": list(result.enhancement_notes),
        }
    )


_REPORT_NUMBERS = (
    "sharpness", "contrast", "noise_sigma", "colorfulness", "brightness", "clipped_shadows",
    "clipped_highlights", "blockiness", "brisque", "niqe", "overall",
)  # fmt: skip


def report_from_json(data: dict) -> QualityReport:
    return QualityReport(
        width=int(data["width"]),
        height=int(data["height"]),
        **{name: _number(data[name]) for name in _REPORT_NUMBERS},
        aspects=tuple(
            AspectScore(a["name"], _number(a["value"]), _number(a["score"]), a["reason"], _number(a["weight"]))
            for a in data["aspects"]
        ),
        notes=tuple(data.get("notes", ())),
    )


def differences_from_json(items: list[dict]) -> tuple[AspectDifference, ...]:
    return tuple(
        AspectDifference(
            d["name"],
            _number(d["reference_value"]),
            _number(d["candidate_value"]),
            _number(d["value_difference"]),
            _number(d["score_difference"]),
        )
        for d in items
    )


def steps_from_json(items: list[dict]) -> tuple[AppliedStep, ...]:
    return tuple(AppliedStep(s["name"], s["aspect"], _number(s["strength"]), _number(s["setting"])) for s in items)
