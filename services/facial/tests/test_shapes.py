import numpy as np

from services.facial.domain.shapes import (
    RegionShape,
    Ring,
    apply_affine,
    catmull_rom_closed,
    offset_ring,
    signed_area,
)

SQUARE = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])


def test_catmull_rom_passes_through_its_points_and_stays_near_a_circle():
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    pts = np.stack([50 + 20 * np.cos(angles), 50 + 20 * np.sin(angles)], axis=1)
    curve = catmull_rom_closed(pts, samples_per_segment=8)
    assert curve.shape == (96, 2)
    np.testing.assert_allclose(curve[::8], pts, atol=1e-9)
    radius = np.linalg.norm(curve - 50, axis=1)
    assert np.all(np.abs(radius - 20) < 0.3)


def test_catmull_rom_handles_duplicates_and_tiny_inputs():
    pts = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [5.0, 5.0]])
    curve = catmull_rom_closed(pts)
    assert np.all(np.isfinite(curve))
    assert catmull_rom_closed(pts[:2]).shape == (2, 2)


def test_offset_square_outwards_and_inwards():
    grown = offset_ring(SQUARE, 0.5)
    assert abs(abs(signed_area(grown)) - 121.0) < 1e-9
    shrunk = offset_ring(SQUARE[::-1], 1.0, outward=False)
    assert abs(abs(signed_area(shrunk)) - 64.0) < 1e-9


def test_region_area_subtracts_holes_and_transforms():
    shape = RegionShape("x", (Ring(SQUARE), Ring(SQUARE * 0.5 + 2.5, hole=True)))
    assert shape.has_holes
    assert shape.area() == 100 - 25
    m = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, -1.0]])
    assert shape.transformed(m).area() == 4 * 75
    np.testing.assert_allclose(apply_affine(m, [[1.0, 1.0]]), [[3.0, 1.0]])
