"""Domain records -> quality protos."""

from __future__ import annotations

from imagemesh.quality.v1 import quality_pb2
from imagemesh_kit.proto_time import timestamp
from services.quality.domain.compare import AspectDifference
from services.quality.domain.enhance.pipeline import AppliedStep
from services.quality.domain.report import QualityReport
from services.quality.records import StoredComparison


def report_to_proto(report: QualityReport) -> quality_pb2.QualityReport:
    return quality_pb2.QualityReport(
        width=report.width,
        height=report.height,
        sharpness=report.sharpness,
        contrast=report.contrast,
        noise_sigma=report.noise_sigma,
        colorfulness=report.colorfulness,
        brightness=report.brightness,
        clipped_shadows=report.clipped_shadows,
        clipped_highlights=report.clipped_highlights,
        blockiness=report.blockiness,
        brisque=report.brisque,
        niqe=report.niqe,
        overall=report.overall,
        aspects=[
            quality_pb2.AspectScore(name=a.name, value=a.value, score=a.score, reason=a.reason, weight=a.weight)
            for a in report.aspects
        ],
        notes=list(report.notes),
    )


def steps_to_proto(steps: tuple[AppliedStep, ...]) -> list[quality_pb2.EnhancementStep]:
    return [
        quality_pb2.EnhancementStep(name=s.name, aspect=s.aspect, strength=s.strength, setting=s.setting) for s in steps
    ]


def _difference(d: AspectDifference) -> quality_pb2.AspectDifference:
    return quality_pb2.AspectDifference(
        name=d.name,
        reference_value=d.reference_value,
        candidate_value=d.candidate_value,
        value_difference=d.value_difference,
        score_difference=d.score_difference,
    )


def comparison_to_proto(c: StoredComparison) -> quality_pb2.Comparison:
    return quality_pb2.Comparison(
        id=c.id,
        owner_id=c.owner_id,
        image1_id=c.image1_id,
        image2_id=c.image2_id,
        enhancement_level=c.enhancement_level,
        report1=report_to_proto(c.report1),
        report2=report_to_proto(c.report2),
        psnr=c.psnr,
        ssim=c.ssim,
        resized=c.resized,
        size_note=c.size_note,
        differences=[_difference(d) for d in c.differences],
        enhancements_applied=steps_to_proto(c.enhancements_applied),
        enhancement_notes=list(c.enhancement_notes),
        enhanced_image_id=c.enhanced_image_id,
        processing_time_ms=c.processing_time_ms,
        created_at=timestamp(c.created_at),
    )
