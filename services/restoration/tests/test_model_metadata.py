import pytest

from imagemesh_kit.errors import InvalidArgument
from services.restoration.domain.model_metadata import ModelTask, parse_metadata

GOOD = {"name": "m", "task": "super_resolution", "version": "1", "file": "m.onnx", "scale": 2}


def test_defaults_and_extra_fields_are_kept():
    meta = parse_metadata({**GOOD, "priority": 5, "training": {"steps": 3}})
    assert meta.task is ModelTask.SUPER_RESOLUTION
    assert meta.scale == 2 and meta.input_layout == "NCHW" and meta.color_space == "rgb"
    assert meta.value_range == (0.0, 1.0) and meta.input_size is None and meta.channels == 3
    assert meta.extra == {"priority": 5, "training": {"steps": 3}}


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"task": "colorize"}, "metadata.task"),
        ({"name": ""}, "metadata.name"),
        ({"scale": 0}, "metadata.scale"),
        ({"scale": "2"}, "metadata.scale"),
        ({"input_layout": "CHW"}, "metadata.input_layout"),
        ({"color_space": "lab"}, "metadata.color_space"),
        ({"value_range": [1, 0]}, "metadata.value_range"),
        ({"input_size": [0, 5]}, "metadata.input_size"),
        ({"tile_size": 32, "tile_overlap": 16}, "metadata.tile_overlap"),
        ({"task": "object_detection"}, "metadata.labels"),
        ({"labels": "cat"}, "metadata.labels"),
    ],
)
def test_bad_metadata_is_invalid_argument(patch, field):
    with pytest.raises(InvalidArgument) as err:
        parse_metadata({**GOOD, **patch})
    assert err.value.reason == "INVALID_MODEL_METADATA"
    assert err.value.violations[0].field == field


def test_missing_required_key():
    doc = dict(GOOD)
    del doc["file"]
    with pytest.raises(InvalidArgument):
        parse_metadata(doc)
