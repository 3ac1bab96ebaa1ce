import io

import cv2
import numpy as np
import pytest
from PIL import Image

from imagemesh_kit.errors import InvalidArgument
from services.facial.domain.image_io import decode_label_map
from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import ContourInput, compute_contours
from services.facial.domain.render_masks import rasterize
from services.facial.domain.scheme import Region
from services.facial.domain.segmentation import (
    CELEBAMASK_HQ_NAMES,
    FACE_PARSING_LABELS,
    LabelScheme,
    region_shapes_from_label_map,
    validate_label_map,
)

H, W = 300, 400


def synthetic_map() -> tuple[np.ndarray, dict[str, float]]:
    """A disk of skin (1) with eyes (4, 5: rectangles), a nose (10: triangle) and lips (12, 13)."""
    labels = np.zeros((H, W), np.uint8)
    cv2.circle(labels, (200, 150), 120, 1, -1)
    labels[100:130, 130:180] = 5  # subject's right eye, image left
    labels[100:130, 220:270] = 4
    tri = np.array([[200, 120], [180, 180], [220, 180]], np.int32)
    cv2.fillPoly(labels, [tri], 10)
    labels[200:215, 160:240] = 12
    labels[215:235, 160:240] = 13
    areas = {
        name: float(np.count_nonzero(np.isin(labels, ids)))
        for name, ids in [
            ("face_oval", [1]),
            ("left_eye", [4]),
            ("right_eye", [5]),
            ("nose", [10]),
            ("mouth", [12, 13]),
            ("whole_face", [1, 4, 5, 10, 12, 13]),
        ]
    }
    return labels, areas


def test_areas_match_pixel_counts_within_2_percent():
    labels, areas = synthetic_map()
    shapes = region_shapes_from_label_map(labels, tuple(Region))
    for name, expected in areas.items():
        assert shapes[Region(name)].area() == pytest.approx(expected, rel=0.02), name
    # rectangles come out exact (half-pixel offset of the traced contour)
    assert shapes[Region.LEFT_EYE].area() == 30 * 50
    # analytic disk area: pi r^2 with r = 120.5 (cv2.circle draws radius 120 inclusive)
    assert shapes[Region.WHOLE_FACE].area() == pytest.approx(np.pi * 120.5**2, rel=0.02)


def test_holes_are_traced_and_rasterise_back():
    labels, _areas = synthetic_map()
    skin = region_shapes_from_label_map(labels, (Region.FACE_OVAL,))[Region.FACE_OVAL]
    assert skin.has_holes
    assert sum(r.hole for r in skin.rings) == 4  # two eyes, nose, mouth
    back = rasterize(skin, (W, H)) > 0
    truth = labels == 1
    iou = np.count_nonzero(back & truth) / np.count_nonzero(back | truth)
    assert iou > 0.98


def test_regions_absent_from_the_map_are_empty():
    labels, _ = synthetic_map()
    shapes = region_shapes_from_label_map(labels, (Region.LEFT_EYEBROW,))
    assert shapes[Region.LEFT_EYEBROW].rings == ()


def test_pipeline_with_map_needs_no_landmarks_and_svg_uses_evenodd():
    labels, areas = synthetic_map()
    image = np.full((H, W, 3), 128, np.uint8)
    params = ContourParams.create(output_formats=["svg", "png", "json"])
    result = compute_contours(ContourInput(image, label_map=labels), params)  # no detector needed
    assert result.geometry.source.value == "segmentation_map"
    assert b'id="face0-face_oval"' in result.svg and b'fill-rule="evenodd"' in result.svg
    mask = cv2.imdecode(np.frombuffer(result.masks["mouth"], np.uint8), cv2.IMREAD_GRAYSCALE)
    assert np.count_nonzero(mask) == pytest.approx(areas["mouth"], rel=0.02)


def test_size_mismatch_and_unknown_labels():
    labels, _ = synthetic_map()
    with pytest.raises(InvalidArgument) as err:
        validate_label_map(labels, (W + 1, H))
    assert err.value.reason == "SEGMENTATION_MAP_SIZE_MISMATCH"
    bad = labels.copy()
    bad[0, 0] = 19
    with pytest.raises(InvalidArgument) as err:
        validate_label_map(bad, (W, H))
    assert err.value.reason == "UNKNOWN_LABELS" and "19" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        validate_label_map(labels.astype(np.float32), (W, H))
    assert err.value.reason == "BAD_SEGMENTATION_MAP"
    colour = np.stack([labels, labels, labels * 0], axis=2)
    with pytest.raises(InvalidArgument) as err:
        validate_label_map(colour, (W, H))
    assert err.value.reason == "BAD_SEGMENTATION_MAP"


def test_decode_label_map_png_palette_gray_and_16_bit():
    labels, _ = synthetic_map()
    pal = Image.fromarray(labels, mode="P")
    pal.putpalette([c for i in range(256) for c in (i * 13 % 256, i * 7 % 256, i * 3 % 256)])
    for img in (pal, Image.fromarray(labels), Image.fromarray(labels.astype(np.uint16))):
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        decoded = decode_label_map(buf.getvalue())
        np.testing.assert_array_equal(validate_label_map(decoded, (W, H)), labels)
    with pytest.raises(InvalidArgument) as err:
        decode_label_map(b"not a png")
    assert err.value.reason == "UNDECODABLE_IMAGE"


def test_celebamask_hq_numbering_is_translated():
    labels, areas = synthetic_map()
    to_celebamask = {i: CELEBAMASK_HQ_NAMES.index(name) for i, name in FACE_PARSING_LABELS.items()}
    other = np.vectorize(to_celebamask.get)(labels).astype(np.uint8)
    assert not np.array_equal(other, labels)  # nose, eyes and lips have other ids there
    np.testing.assert_array_equal(validate_label_map(other, (W, H), LabelScheme.CELEBAMASK_HQ), labels)
    image = np.zeros((H, W, 3), np.uint8)
    params = ContourParams.create(regions=["nose", "mouth"], label_scheme="celebamask_hq")
    shapes = compute_contours(ContourInput(image, label_map=other), params).geometry.faces[0].shapes
    assert [s.area() for s in shapes] == pytest.approx([areas["nose"], areas["mouth"]], rel=0.02)


def test_landmarks_only_align_the_map_contours(astronaut_landmarks):
    """With a map and landmarks, contours come from the map and are moved into the aligned crop."""
    labels = np.zeros((512, 512), np.uint8)
    labels[100:140, 200:260] = 10
    image = np.zeros((512, 512, 3), np.uint8)
    params = ContourParams.create(regions=["nose"], align=True, space="aligned")
    result = compute_contours(ContourInput(image, astronaut_landmarks, labels), params)
    geo = result.geometry
    assert geo.source.value == "segmentation_map" and geo.alignment is not None
    assert geo.faces[0].shapes[0].area() == pytest.approx(40 * 60, rel=1e-6)  # rotation keeps the area
    back = geo.faces[0].shapes[0].transformed(geo.alignment.inverse).rings[0].points
    assert back.min(axis=0) == pytest.approx((199.5, 99.5), abs=1e-6)
