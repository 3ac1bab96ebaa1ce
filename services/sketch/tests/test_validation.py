import numpy as np
import pytest

from imagemesh_kit.errors import InvalidArgument, ResourceExhausted
from services.sketch.domain import Method, Style, check_size, parse_method, parse_style, render_sketch, resolve_params

from .images import photo


def _violation(err: InvalidArgument) -> str:
    assert len(err.violations) == 1
    return err.violations[0].field


def test_defaults_are_filled_in():
    p = resolve_params(Style.PENCIL, Method.BASIC, None)
    assert p["darkness"] == 1.0 and p["seed"] == 0 and isinstance(p["seed"], int)


def test_given_values_override_defaults():
    p = resolve_params(Style.OIL, Method.BASIC, {"brush_size": 9, "canvas": 0})
    assert p["brush_size"] == 9 and p["canvas"] == 0.0 and isinstance(p["canvas"], float)


def test_integral_float_accepted_for_int_param():
    # protobuf Struct / JSON carry numbers as doubles
    assert resolve_params(Style.OIL, Method.BASIC, {"brush_size": 7.0})["brush_size"] == 7


@pytest.mark.parametrize("value", [7.5, "7", True, None, [7], float("nan")])
def test_wrong_type_names_the_param(value):
    with pytest.raises(InvalidArgument) as info:
        resolve_params(Style.OIL, Method.BASIC, {"brush_size": value})
    assert info.value.reason == "PARAMETER_WRONG_TYPE"
    assert _violation(info.value) == "params.brush_size"
    assert "brush_size" in info.value.message


@pytest.mark.parametrize("value", [1, 17, -3])
def test_out_of_range_names_the_param_and_the_range(value):
    with pytest.raises(InvalidArgument) as info:
        resolve_params(Style.OIL, Method.BASIC, {"brush_size": value})
    assert info.value.reason == "PARAMETER_OUT_OF_RANGE"
    assert _violation(info.value) == "params.brush_size"
    assert "between 2 and 16" in info.value.message


def test_float_range_boundaries_are_inclusive():
    p = resolve_params(Style.PENCIL, Method.BASIC, {"paper_grain": 1.0, "darkness": 0.2})
    assert p["paper_grain"] == 1.0
    with pytest.raises(InvalidArgument):
        resolve_params(Style.PENCIL, Method.BASIC, {"paper_grain": 1.0001})


def test_unknown_param_names_it_and_lists_allowed():
    with pytest.raises(InvalidArgument) as info:
        resolve_params(Style.PENCIL, Method.BASIC, {"brush_size": 3})
    assert info.value.reason == "UNKNOWN_PARAMETER"
    assert _violation(info.value) == "params.brush_size"
    assert "darkness" in info.value.message


def test_params_must_be_a_mapping():
    with pytest.raises(InvalidArgument) as info:
        resolve_params(Style.PENCIL, Method.BASIC, [("darkness", 1.0)])
    assert info.value.reason == "PARAMS_NOT_OBJECT"


@pytest.mark.parametrize("text", ["pencil", "PENCIL", " Pencil ", "STYLE_PENCIL", Style.PENCIL])
def test_style_names_are_forgiving(text):
    assert parse_style(text) is Style.PENCIL


@pytest.mark.parametrize("text", ["", "CRAYON", "STYLE_UNSPECIFIED", 3, None])
def test_bad_style(text):
    with pytest.raises(InvalidArgument) as info:
        parse_style(text)
    assert info.value.reason == "UNKNOWN_STYLE" and _violation(info.value) == "style"
    assert "PENCIL" in info.value.message


def test_bad_method():
    assert parse_method("method_artistic") is Method.ARTISTIC
    with pytest.raises(InvalidArgument) as info:
        parse_method("FANCY")
    assert info.value.reason == "UNKNOWN_METHOD" and _violation(info.value) == "method"


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (b"\x89PNG", "IMAGE_NOT_ARRAY"),
        (np.zeros((64, 64, 3), np.float32), "IMAGE_UNSUPPORTED_DEPTH"),
        (np.zeros((64, 64, 3), np.uint16), "IMAGE_UNSUPPORTED_DEPTH"),
        (np.zeros((64, 64, 2), np.uint8), "IMAGE_UNSUPPORTED_CHANNELS"),
        (np.zeros((4, 64, 64, 3), np.uint8), "IMAGE_UNSUPPORTED_CHANNELS"),
        (np.zeros(64, np.uint8), "IMAGE_UNSUPPORTED_CHANNELS"),
        (np.zeros((8, 64, 3), np.uint8), "IMAGE_TOO_SMALL"),
    ],
)
def test_bad_images(image, reason):
    with pytest.raises(InvalidArgument) as info:
        render_sketch(image, "PENCIL", "BASIC")
    assert info.value.reason == reason and _violation(info.value) == "image"


def test_huge_image_is_resource_exhausted():
    huge = np.broadcast_to(np.uint8(0), (8_000, 6_000, 3))  # 48 MP view, no memory used
    with pytest.raises(ResourceExhausted) as info:
        render_sketch(huge, "PENCIL", "BASIC")
    assert info.value.reason == "IMAGE_TOO_LARGE"
    assert "megapixels" in info.value.message


def test_size_limits_before_decoding_name_the_field_that_names_the_image():
    check_size(16, 2_500_000)  # 40 MP, 16 px high: both limits met
    with pytest.raises(InvalidArgument) as info:
        check_size(15, 64, "image_id")
    assert info.value.message == "image_id: the image must be at least 16 pixels on each side"
    assert info.value.reason == "IMAGE_TOO_SMALL" and _violation(info.value) == "image_id"
    with pytest.raises(ResourceExhausted):
        check_size(16, 2_500_001, "image_id")


def test_bad_params_rejected_before_any_work():
    calls = []
    with pytest.raises(InvalidArgument):
        render_sketch(photo(), "INK", "BASIC", {"line_weight": 9}, on_progress=lambda f, m: calls.append(f))
    assert calls == []
