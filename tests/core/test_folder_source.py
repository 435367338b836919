"""The folder source on the real demo scenes, and on files made broken or shifted on purpose."""

from datetime import date

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from cloudscore_composite.plugin.core.errors import InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import grid_from_aoi

from ..conftest import DEMO_DIR
from .demo_reference import read_demo


TEN_METRE_GRID = from_origin(465000, 5081000, 10, 10)


def write_scene(path, data, names, transform=TEN_METRE_GRID, crs="EPSG:32633", **kwargs):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[2],
        height=data.shape[1],
        count=data.shape[0],
        dtype=data.dtype,
        crs=crs,
        transform=transform,
        **kwargs,
    ) as dst:
        dst.write(data)
        for index, name in enumerate(names, start=1):
            dst.set_band_description(index, name)


def test_demo_folder_has_five_scenes_in_time_order():
    source = FolderSource(DEMO_DIR)
    assert [s.time.date().isoformat() for s in source.scenes] == [
        "2015-07-11",
        "2015-07-31",
        "2015-08-20",
        "2015-08-30",
        "2015-09-09",
    ]
    assert {s.tile for s in source.scenes} == {"33TVL"}
    assert source.qa_bands() == ["clear"]
    assert source.scenes[0].spectral_bands[:3] == ("B1", "B2", "B3") and len(source.scenes[0].spectral_bands) == 13


def test_search_takes_start_and_leaves_end_out():
    source = FolderSource(DEMO_DIR)
    assert [s.time.day for s in source.search(date(2015, 7, 11), date(2015, 8, 20))] == [11, 31]
    assert [s.time.day for s in source.search(date(2015, 8, 20), date(2015, 8, 31))] == [20, 30]


def test_search_by_aoi_in_another_crs():
    source = FolderSource(DEMO_DIR)
    inside = (14.555, 45.868, 14.560, 45.872)
    far = (13.0, 45.0, 13.1, 45.1)
    assert len(source.search(date(2015, 1, 1), date(2016, 1, 1), inside, "EPSG:4326")) == 5
    assert source.search(date(2015, 1, 1), date(2016, 1, 1), far, "EPSG:4326") == []


def test_reading_on_the_scene_grid_returns_the_file_values():
    source = FolderSource(DEMO_DIR)
    scene = source.scenes[0]
    grid = grid_from_aoi(
        scene.bounds,
        scene.crs,
        scene.crs,
        (scene.transform.a, -scene.transform.e),
        origin=(scene.transform.c, scene.transform.f),
    )
    window = next(grid.blocks(4096))
    data, valid = source.read_block(scene, ["B4", "clear"], grid, window)
    ids, reflectance, scores, names = read_demo()
    index = ids.index(scene.scene_id)
    assert data.dtype == np.float32 and data.shape == (2, 101, 100)
    assert np.array_equal(data[0], reflectance[index, names.index("B4")])
    assert np.array_equal(data[1], scores[index])
    assert valid.all()


def test_pixels_outside_the_scene_and_nodata_are_not_valid(tmp_path):
    data = np.full((2, 4, 4), 500, dtype=np.uint16)
    data[0, 0, 0] = 0  # nodata
    write_scene(tmp_path / "20200101T000000_20200101T000000_T33TVL.tif", data, ["B4", "cs"], nodata=0)
    source = FolderSource(tmp_path)
    scene = source.scenes[0]
    # a grid two pixels wider on each side than the scene
    grid = grid_from_aoi((464980, 5080940, 465060, 5081020), "EPSG:32633", "EPSG:32633", 10)
    out, valid = source.read_block(scene, ["B4", "cs"], grid, next(grid.blocks(64)))
    assert out.shape == (2, 8, 8)
    assert valid[0].sum() == 15 and valid[1].sum() == 16
    assert not valid[:, :2].any() and not valid[:, :, :2].any()


def test_qa_band_scale_is_applied(tmp_path):
    data = np.stack([np.full((3, 3), 1000, np.uint16), np.full((3, 3), 65, np.uint16)])
    path = tmp_path / "20200101T000000_20200101T000000_T33TVL.tif"
    write_scene(path, data, ["B4", "cs"])
    with rasterio.open(path, "r+") as dst:
        dst.scales = (1.0, 0.01)
    source = FolderSource(tmp_path)
    grid = grid_from_aoi(source.scenes[0].bounds, "EPSG:32633", "EPSG:32633", 10, origin=(465000, 5081000))
    out, _ = source.read_block(source.scenes[0], ["B4", "cs"], grid, next(grid.blocks(64)))
    assert out[0, 0, 0] == 1000 and out[1, 0, 0] == pytest.approx(0.65)


def test_unusable_files_are_skipped_and_an_empty_folder_is_refused(tmp_path):
    data = np.ones((1, 3, 3), np.uint16)
    write_scene(tmp_path / "no_date.tif", data, ["B4"])
    write_scene(tmp_path / "20200101T000000_20200101T000000_T33TVL.tif", data, [""])
    (tmp_path / "20200101T000000_20200101T000000_T33TUL.tif").write_text("not a raster")
    with pytest.raises(InputError, match="INPUT: .*holds no Sentinel-2 scene"):
        FolderSource(tmp_path)
    with pytest.raises(InputError, match="INPUT: .*does not exist"):
        FolderSource(tmp_path / "missing")
    with pytest.raises(InputError, match="INPUT: choose the folder"):
        FolderSource("")


def test_direct_reads_on_the_scene_lattice_equal_warped_reads():
    from rasterio.windows import Window

    from cloudscore_composite.plugin.core.score_raster import _read_aligned, _read_warped, lattice_offset

    source = FolderSource(DEMO_DIR)
    scene = source.scenes[2]
    res = scene.transform.a
    left, bottom, right, top = scene.bounds
    # a grid on the scene's lattice, 7 px beyond its left and top edges and 5 px inside the others
    grid = grid_from_aoi(
        (left - 7 * res, bottom + 5 * res, right - 5 * res, top + 7 * res),
        scene.crs,
        scene.crs,
        (res, -scene.transform.e),
        origin=(scene.transform.c, scene.transform.f),
    )
    window = Window(3, 2, 60, 70)
    with rasterio.open(scene.path) as src:
        offset = lattice_offset(src, grid)
        assert offset == (-7, -7)
        direct, direct_inside = _read_aligned(src, [4, 14], window, offset)
        warped, warped_inside = _read_warped(src, [4, 14], window, grid)
    assert np.array_equal(direct_inside, warped_inside) and not direct_inside.all()
    assert np.array_equal(direct[direct_inside], warped[warped_inside])
