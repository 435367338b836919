"""The local engine at the I/O floor (issue 17): scenes opened once per thread and closed however a run ends, blocks
that follow the scenes' tiles, reads straight into the block buffer, the sorting network, compression on GDAL's
threads and ZSTD, with every result as it was."""

import hashlib
import os
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

from cloudscore_composite.plugin.core import raster_output
from cloudscore_composite.plugin.core.compositing import composite, sorting_network
from cloudscore_composite.plugin.core.errors import Cancelled, ReadError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.open_datasets import DatasetCache
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, auto_block_size, run_composite
from cloudscore_composite.plugin.core.score_raster import read_bands

from ..conftest import DEMO_DIR

START, END = date(2015, 7, 1), date(2015, 10, 1)

# sha256 of the pixels (``read().tobytes()``) of the demo composites written before issue 17 (commit 8089821):
# the work of this issue must leave every result bit for bit as it was.
BEFORE = {
    "median": "227291d1224a68241e2d05d6e13673deba49f43658e25ab9b3032faabd091070",
    "percentiles": "fd149bb2701dd7d1d9ba73999908d9a987755e91191df0202c0eb870e7381641",
    "best_byte": "5f0d1f2ce2f3213ba8f1192e476dac12ee64481eeaa21356e12705a1db07f821",
    "mean_cog": "c5aa3528d9143646890d31b0f57a8ad20aeaf086c046e87898615080ca52ce01",
}
OPTIONS = {
    "median": {},
    "percentiles": dict(method="percentiles"),
    "best_byte": dict(method="best", scale_to_byte=True),
    "mean_cog": dict(method="mean", output_format="COG"),
}


def request(output, **changes):
    fields = dict(start=START, end=END, qa_band="clear", output=output, threshold=0.6)
    fields.update(changes)
    return CompositeRequest(**fields)


