"""QualityService over gRPC: proto <-> use cases. No rules here."""

from __future__ import annotations

from imagemesh.quality.v1 import quality_pb2, quality_pb2_grpc
from imagemesh_kit.context import require_principal
from services.quality.api.convert import comparison_to_proto, report_to_proto, steps_to_proto
from services.quality.use_cases import QualityUseCases


class QualityServicer(quality_pb2_grpc.QualityServiceServicer):
    def __init__(self, use_cases: QualityUseCases) -> None:
        self._uc = use_cases

    async def AssessImage(self, request, context):
        done = await self._uc.assess(require_principal(), request.image_id)
        return quality_pb2.AssessImageResponse(
            image_id=done.image_id, report=report_to_proto(done.report), processing_time_ms=done.processing_time_ms
        )

    async def EnhanceImage(self, request, context):
        done = await self._uc.enhance(
            require_principal(), request.image_id, request.level, list(request.aspects), request.request_id
        )
        return quality_pb2.EnhanceImageResponse(
            image=done.image,
            before=report_to_proto(done.result.before),
            after=report_to_proto(done.result.after),
            enhancements_applied=steps_to_proto(done.result.steps),
            enhancement_notes=list(done.result.notes),
            processing_time_ms=done.processing_time_ms,
        )

    async def CreateComparison(self, request, context):
        comparison = await self._uc.create_comparison(
            require_principal(), request.image1_id, request.image2_id, request.enhancement_level, request.request_id
        )
        return quality_pb2.CreateComparisonResponse(comparison=comparison_to_proto(comparison))

    async def GetComparison(self, request, context):
        comparison = await self._uc.get_comparison(require_principal(), request.comparison_id)
        return quality_pb2.GetComparisonResponse(comparison=comparison_to_proto(comparison))

    async def ListComparisons(self, request, context):
        items, next_token = await self._uc.list_comparisons(require_principal(), request.page_size, request.page_token)
        return quality_pb2.ListComparisonsResponse(
            comparisons=[comparison_to_proto(c) for c in items], next_page_token=next_token
        )
