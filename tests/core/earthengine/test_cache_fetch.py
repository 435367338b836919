"""Fetch into the tile cache: cache hits, resume after a cancel, corrupt entries, the estimate and the ceiling."""

import threading
import time

import numpy as np
import pytest
import rasterio
from cloudscore_composite.plugin.core.earthengine import cache as cache_module
from cloudscore_composite.plugin.core.earthengine.cache import TILES_SUBFOLDER
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.earthengine.fetch import (
    MAX_WORKERS,
    FetchEstimate,
    check_ceiling,
    pixel_grid,
    raise_first_failure,
    run_requests,
)
from cloudscore_composite.plugin.core.earthengine.source import DEFAULT_TILE_SIDE
from cloudscore_composite.plugin.core.earthengine.tiling import split_grid
from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import Grid
from rasterio.crs import CRS

from ...conftest import DEMO_DIR
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
    assert planned.megabytes == pytest.approx(pixels * (3 * 2 + 1 * 4) / 2**20)
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
    with pytest.raises(
        InputError,
        match=r"EXTENT: this Earth Engine fetch needs about 0\.5 MB in 40 request\(s\), "
        r"over the ceiling of 0\.25 MB",
    ):
        source.fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == 0
    make_source(ceiling_mb=1).fetch(scenes, BANDS, demo_grid)
    assert server.count("getPixels") == REQUESTS


def test_a_second_run_with_a_band_subset_fetches_nothing_and_more_bands_fetch_only_those(
    make_source, demo_grid, server
):
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
        source.fetch(
            scenes,
            BANDS,
            demo_grid,
            progress=lambda done, total: seen.append(done),
            is_canceled=lambda: len(seen) > 1 and seen[-1] >= 6,
        )
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


def test_clear_empties_the_cache_and_leaves_other_files_of_the_folder(make_source, demo_grid, server):
    source = make_source()
    scenes = searched(source, demo_grid)
    foreign = source.cache.folder / "notes" / "my-notes.txt"  # the user chose a folder that holds other things
    foreign.parent.mkdir(parents=True)
    foreign.write_text("keep me")
    (source.cache.folder / "readme.txt").write_text("keep me too")
    source.fetch(scenes, ["B4"], demo_grid)
    assert source.cache.size_bytes() > 0
    assert all(TILES_SUBFOLDER in p.relative_to(source.cache.folder).parts for p in source.cache.folder.rglob("*.tif"))
    source.clear_cache()
    assert source.cache.size_bytes() == 0 and source.cache.folder.is_dir()
    assert foreign.read_text() == "keep me" and (source.cache.folder / "readme.txt").read_text() == "keep me too"
    assert source.estimate(scenes, ["B4"], demo_grid).requests == 5 * 4


def test_checksums_are_verified_once_per_process_not_by_every_new_cache(make_source, demo_grid, server, monkeypatch):
    source = make_source()
    scenes = searched(source, demo_grid)
    source.fetch(scenes, ["B4"], demo_grid)
    hashed = []
    original = cache_module._digest
    monkeypatch.setattr(cache_module, "_digest", lambda path: hashed.append(path) or original(path))
    make_source()  # building a source reads nothing
    assert hashed == []
    assert make_source().estimate(scenes, ["B4"], demo_grid).requests == 0
    first = len(hashed)
    assert first == 5 * 4  # each of the 5 scenes x 4 tiles verified once (what the fetch wrote is not yet known)
    assert make_source().estimate(scenes, ["B4"], demo_grid).requests == 0
    assert len(hashed) == first  # a new cache on the same folder verifies nothing again


@pytest.mark.parametrize("misplace", ["transform", "crs"])
def test_a_tile_on_another_grid_is_fetched_again(make_source, demo_grid, server, sleeps, misplace):
    server.add_fault("getPixels", misplace=misplace)
    source = make_source(max_workers=1)
    scenes = searched(source, demo_grid)
    source.fetch(scenes[:1], ["B4"], demo_grid)
    assert len(sleeps) == 1 and server.count("getPixels") == 4 + 1
    data, _valid = source.read_block(scenes[0], ["B4"], demo_grid, next(demo_grid.blocks(256)))
    with rasterio.open(FolderSource(DEMO_DIR).scenes[0].path) as src:
        expected = src.read(src.descriptions.index("B4") + 1)
    assert np.array_equal(data[0], expected)


def test_a_real_failure_is_not_hidden_by_the_requests_it_stopped():
    from concurrent.futures import Future

    stopped, failed = Future(), Future()
    stopped.set_exception(Cancelled("cancelled by the user"))
    failed.set_exception(EarthEngineError("HTTP 500: boom", 500))
    with pytest.raises(EarthEngineError, match="boom"):
        raise_first_failure([stopped, failed])
    with pytest.raises(Cancelled):
        raise_first_failure([stopped])
    raise_first_failure([])


def test_run_requests_raises_the_failure_of_one_request_not_the_cancel_of_the_others():
    started = threading.Event()

    def fetch_one(request, should_stop):
        if request == "waits":
            started.set()
            while not should_stop():  # stopped because the other request failed
                time.sleep(0.01)
            raise Cancelled("cancelled by the user")
        started.wait(5)
        raise EarthEngineError("HTTP 400: Image.select: Pattern 'B99' did not match any bands.", 400)

    with pytest.raises(EarthEngineError, match="B99"):
        run_requests(["waits", "fails"], fetch_one, max_workers=2)


def test_pixel_grid_names_an_epsg_crs_by_code_and_any_other_by_wkt(demo_grid):
    tile = split_grid(demo_grid, 64)[0]
    assert pixel_grid(tile)["crsCode"] == "EPSG:32633" and "crsWkt" not in pixel_grid(tile)
    custom = CRS.from_string("+proj=utm +zone=33 +a=6378000 +b=6357000 +units=m +no_defs")
    other = split_grid(Grid(custom, demo_grid.transform, 10, 10), 64)[0]
    assert "crsCode" not in pixel_grid(other) and CRS.from_wkt(pixel_grid(other)["crsWkt"]) == custom


def test_limits_are_clamped_with_a_warning_and_a_ceiling_of_zero_or_less_is_none(make_source, caplog):
    assert make_source(max_workers=100).max_workers == MAX_WORKERS == 40
    assert "requests in flight" in caplog.text and "outside 1..40: using 40" in caplog.text
    assert make_source(max_workers=0).max_workers == 1
    assert make_source(tile_size=10**6).tile_size == DEFAULT_TILE_SIDE
    assert make_source(ceiling_mb=0).ceiling_mb is None and make_source(ceiling_mb=-5).ceiling_mb is None
    check_ceiling(FetchEstimate(10, 5000.0), -5)  # no ceiling: no error
    with pytest.raises(InputError, match="over the ceiling of 100 MB"):
        check_ceiling(FetchEstimate(10, 5000.0), 100)


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