def open_files_under(folder: Path) -> list:
    """The files under ``folder`` this process holds open now (from /proc/self/fd)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def pixels_digest(path: Path) -> str:
    with rasterio.open(path) as src:
        return hashlib.sha256(src.read().tobytes()).hexdigest()


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc/self/fd")


@pytest.fixture
def scenes(tmp_path):
    """A copy of the demo scenes (so that the files open are told from any other test's)."""
    folder = tmp_path / "scenes"
    folder.mkdir()
    for path in DEMO_DIR.glob("*.tif"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.mark.parametrize("name", list(BEFORE))
def test_results_are_bit_for_bit_those_before_issue_17(tmp_path, name):
    output = tmp_path / f"{name}.tif"
    run_composite(request(output, **OPTIONS[name]), FolderSource(DEMO_DIR))
    assert pixels_digest(output) == BEFORE[name]
    with rasterio.open(output) as out:
        assert out.compression.name == "deflate" and out.tags(ns="IMAGE_STRUCTURE")["PREDICTOR"] == "2"


def test_scenes_stay_open_during_the_run_and_are_all_closed_at_the_end(tmp_path, scenes):
    source = FolderSource(scenes)
    seen = []
    reads = []
    original = source.read_block

    def read_block(*args, **kwargs):
        reads.append(threading.get_ident())
        seen.append(len(open_files_under(scenes)))
        return original(*args, **kwargs)

    source.read_block = read_block
    run_composite(request(tmp_path / "c.tif", block_size=32, threads=2), source)
    files = len(source.scenes)
    # every file is opened once per thread: never more handles than files x threads, and most reads find theirs open
    assert max(seen) <= files * len(set(reads)) and max(seen) >= files
    assert len(reads) > 4 * files
    assert open_files_under(scenes) == []


def test_a_cancel_closes_every_scene(tmp_path, scenes):
    source = FolderSource(scenes)
    reads = []
    original = source.read_block

    def read_block(*args, **kwargs):
        reads.append(1)
        return original(*args, **kwargs)

    source.read_block = read_block
    with pytest.raises(Cancelled):
        run_composite(request(tmp_path / "c.tif", block_size=32), source, is_canceled=lambda: len(reads) >= 12)
    assert open_files_under(scenes) == [] and not (tmp_path / "c.tif").exists()


def test_a_failed_read_closes_every_scene(tmp_path, scenes):
    source = FolderSource(scenes)
    reads = []
    original = source.read_block

    def read_block(*args, **kwargs):
        reads.append(1)
        if len(reads) == 9:
            raise ReadError("cannot read scene file x.tif: injected", Path("x.tif"), "injected")
        return original(*args, **kwargs)

    source.read_block = read_block
    with pytest.raises(ReadError, match="injected"):
        run_composite(request(tmp_path / "c.tif", block_size=32), source)
    assert open_files_under(scenes) == []


def test_the_dataset_cache_keeps_one_handle_per_file_and_thread_and_bounds_them(scenes):
    paths = sorted(scenes.glob("*.tif"))
    with DatasetCache(max_open=3) as cache:
        first = cache.open(paths[0])
        assert cache.open(paths[0]) is first  # the same handle again in this thread
        other = []
        thread = threading.Thread(target=lambda: other.append(cache.open(paths[0])))
        thread.start()
        thread.join()
        assert other[0] is not first and cache.open_count() == 2  # another thread, its own handle
        for path in paths:
            cache.open(path)
        assert cache.open_count() == 4 and first.closed  # 3 in this thread, the oldest closed; 1 in the other
    assert cache.open_count() == 0 and open_files_under(scenes) == []
    with pytest.raises(RuntimeError, match="closed"):
        cache.open(paths[0])


def write_tiled_scenes(folder: Path, count: int, size: int, tile: int, origin=(500000.0, 5100000.0)) -> None:
    """``count`` float32 scenes of B2, B3, B4 and a clear score ``cs``, in ``tile`` px internal tiles."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for index in range(count):
        stamp = f"202107{index + 1:02d}T100000"
        profile = dict(
            driver="GTiff",
            width=size,
            height=size,
            count=4,
            dtype="float32",
            crs="EPSG:32633",
            transform=from_origin(origin[0], origin[1], 10, 10),
            tiled=True,
            blockxsize=tile,
            blockysize=tile,
        )
        with rasterio.open(folder / f"{stamp}_{stamp}_T33TVL.tif", "w", **profile) as dst:
            for band, name in enumerate(("B2", "B3", "B4", "cs"), start=1):
                dst.set_band_description(band, name)
            dst.write(rng.integers(200, 4000, (3, size, size)).astype(np.float32), indexes=[1, 2, 3])
            dst.write(rng.random((size, size), dtype=np.float32), indexes=4)


def test_blocks_are_a_multiple_of_the_scenes_tiles_when_the_tiles_line_up(tmp_path):
    write_tiled_scenes(tmp_path / "tiled", 3, 600, 512)
    source = FolderSource(tmp_path / "tiled")
    scene = source.scenes[0]
    own = Grid(scene.crs, scene.transform, scene.width, scene.height)
    assert source.scene_tile_side(source.scenes, own) == 512
    side = auto_block_size(3, 4, 1, 2, tile=source.scene_tile_side(source.scenes, own))
    assert side % 512 == 0
    # a grid starting 100 px into the tiles: the tiles do not line up with the blocks
    shifted = Grid(scene.crs, scene.transform * scene.transform.translation(100, 0), 500, 600)
    assert source.scene_tile_side(source.scenes, shifted) is None
    # the demo scenes are stored in strips: no tile to follow
    demo = FolderSource(DEMO_DIR)
    first = demo.scenes[0]
    assert demo.scene_tile_side(demo.scenes, Grid(first.crs, first.transform, first.width, first.height)) is None


def test_reads_land_in_the_buffer_given_and_equal_a_fresh_read():
    path = sorted(DEMO_DIR.glob("*.tif"))[0]
    with rasterio.open(path) as src:
        grid = Grid(src.crs, src.transform, src.width, src.height)
        for window in (Window(10, 20, 40, 30), Window(80, 90, 40, 30)):  # inside; over the right and bottom edges
            fresh, fresh_valid = read_bands(src, [4, 14], window, grid, scaled=[14])
            buffer = np.full((3, 2, 30, 40), -1.0, dtype=np.float32)
            data, valid = read_bands(src, [4, 14], window, grid, scaled=[14], out=buffer[1])
            assert data is buffer[1] or np.shares_memory(data, buffer[1])
            assert np.array_equal(buffer[1], fresh) and np.array_equal(valid, fresh_valid)
            assert (buffer[0] == -1).all() and (buffer[2] == -1).all()
        with pytest.raises(ValueError, match="float32 of shape"):
            read_bands(src, [4], Window(0, 0, 5, 5), grid, out=np.zeros((1, 5, 5), dtype=np.float64))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 11, 12])
def test_the_sorting_network_sorts_every_input_of_zeros_and_ones(size):
    # the 0-1 principle: a comparator network that sorts every 0/1 input sorts every input
    inputs = ((np.arange(2**size)[np.newaxis] >> np.arange(size)[:, np.newaxis]) & 1).astype(np.float32)
    for low, high in sorting_network(size):
        low_values = np.minimum(inputs[low], inputs[high])
        inputs[high] = np.maximum(inputs[low], inputs[high])
        inputs[low] = low_values
    assert (np.diff(inputs, axis=0) >= 0).all()


@pytest.mark.parametrize("scenes", [24, 70])  # the sorting network, and numpy's sort beyond 64 scenes
def test_order_statistics_equal_numpy_for_shallow_and_deep_stacks(scenes):
    rng = np.random.default_rng(scenes)
    stack = rng.integers(1, 5000, (scenes, 2, 20, 30)).astype(np.uint16)
    clear = rng.random((scenes, 20, 30)) < 0.5
    clear[:, 0, 0] = False  # a pixel without a clear observation
    values = np.where(clear[:, np.newaxis], stack.astype(np.float64), np.nan)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected_median = np.nanmedian(values, axis=0)
        expected_percentiles = np.nanpercentile(values, [10, 50, 90], axis=0)
    median, count = composite(stack, clear, "median")
    percentiles, _ = composite(stack, clear, "percentiles", (10, 50, 90))
    assert np.array_equal(median[:, 0], expected_median, equal_nan=True)
    assert np.array_equal(np.moveaxis(percentiles, 1, 0), expected_percentiles, equal_nan=True)
    assert np.array_equal(count, clear.sum(axis=0))


@pytest.mark.parametrize("output_format", ["GTiff", "COG"])
def test_zstd_writes_a_readable_file_with_the_same_pixels(tmp_path, output_format):
    if "ZSTD" not in raster_output.available_compressions():
        pytest.skip("this GDAL has no ZSTD")
    deflate, zstd = tmp_path / "deflate.tif", tmp_path / "zstd.tif"
    source = FolderSource(DEMO_DIR)
    run_composite(request(deflate, output_format=output_format), source)
    run_composite(request(zstd, output_format=output_format, compression="zstd"), source)
    with rasterio.open(deflate) as a, rasterio.open(zstd) as b:
        assert b.compression.name == "zstd" and a.compression.name == "deflate"
        assert np.array_equal(a.read(), b.read()) and a.tags() == b.tags() and a.descriptions == b.descriptions


def test_an_unknown_compression_is_refused_naming_the_field(tmp_path):
    with pytest.raises(Exception, match="COMPRESSION: compression 'LZW' is not available.*DEFLATE"):
        run_composite(request(tmp_path / "c.tif", compression="LZW"), FolderSource(DEMO_DIR))
    assert not (tmp_path / "c.tif").exists()


def test_compression_on_gdal_threads_writes_the_same_file_as_one_thread(tmp_path, monkeypatch):
    source = FolderSource(DEMO_DIR)
    threaded, single = tmp_path / "threaded.tif", tmp_path / "single.tif"
    run_composite(request(threaded, block_size=32), source)
    monkeypatch.setattr(raster_output, "compression_options", lambda compression: {})
    run_composite(request(single, block_size=32), source)
    assert threaded.read_bytes() == single.read_bytes()


def test_only_the_runs_readers_keep_files_open(tmp_path, scenes):
    # another task reading the same source during a run (the dock's scene table) opens and closes its own handles
    source = FolderSource(scenes)
    scene = source.scenes[0]
    grid = Grid(scene.crs, scene.transform, scene.width, scene.height)
    with source.kept_open():
        source.read_block(scene, ["B4", "clear"], grid, Window(0, 0, 10, 10))
        assert open_files_under(scenes) == []
        with source.reading_here():
            source.read_block(scene, ["B4", "clear"], grid, Window(0, 0, 10, 10))
        assert len(open_files_under(scenes)) == 1  # kept for the run's next block
    assert open_files_under(scenes) == []


def test_gdal_cache_is_small_during_a_run_and_restored_after(tmp_path):
    from rasterio.env import get_gdal_config

    from cloudscore_composite.plugin.core.open_datasets import GDAL_CACHE_MB

    before = get_gdal_config("GDAL_CACHEMAX")
    source = FolderSource(DEMO_DIR)
    during = []
    original = source.read_block

    def read_block(*args, **kwargs):
        during.append(get_gdal_config("GDAL_CACHEMAX"))
        return original(*args, **kwargs)

    source.read_block = read_block
    run_composite(request(tmp_path / "c.tif", block_size=64), source)
    assert set(during) == {GDAL_CACHE_MB * 2**20} and get_gdal_config("GDAL_CACHEMAX") == before
