"""Quality service domain: metrics, assessment, comparison and enhancement over decoded pixels.

Pure logic (numpy, OpenCV, scipy); no gRPC, SQL or network.  Public entry points:

- assess(pixels) -> QualityReport
- compare(reference_pixels, candidate_pixels, enhancement_level) -> ComparisonResult
- enhance(pixels, level, aspects, reference=None) -> EnhancedImage
- psnr / ssim (fidelity), to_working_image / to_pixels (pixel normalisation)
- Cancelled (raised when should_stop() says so)
"""

from .assess import assess, assess_working
from .cancel import Cancelled
from .compare import AspectDifference, ComparisonResult, compare
from .enhance.params import ENHANCE_ASPECTS, EnhanceParams, ReferenceStats, enhance_params, reference_stats
from .enhance.pipeline import AppliedStep
from .enhance_image import EnhancedImage, enhance
from .fidelity import psnr, ssim
from .report import ASPECTS, AspectScore, QualityReport
from .working_image import WorkingImage, to_pixels, to_working_image

__all__ = [
    "ASPECTS",
    "ENHANCE_ASPECTS",
    "AppliedStep",
    "AspectDifference",
    "AspectScore",
    "Cancelled",
    "ComparisonResult",
    "EnhanceParams",
    "EnhancedImage",
    "QualityReport",
    "ReferenceStats",
    "WorkingImage",
    "assess",
    "assess_working",
    "compare",
    "enhance",
    "enhance_params",
    "psnr",
    "reference_stats",
    "ssim",
    "to_pixels",
    "to_working_image",
]
