"""Fetch into the tile cache: cache hits, resume after a cancel, corrupt entries, the estimate and the ceiling."""

import numpy as np
import pytest
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.errors import Cancelled, InputError

from .conftest import END, START, demo_aoi

BANDS = ["B2", "B3", "B4", "cs"]
REQUESTS = 5 * 4 * 2  # scenes x tiles x (reflectance, scores)


def searched(source, grid):
    return source.search(START, END, *demo_aoi(grid))


def test_the_estimate_counts_requests_and_megabytes_and_matches_the_fetch(make_source, demo_grid, server):
    source = make_source()
    scenes = searched(source, demo_grid)
    planned = source.estimate(scenes, BANDS, demo_grid)
    pixels = 100 * 101 * 5
    assert planned.requests == REQUESTS and planned.cached == 0
    assert planned.megabytes == pytest.approx(pixels * (3 * 2 + 1 * 4) / 2 ** 20)
    assert "40 request(s), about 0.5 MB" in str(planned)
    progress = []
    source.fetch(scenes, BANDS, demo_grid, progress=lambda done, total: progress.append((done, total)))
    assert server.count("getPixels") == planned.requests
    assert progress[0] == (0, REQUESTS) and progress[-1] == (REQUESTS, REQUESTS)
    after = source.estimate(scenes, BANDS, demo_grid)
    assert (after.requests, after.megabytes, after.cached) == (0, 0.0, REQUESTS)


def test_the_ceiling_refuses_a_larger_fetch_before_any_request(make_source, demo_grid, server):
    source = make_source(ceiling_mb=0.25)
    scenes = searched(source, demo_grid)
    with pytest.raises(InputError, match=r"EXTENT: this Earth Engine fetch needs about 0\.5 MB in 40 request\(s\), "
                                         r"over the ceiling of 0\.25 MB"):
        source.fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == 0
    make_source(ceiling_mb=1).fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == REQUESTS


def test_a_second_run_with_a_band_subset_fetches_nothing_and_more_bands_fetch_only_those(make_source, demo_grid,
                                                                                       server):
    source = make_source()
    scenes = searched(source, demo_grid)
    source.fetch(scenes, BANDS, demo_grid)
    server.reset_log()
    fresh = make_source()  # another run: nothing shared but the cache folder
    fresh.fetch(scenes, ["B4", "cs"], demo_grid)
    assert server.count("getPixels") == 0
    fresh.fetch(scenes, ["B4", "B8", "cs", "cs_cdf"], demo_grid)
    asked = [tuple(body["bandIds"]) for body in server.requests_of("getPixels")]
    assert sorted(set(asked)) == [("B8",), ("cs_cdf",)] and len(asked) == REQUESTS


def test_a_cancelled_fetch_keeps_its_tiles_and_resumes_with_the_missing_ones(make_source, demo_grid, server):
    source = make_source(max_workers=2)
    scenes = searched(source, demo_grid)
    seen = []
    with pytest.raises(Cancelled):
        source.fetch(scenes, BANDS, demo_grid, progress=lambda done, total: seen.append(done),
                     is_canceled=lambda: len(seen) > 1 and seen[-1] >= 6)
    first_run = server.count("getPixels")
    assert 6 <= first_run < REQUESTS
    left = make_source().estimate(scenes, BANDS, demo_grid)
    assert left.requests == REQUESTS - first_run and left.cached == first_run
    server.reset_log()
    make_source().fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == REQUESTS - first_run
    # nothing fetched twice: the union of the two runs' tiles is every tile once
    assert make_source().estimate(scenes, BANDS, demo_grid).requests == 0


def test_a_corrupt_cache_entry_is_detected_and_fetched_again(make_source, demo_grid, server, caplog):
    source = make_source()
    scenes = searched(source, demo_grid)
    source.fetch(scenes, BANDS, demo_grid)
    entry = min(source.cache.folder.rglob("*.tif"))
    content = bytearray(entry.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one flipped byte in the middle of the pixels
    entry.write_bytes(bytes(content))
    server.reset_log()
    fresh = make_source()
    assert fresh.estimate(scenes, BANDS, demo_grid).requests == 1
    assert "is corrupt (checksum mismatch)" in caplog.text
    fresh.fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == 1


def test_read_block_gives_zero_as_nodata_and_needs_a_fetch(make_source, demo_grid):
    source = make_source()
    scenes = searched(source, demo_grid)
    window = next(demo_grid.blocks(128))
    with pytest.raises(EarthEngineError, match="is not in the tile cache"):
        source.read_block(scenes[0], ["B4", "cs"], demo_grid, window)
    source.fetch(scenes[:1], ["B4", "cs"], demo_grid)
    data, valid = source.read_block(scenes[0], ["B4", "cs"], demo_grid, window)
    assert data.shape == valid.shape == (2, 101, 100) and data.dtype == np.float32
    assert valid.all() and 0 < data[1].min() <= data[1].max() <= 1 and data[0].min() >= 1
    # a grid reaching past the scene: pixels outside are 0 and not valid
    from cloudscore_composite.plugin.core.grid import Grid

    wider = Grid(demo_grid.crs, demo_grid.transform, 130, 101)
    source.fetch(scenes[:1], ["B4"], wider)
    data, valid = source.read_block(scenes[0], ["B4"], wider, next(wider.blocks(256)))
    assert valid[0, :, :100].all() and not valid[0, :, 100:].any() and (data[0, :, 100:] == 0).all()


def test_clear_empties_the_cache(make_source, demo_grid, server):
    source = make_source()
    scenes = searched(source, demo_grid)
    source.fetch(scenes, ["B4"], demo_grid)
    assert source.cache.size_bytes() > 0
    source.clear_cache()
    assert source.cache.size_bytes() == 0 and source.cache.folder.is_dir()
    assert source.estimate(scenes, ["B4"], demo_grid).requests == 5 * 4


def test_tiles_outside_a_scenes_footprint_are_not_requested(make_source, demo_grid, server):
    from dataclasses import replace

    from rasterio.warp import transform_bounds

    source = make_source()
    scene = searched(source, demo_grid)[0]
    # a footprint over the western 40 columns only (an orbit's edge): the eastern tiles hold no pixel of it
    left, bottom, _, top = demo_grid.bounds
    west = transform_bounds(demo_grid.crs, "EPSG:4326", left, bottom, left + 40 * demo_grid.transform.a, top)
    ring = [[west[0], west[1]], [west[2], west[1]], [west[2], west[3]], [west[0], west[3]], [west[0], west[1]]]
    edge = replace(scene, footprint={"type": "Polygon", "coordinates": [ring]})
    assert source.estimate([edge], ["B4"], demo_grid).requests == 2  # the two western 64-px tiles of four
    source.fetch([edge], ["B4"], demo_grid)
    _, valid = source.read_block(edge, ["B4"], demo_grid, next(demo_grid.blocks(256)))
    assert valid[0, :, :64].all() and not valid[0, :, 64:].any()
