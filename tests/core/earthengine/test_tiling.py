"""Tiling: requests within Earth Engine's limits, whole pixels, no gaps or overlaps."""

import pytest
from affine import Affine
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.earthengine.source import DEFAULT_TILE_SIDE
from cloudscore_composite.plugin.core.earthengine.tiling import (
    MAX_REQUEST_BYTES,
    MAX_REQUEST_SIDE,
    request_bytes,
    split_grid,
    tile_side,
)
from cloudscore_composite.plugin.core.grid import Grid
from rasterio.crs import CRS

from ...fake_earthengine import FakeEarthEngine
from .conftest import END, START, demo_aoi

ALL_REFLECTANCE = 13 * 2  # bytes per pixel of every Sentinel-2 band as uint16


def test_tile_side_fits_the_limits():
    assert MAX_REQUEST_BYTES == 50331648
    side = tile_side(ALL_REFLECTANCE)
    assert side * side * ALL_REFLECTANCE <= MAX_REQUEST_BYTES and side % 256 == 0
    assert (side + 256) ** 2 * ALL_REFLECTANCE > MAX_REQUEST_BYTES
    assert side == DEFAULT_TILE_SIDE
    assert tile_side(1, max_bytes=2**31) == MAX_REQUEST_SIDE  # here the side limit binds, not the size
    assert tile_side(26, max_bytes=1000) == 6
    with pytest.raises(ValueError):
        tile_side(0)


def test_a_grid_over_the_limits_splits_into_aligned_tiles_without_gaps_or_overlaps():
    # 100 km x 80 km at 2 m: 50000 x 40000 px, far over 48 MiB and over 32768 px a side in one request
    grid = Grid(CRS.from_epsg(32633), Affine(2.0, 0, 400000.0, 0, -2.0, 5100000.0), 50000, 40000)
    side = tile_side(ALL_REFLECTANCE)
    tiles = split_grid(grid, side)
    assert len(tiles) == -(-50000 // side) * -(-40000 // side)
    area = 0
    for tile in tiles:
        w = tile.window
        assert request_bytes(tile, ALL_REFLECTANCE) <= MAX_REQUEST_BYTES
        assert tile.grid.width <= MAX_REQUEST_SIDE and tile.grid.height <= MAX_REQUEST_SIDE
        # the tile's grid is the target grid shifted by whole pixels
        assert tile.grid.transform == grid.transform * Affine.translation(w.col_off, w.row_off)
        assert (tile.grid.width, tile.grid.height) == (w.width, w.height)
        area += w.width * w.height
    assert area == grid.width * grid.height
    # no overlap: windows sorted row by row touch edge to edge
    rows = sorted({t.window.row_off for t in tiles})
    cols = sorted({t.window.col_off for t in tiles})
    assert rows == list(range(0, 40000, side)) and cols == list(range(0, 50000, side))
    assert len({t.key for t in tiles}) == len(tiles)


def test_fetch_splits_what_one_request_could_not_hold(retry, tmp_path, demo_grid):
    limit = 64 * 1024  # a server with a small limit stands for a large AOI on the real one
    with FakeEarthEngine(max_bytes=limit) as server:
        from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

        bands = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12", "cs", "cs_cdf"]
        whole = EarthEngineSource(
            "COPERNICUS/S2_HARMONIZED",
            project="p",
            cache_dir=tmp_path / "a",
            api_url=server.url,
            credentials="fake-access-token",
            retry=retry,
            tile_size=1000,
            max_workers=1,
        )
        scenes = whole.search(START, END, *demo_aoi(demo_grid))
        with pytest.raises(
            EarthEngineError,
            match=r"HTTP 400\): Total request size \(262600 bytes\) must be less "
            r"than or equal to 65536 bytes",
        ):
            whole.fetch(scenes[:1], bands, demo_grid)
        assert server.count("getPixels") == 1  # a 400 is not retried

        tiled = EarthEngineSource(
            "COPERNICUS/S2_HARMONIZED",
            project="p",
            cache_dir=tmp_path / "b",
            api_url=server.url,
            credentials="fake-access-token",
            retry=retry,
            tile_size=tile_side(ALL_REFLECTANCE, max_bytes=limit),
        )
        server.reset_log()
        tiled.fetch(scenes[:1], bands, demo_grid)
        sizes = [body["grid"]["dimensions"] for body in server.requests_of("getPixels")]
        assert len(sizes) == 2 * 2 * 3  # reflectance and scores, 2 x 3 tiles of 50 px
        assert sum(s["width"] * s["height"] for s in sizes) == 2 * 100 * 101
