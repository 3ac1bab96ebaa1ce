"""Domain and jobs -> imagemesh.sketch.v1 messages."""

from __future__ import annotations

from functools import cache

from imagemesh.sketch.v1 import sketch_pb2
from imagemesh_kit.jobs.model import Job
from imagemesh_kit.jobs.proto import job_status
from services.sketch.domain import CATALOGUE, METHOD_DESCRIPTIONS, STYLE_DESCRIPTIONS, Method, ParamType, Style
from services.sketch.use_cases import SketchSpec, result_image_id

_PARAM_TYPE = {
    ParamType.INT: sketch_pb2.ParamSpec.PARAM_TYPE_INT,
    ParamType.FLOAT: sketch_pb2.ParamSpec.PARAM_TYPE_FLOAT,
}


def sketch_to_proto(job: Job) -> sketch_pb2.Sketch:
    spec = SketchSpec.of(job)
    return sketch_pb2.Sketch(
        id=job.id,
        owner_id=job.owner_id,
        image_id=spec.image_id,
        style=spec.style,
        method=spec.method,
        params={k: float(v) for k, v in spec.params.items()},
        status=job_status(job),
        result_image_id=result_image_id(job),
    )


@cache
def catalog() -> sketch_pb2.GetCatalogResponse:
    """Built once from the domain's static catalogue."""
    styles = []
    for style in Style:
        variants = []
        for method in Method:
            v = CATALOGUE[(style, method)]
            params = [
                sketch_pb2.ParamSpec(
                    name=p.name,
                    type=_PARAM_TYPE[p.type],
                    minimum=p.minimum,
                    maximum=p.maximum,
                    default_value=p.default,
                    description=p.description,
                )
                for p in v.params
            ]
            variants.append(
                sketch_pb2.Variant(style=style.value, method=method.value, description=v.description, params=params)
            )
        styles.append(sketch_pb2.StyleInfo(style=style.value, description=STYLE_DESCRIPTIONS[style], variants=variants))
    methods = [sketch_pb2.MethodInfo(method=m.value, description=METHOD_DESCRIPTIONS[m]) for m in Method]
    return sketch_pb2.GetCatalogResponse(styles=styles, methods=methods)
