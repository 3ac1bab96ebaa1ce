import xml.etree.ElementTree as ET

import numpy as np

from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import ContourInput, compute_contours
from services.facial.domain.scheme import REGION_LANDMARKS, Region

from .svg_paths import inside_evenodd, path_rings

NS = {"svg": "http://www.w3.org/2000/svg"}


def _svg(astronaut, landmarks, **kw):
    result = compute_contours(ContourInput(astronaut, landmarks=landmarks), ContourParams.create(**kw))
    return result, ET.fromstring(result.svg)


def test_svg_is_valid_with_one_path_per_region(astronaut, astronaut_landmarks):
    _, root = _svg(astronaut, astronaut_landmarks)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "-0.5 -0.5 512 512"
    paths = root.findall(".//svg:path", NS)
    assert [p.get("id") for p in paths] == [f"face0-{r.value}" for r in Region]
    for p in paths:
        assert p.get("class") == f"region {p.get('id').split('-', 1)[1]}"
    rules = {p.get("id"): p.get("fill-rule") for p in paths}
    assert rules["face0-face_oval"] == "evenodd"
    assert rules["face0-left_eye"] is None


def test_each_svg_path_encloses_its_landmarks(astronaut, astronaut_landmarks):
    _, root = _svg(astronaut, astronaut_landmarks)
    for path in root.findall(".//svg:path", NS):
        region = Region(path.get("id").split("-", 1)[1])
        rings = path_rings(path.get("d"))
        for i in REGION_LANDMARKS[region]:
            assert inside_evenodd(rings, astronaut_landmarks[i]), (region, i)


def test_face_oval_excludes_the_eye_centres(astronaut, astronaut_landmarks):
    _, root = _svg(astronaut, astronaut_landmarks, regions=["face_oval"])
    rings = path_rings(root.find(".//svg:path", NS).get("d"))
    assert len(rings) == 7
    eye = astronaut_landmarks[36:42].mean(axis=0)
    assert not inside_evenodd(rings, eye, tolerance=0.0)
    cheek = (astronaut_landmarks[2] + astronaut_landmarks[31]) / 2
    assert inside_evenodd(rings, cheek, tolerance=0.0)


def test_aligned_space_viewbox_matches_the_crop(astronaut, astronaut_landmarks):
    result, root = _svg(astronaut, astronaut_landmarks, align=True, space="aligned")
    w, h = result.geometry.alignment.size
    assert root.get("viewBox") == f"-0.5 -0.5 {w} {h}"
    assert (root.get("width"), root.get("height")) == (str(w), str(h))
    lm_aligned = result.geometry.faces[0].landmarks
    assert np.all(lm_aligned >= 0) and np.all(lm_aligned < (w, h))
    for path in root.findall(".//svg:path", NS):
        region = Region(path.get("id").split("-", 1)[1])
        for i in REGION_LANDMARKS[region]:
            assert inside_evenodd(path_rings(path.get("d")), lm_aligned[i]), (region, i)
