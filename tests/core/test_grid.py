"""The target grid: snapping, reprojection of the AOI, blocks, bad input."""

import pytest
from rasterio.crs import CRS

from cloudscore_composite.plugin.core.errors import InputError
from cloudscore_composite.plugin.core.grid import grid_from_aoi, intersection, union


def test_grid_snaps_outwards_to_the_pixel_lattice_through_the_origin():
    grid = grid_from_aoi((1003.0, 2001.0, 1047.0, 2019.0), "EPSG:32633", "EPSG:32633", 10, origin=(0.0, 0.0))
    assert grid.bounds == (1000.0, 2000.0, 1050.0, 2020.0)
    assert grid.shape == (2, 5)
    assert grid.resolution == (10.0, 10.0)


def test_grid_on_a_scene_origin_keeps_that_scene_grid():
    origin = (465181.0522318204, 5080254.63349641)
    res = (9.99479222007154, 9.997448467363668)
    aoi = (465181.0522318204, 5079244.8912012065, 466180.53145382757, 5080254.63349641)
    grid = grid_from_aoi(aoi, "EPSG:32633", "EPSG:32633", res, origin=origin)
    assert grid.shape == (101, 100)
    assert grid.transform.c == pytest.approx(origin[0]) and grid.transform.f == pytest.approx(origin[1])


def test_aoi_in_degrees_is_reprojected_and_covered():
    # the demo patch's bounds (EPSG:32633) as a box in EPSG:4326 (which holds the whole patch)
    patch = (465181.05, 5079244.89, 466180.53, 5080254.63)
    aoi = (14.551339788130472, 45.86588941280985, 14.564289241321546, 45.87502718797399)
    grid = grid_from_aoi(aoi, "EPSG:4326", "EPSG:32633", 20)
    left, bottom, right, top = grid.bounds
    assert grid.crs == CRS.from_epsg(32633)
    assert left <= patch[0] and bottom <= patch[1] and right >= patch[2] and top >= patch[3]
    assert max(patch[0] - left, patch[1] - bottom, right - patch[2], top - patch[3]) < 60
    assert left % 20 == 0 and top % 20 == 0


def test_blocks_tile_the_grid_when_the_size_does_not_divide_it():
    grid = grid_from_aoi((0, 0, 1030, 770), "EPSG:32633", "EPSG:32633", 10)
    blocks = list(grid.blocks(40))
    covered = sum(b.width * b.height for b in blocks)
    assert covered == grid.width * grid.height
    assert {(b.col_off, b.row_off) for b in blocks} == {(c, r) for r in range(0, 77, 40) for c in range(0, 103, 40)}
    assert blocks[-1].width == 103 - 80 and blocks[-1].height == 77 - 40


@pytest.mark.parametrize("resolution", [0, -10, float("nan"), (10, 0)])
def test_resolution_must_be_positive(resolution):
    with pytest.raises(InputError, match="RESOLUTION") as error:
        grid_from_aoi((0, 0, 100, 100), "EPSG:32633", "EPSG:32633", resolution)
    assert error.value.field == "RESOLUTION"


def test_grid_crs_must_be_in_metres():
    with pytest.raises(InputError, match="CRS: .*not a projected CRS in metres"):
        grid_from_aoi((14, 45, 15, 46), "EPSG:4326", "EPSG:4326", 10)


def test_empty_aoi_is_refused():
    with pytest.raises(InputError, match="EXTENT: .*empty"):
        grid_from_aoi((10, 10, 10, 20), "EPSG:32633", "EPSG:32633", 10)


def test_intersection_and_union():
    assert intersection((0, 0, 10, 10), (5, 5, 20, 20)) == (5, 5, 10, 10)
    assert intersection((0, 0, 10, 10), (10, 0, 20, 10)) is None
    assert union([(0, 0, 10, 10), (5, -5, 20, 5)]) == (0, -5, 20, 10)
