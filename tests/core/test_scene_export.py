"""Scenes exported to a folder in the folder-source layout, from the real demo scenes."""

import dataclasses
from datetime import date

import numpy as np
import pytest
import rasterio

from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite
from cloudscore_composite.plugin.core.scene_export import clip_grid, export_scenes, scenes_by_id
from cloudscore_composite.plugin.core.source import Source

from ..conftest import DEMO_DIR

AOI_4326 = (14.555, 45.868, 14.560, 45.872)  # inside the demo patch
FIRST = "20150711T100008_20150711T100008_T33TVL"


@pytest.fixture(scope="module")
def demo():
    return FolderSource(DEMO_DIR)


def test_whole_scenes_read_back_the_same(demo, tmp_path):
    result = export_scenes(demo, demo.scenes, tmp_path)
    assert [p.name for p in result.written] == [f"{s.scene_id}.tif" for s in demo.scenes]
    copied = FolderSource(tmp_path)
    for original, copy in zip(demo.scenes, copied.scenes, strict=True):
        assert (copy.scene_id, copy.time, copy.tile, copy.band_names) == (
            original.scene_id,
            original.time,
            original.tile,
            original.band_names,
        )
        with rasterio.open(original.path) as a, rasterio.open(copy.path) as b:
            assert np.array_equal(a.read(), b.read())
            assert (b.crs, b.transform, b.nodata, b.dtypes) == (a.crs, a.transform, a.nodata, a.dtypes)
            assert b.tags()["SYSTEM_INDEX"] == original.scene_id
            assert b.tags()["ACQUISITION_TIME"] == original.time.isoformat()


def test_a_clipped_folder_composites_like_the_whole_one(demo, tmp_path):
    export_scenes(demo, demo.scenes, tmp_path / "clip", AOI_4326, "EPSG:4326")
    with rasterio.open(tmp_path / "clip" / f"{FIRST}.tif") as clipped:
        assert clipped.width < 50 and clipped.height < 50
    outputs = []
    for name, source in (("whole", demo), ("clipped", FolderSource(tmp_path / "clip"))):
        request = CompositeRequest(
            date(2015, 7, 1), date(2015, 10, 1), "clear", tmp_path / f"{name}.tif", aoi=AOI_4326, aoi_crs="EPSG:4326"
        )
        run_composite(request, source)
        with rasterio.open(request.output) as out:
            outputs.append((out.transform, out.read()))
    assert outputs[0][0] == outputs[1][0]
    assert np.array_equal(outputs[0][1], outputs[1][1])


def test_band_subset_and_missing_band(demo, tmp_path):
    result = export_scenes(demo, demo.scenes[:1], tmp_path, bands=["B4", "B3", "B2", "clear"])
    with rasterio.open(result.written[0]) as out:
        assert out.descriptions == ("B4", "B3", "B2", "clear")
        with rasterio.open(demo.scenes[0].path) as src:
            assert np.array_equal(out.read(1), src.read(4))
    with pytest.raises(InputError, match="BANDS: scene .* has no band cs"):
        export_scenes(demo, demo.scenes[:1], tmp_path / "b", bands=["B4", "cs"])


def test_an_aoi_missing_a_scene_writes_nothing_for_it(demo, tmp_path):
    result = export_scenes(demo, demo.scenes, tmp_path, (13.0, 45.0, 13.1, 45.1), "EPSG:4326")
    assert result.files == [] and len(result.outside) == 5
    assert clip_grid(demo.scenes[0], (13.0, 45.0, 13.1, 45.1), "EPSG:4326") is None


def test_cancel_keeps_complete_scenes_only_and_a_rerun_resumes(demo, tmp_path):
    polls = []

    def cancel_on_second_scene():
        polls.append(1)
        return len(polls) >= 2  # one block per demo scene: the second scene is cancelled

    with pytest.raises(Cancelled):
        export_scenes(demo, demo.scenes, tmp_path, is_canceled=cancel_on_second_scene)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{FIRST}.tif"]
    result = export_scenes(demo, demo.scenes, tmp_path)
    assert [p.name for p in result.kept] == [f"{FIRST}.tif"] and len(result.written) == 4


