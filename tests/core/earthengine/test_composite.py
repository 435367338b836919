"""The headline of the "this computer" engine: a composite of scenes fetched from Earth Engine (the fake server)
equals the folder source's on the same scenes."""

import shutil

import numpy as np
import pytest
import rasterio
from cloudscore_composite.plugin.core.engines import THIS_COMPUTER
from cloudscore_composite.plugin.core.errors import Cancelled
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

from ...conftest import DEMO_DIR
from ...fake_earthengine import cs_cdf_from_clear
from ..demo_reference import reference_composite
from .conftest import END, START, demo_aoi


def composite(source, qa_band, output, grid, **changes):
    aoi, aoi_crs = demo_aoi(grid)
    fields = dict(
        start=START,
        end=END,
        qa_band=qa_band,
        output=output,
        threshold=0.6,
        aoi=aoi,
        aoi_crs=aoi_crs,
        engine=None if isinstance(source, FolderSource) else THIS_COMPUTER,
    )
    fields.update(changes)
    return run_composite(CompositeRequest(**fields), source)


def read(path):
    with rasterio.open(path) as out:
        return out.read(), out.descriptions, out.transform, out.crs


def cs_cdf_folder(folder):
    """A copy of the demo scenes whose ``clear`` band holds what the fake serves as ``cs_cdf``."""
    folder.mkdir()
    for path in sorted(DEMO_DIR.glob("*.tif")):
        shutil.copyfile(path, folder / path.name)
        with rasterio.open(folder / path.name, "r+") as scene:
            band = scene.descriptions.index("clear") + 1
            scene.write(cs_cdf_from_clear(scene.read(band)), band)
    return folder


@pytest.mark.parametrize("qa_band", ["cs", "cs_cdf"])
def test_earth_engine_composite_equals_the_folder_composite(make_source, demo_grid, server, tmp_path, qa_band):
    """``cs`` is the demo's clear band, ``cs_cdf`` another score made from it: each composite equals the folder
    composite of its own score (so serving or reading one band for the other fails)."""
    stages = []
    source = make_source()
    aoi, aoi_crs = demo_aoi(demo_grid)
    result = run_composite(
        CompositeRequest(
            start=START,
            end=END,
            qa_band=qa_band,
            output=tmp_path / "ee.tif",
            threshold=0.6,
            aoi=aoi,
            aoi_crs=aoi_crs,
            engine=THIS_COMPUTER,
        ),
        source,
        stage=stages.append,
    )
    scenes = DEMO_DIR if qa_band == "cs" else cs_cdf_folder(tmp_path / "cs_cdf")
    composite(FolderSource(scenes), "clear", tmp_path / "folder.tif", demo_grid)
    ee, folder = read(tmp_path / "ee.tif"), read(tmp_path / "folder.tif")
    assert ee[1:] == folder[1:]  # band names, grid
    assert np.array_equal(ee[0], folder[0])
    # The demo's reference is computed from its clear band, the cs pixels; cs_cdf keeps more pixels at 0.6.
    from_cs = np.array_equal(ee[0][-1], reference_composite(0.6)["count"])
    assert from_cs == (qa_band == "cs")
    assert result.plan.grid.transform == demo_grid.transform and len(result.plan.scenes) == 5
    assert any(s.startswith("fetch ") for s in stages) and any(s.startswith("composite block") for s in stages)
    with rasterio.open(tmp_path / "ee.tif") as out:
        assert out.tags()["CLOUDSCORE_SOURCE"].startswith("Earth Engine COPERNICUS/S2_HARMONIZED")


def test_another_threshold_method_or_band_subset_fetches_nothing(make_source, demo_grid, server, tmp_path):
    composite(make_source(), "cs", tmp_path / "first.tif", demo_grid)
    assert server.count("getPixels") > 0
    server.reset_log()
    composite(make_source(), "cs", tmp_path / "second.tif", demo_grid, threshold=0.8)
    composite(make_source(), "cs", tmp_path / "third.tif", demo_grid, method="mean", bands=["B4", "B3", "B2"])
    assert server.count("getPixels") == 0
    assert server.count("listAssets") == 2 * 2  # each run searches (scenes + scores), nothing else


def test_a_cancelled_run_resumes_with_the_missing_tiles(make_source, demo_grid, server, tmp_path):
    calls = []
    aoi, aoi_crs = demo_aoi(demo_grid)
    request = CompositeRequest(
        start=START,
        end=END,
        qa_band="cs",
        output=tmp_path / "out.tif",
        aoi=aoi,
        aoi_crs=aoi_crs,
        bands=["B4", "B8"],
        engine=THIS_COMPUTER,
    )
    with pytest.raises(Cancelled):
        run_composite(
            request,
            make_source(max_workers=1),
            progress=lambda percent: calls.append(percent),
            is_canceled=lambda: len(calls) >= 8,
        )
    assert not (tmp_path / "out.tif").exists()
    first = server.count("getPixels")
    assert 0 < first < 40
    server.reset_log()
    run_composite(request, make_source())
    assert server.count("getPixels") == 40 - first
    with rasterio.open(tmp_path / "out.tif") as out:
        assert np.array_equal(out.read(3), reference_composite(0.6)["count"])


def test_a_scene_without_score_is_skipped_and_reported(retry, tmp_path, demo_grid):
    from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

    from ...fake_earthengine import L1C, TOKEN, FakeEarthEngine

    cloudy = "20150820T100728_20150820T100728_T33TVL"
    with FakeEarthEngine(unscored={cloudy}) as server:
        source = EarthEngineSource(
            L1C,
            project="p",
            cache_dir=tmp_path / "cache",
            api_url=server.url,
            credentials=TOKEN,
            retry=retry,
            tile_size=64,
        )
        result = composite(source, "cs", tmp_path / "out.tif", demo_grid)
    assert [s.scene_id for s in result.plan.skipped] == [cloudy]
    assert cloudy not in [s.scene_id for s in result.plan.scenes]
    with rasterio.open(tmp_path / "out.tif") as out:
        assert out.tags()["CLOUDSCORE_SKIPPED_SCENES"] == cloudy
