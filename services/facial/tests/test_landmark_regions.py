import cv2
import numpy as np

from services.facial.domain.landmark_regions import region_shapes_from_landmarks
from services.facial.domain.scheme import REGION_LANDMARKS, Region


def _contains(ring: np.ndarray, pt: np.ndarray, tolerance: float = 1.0) -> bool:
    d = cv2.pointPolygonTest(ring.astype(np.float32).reshape(-1, 1, 2), (float(pt[0]), float(pt[1])), True)
    return d >= -tolerance


def test_every_region_encloses_its_landmarks(astronaut_landmarks):
    shapes = region_shapes_from_landmarks(astronaut_landmarks, tuple(Region))
    for region, shape in shapes.items():
        outer = [r.points for r in shape.rings if not r.hole]
        assert len(outer) == 1
        for i in REGION_LANDMARKS[region]:
            assert _contains(outer[0], astronaut_landmarks[i]), (region, i)


def test_face_oval_holes_lie_inside_the_outline_and_do_not_overlap(astronaut_landmarks):
    shape = region_shapes_from_landmarks(astronaut_landmarks, (Region.FACE_OVAL,))[Region.FACE_OVAL]
    outer = next(r.points for r in shape.rings if not r.hole)
    holes = [r.points for r in shape.rings if r.hole]
    assert len(holes) == 6  # two brows, two eyes, nose, mouth
    for hole in holes:
        assert all(_contains(outer, p, 0.0) for p in hole)
    # holes are disjoint: the summed hole area equals the area of their union
    canvas = np.zeros((512, 512), np.int32)
    for hole in holes:
        m = np.zeros((512, 512), np.uint8)
        cv2.fillPoly(m, [np.round(hole).astype(np.int32)], 1)
        canvas += m
    assert canvas.max() == 1
    assert 0.5 * shape.rings[0].area() < shape.area() < shape.rings[0].area()


def test_contours_are_smooth_and_sized_like_a_face(astronaut_landmarks):
    shapes = region_shapes_from_landmarks(astronaut_landmarks, tuple(Region))
    face = shapes[Region.WHOLE_FACE].area()
    eye = shapes[Region.LEFT_EYE].area()
    mouth = shapes[Region.MOUTH].area()
    lips = shapes[Region.UPPER_LIP].area() + shapes[Region.LOWER_LIP].area()
    assert 0.005 < eye / face < 0.03
    assert lips < mouth < 2 * lips  # mouth = both lips + the opening between them
    # the spline has many more points than landmarks (smooth), and no spikes
    ring = shapes[Region.WHOLE_FACE].rings[0].points
    steps = np.linalg.norm(np.diff(ring, axis=0), axis=1)
    assert len(ring) > 100 and steps.max() < 10


def test_symmetric_regions_mirror(astronaut_landmarks):
    shapes = region_shapes_from_landmarks(astronaut_landmarks, tuple(Region))
    left = shapes[Region.LEFT_EYE].rings[0].points.mean(axis=0)
    right = shapes[Region.RIGHT_EYE].rings[0].points.mean(axis=0)
    assert right[0] < left[0]  # subject's right eye is on the image's left
    ratio = shapes[Region.LEFT_EYEBROW].area() / shapes[Region.RIGHT_EYEBROW].area()
    assert 0.7 < ratio < 1.4