class DelegatingSource(Source):
    """Scenes of a folder presented as non-file scenes (as Earth Engine's are): pixels through read_block."""

    def __init__(self, folder: FolderSource):
        self.folder = folder
        self.fetched = []

    def describe(self):
        return "delegating test source"

    def search(self, start, end, aoi=None, aoi_crs=None, *, is_canceled=None):
        return [dataclasses.replace(s, path=None) for s in self.folder.search(start, end, aoi, aoi_crs)]

    def qa_bands(self):
        return self.folder.qa_bands()

    def fetch(self, scenes, bands, grid, progress=None, is_canceled=None):
        self.fetched.append(([s.scene_id for s in scenes], list(bands), grid))

    def read_block(self, scene, bands, grid, window):
        original = next(s for s in self.folder.scenes if s.scene_id == scene.scene_id)
        return self.folder.read_block(original, bands, grid, window)


def test_scenes_without_a_file_are_fetched_and_written_as_float32(demo, tmp_path):
    source = DelegatingSource(demo)
    scenes = source.search(date(2015, 7, 11), date(2015, 7, 12))
    export_scenes(source, scenes, tmp_path, AOI_4326, "EPSG:4326", bands=["B4", "clear"])
    assert source.fetched[0][:2] == ([FIRST], ["B4", "clear"])
    with rasterio.open(tmp_path / f"{FIRST}.tif") as out, rasterio.open(demo.scenes[0].path) as src:
        window = rasterio.windows.from_bounds(*out.bounds, transform=src.transform)
        assert out.dtypes[0] == "float32" and out.nodata == 0
        assert np.array_equal(out.read(1), src.read(4, window=window.round_offsets().round_lengths()))
    assert FolderSource(tmp_path).scenes[0].time == demo.scenes[0].time


def test_scenes_by_id_searches_the_days_the_ids_name(demo):
    ids = [demo.scenes[2].scene_id, "20150101T000000_20150101T000000_T33TVL", demo.scenes[0].scene_id]
    found, missing = scenes_by_id(demo, ids)
    assert [s.scene_id for s in found] == [demo.scenes[0].scene_id, demo.scenes[2].scene_id]
    assert missing == ["20150101T000000_20150101T000000_T33TVL"]
    with pytest.raises(InputError, match="START_DATE: scene id 'mine' names no acquisition time"):
        scenes_by_id(demo, ["mine"])
    assert scenes_by_id(demo, ["x", FIRST], date(2015, 7, 1), date(2015, 8, 1))[1] == ["x"]
    with pytest.raises(InputError, match="SCENES: "):
        scenes_by_id(demo, [" ", ""])


def test_scales_band_tags_and_dtype_are_kept(tmp_path):
    """A uint16 scene whose QA band has a GDAL scale (score = DN x 0.0001) reads back the same after the copy."""
    from affine import Affine

    folder = tmp_path / "in"
    folder.mkdir()
    profile = dict(
        driver="GTiff",
        width=20,
        height=10,
        count=2,
        dtype="uint16",
        crs="EPSG:32633",
        nodata=0,
        transform=Affine(10, 0, 500000, 0, -10, 5000000),
    )
    data = np.stack([np.full((10, 20), 1234, np.uint16), np.arange(200, dtype=np.uint16).reshape(10, 20) * 50])
    with rasterio.open(folder / "scene.tif", "w", **profile) as dst:
        dst.write(data)
        dst.descriptions = ("B4", "cs")
        dst.scales = (1.0, 0.0001)
        dst.update_tags(ACQUISITION_TIME="2016-05-01T10:00:00Z", MGRS_TILE="33TVL")
        dst.update_tags(2, UNITS="clear score")
    source = FolderSource(folder)
    result = export_scenes(source, source.scenes, tmp_path / "out", (500050, 4999920, 500120, 4999980))
    copy = FolderSource(tmp_path / "out").scenes[0]
    with rasterio.open(result.written[0]) as out:
        assert (out.dtypes, out.scales, out.nodata) == (("uint16", "uint16"), (1.0, 0.0001), 0)
        assert out.tags(2)["UNITS"] == "clear score" and (out.width, out.height) == (7, 6)
        assert np.array_equal(out.read(), data[:, 2:8, 5:12])
    grid = clip_grid(copy, None, None)
    window = rasterio.windows.Window(0, 0, grid.width, grid.height)
    scores, _ = FolderSource(tmp_path / "out").read_block(copy, ["cs"], grid, window)
    assert np.allclose(scores[0], data[1, 2:8, 5:12] * 0.0001)
    assert (copy.scene_id, copy.tile, copy.time.isoformat()) == ("scene", "33TVL", "2016-05-01T10:00:00+00:00")
