import json

from services.sketch.domain import CATALOGUE, Method, ParamType, Style, catalogue_as_dict, variant


def test_all_21_combinations_are_described():
    assert len(CATALOGUE) == 21
    for style in Style:
        for method in Method:
            v = variant(style, method)
            assert v.style is style and v.method is method
            assert len(v.description) > 10


def test_every_default_is_inside_its_range_and_typed():
    for v in CATALOGUE.values():
        names = [p.name for p in v.params]
        assert len(names) == len(set(names)), v
        assert "seed" in names
        for p in v.params:
            assert p.minimum <= p.default <= p.maximum, (v.style, v.method, p.name)
            assert p.description
            if p.type is ParamType.INT:
                assert float(p.default).is_integer()


def test_descriptions_are_distinct_per_combination():
    descriptions = [v.description for v in CATALOGUE.values()]
    assert len(set(descriptions)) == 21


def test_catalogue_renders_as_json_for_the_styles_endpoint():
    doc = catalogue_as_dict()
    text = json.dumps(doc)
    back = json.loads(text)
    assert [s["style"] for s in back["styles"]] == [s.value for s in Style]
    pencil = back["styles"][0]
    assert [m["method"] for m in pencil["methods"]] == ["BASIC", "ADVANCED", "ARTISTIC"]
    first = pencil["methods"][0]["params"][0]
    assert set(first) == {"name", "type", "minimum", "maximum", "default", "description"}
    seed = next(p for p in pencil["methods"][0]["params"] if p["name"] == "seed")
    assert seed["type"] == "INT" and isinstance(seed["default"], int)
