"""Composites computed on Earth Engine's servers (the fake server evaluates the expression graph with numpy),
checked against an independent numpy reading of the demo scenes, and what they cost against the local engine."""

from datetime import date

import numpy as np
import pytest
import rasterio
from affine import Affine
from cloudscore_composite.plugin.core.compositing import output_band_names
from cloudscore_composite.plugin.core.earthengine.compute import computed_tiles
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.earthengine.tiling import MAX_REQUEST_BYTES, MAX_REQUEST_SIDE
from cloudscore_composite.plugin.core.engines import EXPORT, SERVERS, THIS_COMPUTER, format_estimates
from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, plan_composite, run_composite
from rasterio.crs import CRS

from ...conftest import DEMO_DIR
from ...fake_earthengine import L1C, TOKEN, FakeEarthEngine
from ..demo_reference import CLOUDY_SCENE, read_demo
from .conftest import END, START, demo_aoi

BANDS = ["B2", "B3", "B4", "B8"]
PERCENTILES = (25, 50, 75)


def reference(method, threshold=0.6, bands=BANDS, percentiles=PERCENTILES, excluded=()):
    """(statistics uint16 (bands x statistics, rows, cols), count) from the demo files alone: numpy's nanmedian,
    nanmean, nanmin, nanmax, nanpercentile (linear), or the clearest observation (ties to the latest), of the
    pixels whose score >= threshold; halves rounded up (Earth Engine's Image.round); 0 where none is clear."""
    ids, reflectance, scores, names = read_demo()
    keep = [i for i, scene in enumerate(ids) if scene not in excluded]
    data = reflectance[keep][:, [names.index(b) for b in bands]].astype(np.float64)
    clear = scores[keep] >= np.float32(threshold)
    masked = np.where(clear[:, None], data, np.nan)
    with np.testing.suppress_warnings() as quiet:
        quiet.filter(RuntimeWarning)
        if method == "percentiles":
            stats = np.stack([linear_percentile(masked, p) for p in percentiles], axis=1)
        elif method == "best":
            quality = np.where(clear, scores[keep], -np.inf)
            latest = quality.shape[0] - 1 - np.argmax(quality[::-1], axis=0)  # the last of equal maxima
            stats = np.take_along_axis(masked, latest[None, None], axis=0)[0][:, None]
        else:
            stats = {"median": np.nanmedian, "mean": np.nanmean, "min": np.nanmin, "max": np.nanmax}[method](
                masked, axis=0
            )[:, None]
    stats = stats.reshape(-1, *stats.shape[2:])
    return np.where(np.isnan(stats), 0, np.floor(stats + 0.5)).astype(np.uint16), clear.sum(axis=0)


def linear_percentile(stack, percentile):
    """numpy's default ("linear") percentile along axis 0, NaN ignored, written out (numpy.nanpercentile loops
    per pixel and takes seconds here): the value at rank p/100 x (n - 1) of the n sorted values, interpolated."""
    ordered = np.sort(stack, axis=0)  # NaN last
    count = np.isfinite(stack).sum(axis=0)
    rank = percentile / 100.0 * np.maximum(count - 1, 0)
    low, high = np.floor(rank).astype(int), np.ceil(rank).astype(int)
    below = np.take_along_axis(ordered, low[None], axis=0)[0]
    above = np.take_along_axis(ordered, high[None], axis=0)[0]
    return np.where(count > 0, below + (above - below) * (rank - low), np.nan)


def request(tmp_path, grid, name="out.tif", **changes):
    aoi, aoi_crs = demo_aoi(grid)
    fields = dict(
        start=START, end=END, qa_band="cs", output=tmp_path / name, threshold=0.6, aoi=aoi, aoi_crs=aoi_crs, bands=BANDS
    )
    fields.update(changes)
    return CompositeRequest(**fields)


@pytest.mark.parametrize("method", ["median", "mean", "min", "max", "percentiles", "best"])
def test_the_servers_composite_matches_numpy_on_the_demo_scenes(make_source, demo_grid, server, tmp_path, method):
    stages = []
    result = run_composite(request(tmp_path, demo_grid, method=method), make_source(), stage=stages.append)
    expected, count = reference(method)
    with rasterio.open(result.output) as out:
        data, tags, names = out.read(), out.tags(), list(out.descriptions)
        assert out.crs == demo_grid.crs and out.transform == demo_grid.transform
    assert names == output_band_names(BANDS, method, PERCENTILES)
    assert np.array_equal(data[:-1], expected)
    assert np.array_equal(data[-1], count)
    assert tags["CLOUDSCORE_ENGINE"] == SERVERS and tags["CLOUDSCORE_METHOD"] == method
    assert server.count("getPixels") == 0  # no scene pixel was downloaded
    assert server.count("computePixels") == 4  # the 100 x 101 grid in 64-px tiles
    assert result.plan.engine == SERVERS and result.scenes == []
    _, _, scores, _ = read_demo()
    assert result.clear_fraction == pytest.approx((scores >= np.float32(0.6)).mean())
    assert any(s.startswith("compute ") for s in stages)


def test_cs_cdf_and_the_composite_as_the_local_engine_writes_it(make_source, demo_grid, server, tmp_path):
    on_servers = run_composite(request(tmp_path, demo_grid, "servers.tif", qa_band="cs_cdf"), make_source())
    here = run_composite(
        request(tmp_path, demo_grid, "here.tif", qa_band="cs_cdf", engine=THIS_COMPUTER), make_source()
    )
    with rasterio.open(on_servers.output) as a, rasterio.open(here.output) as b:
        assert a.descriptions == b.descriptions and a.dtypes == b.dtypes and a.nodata == b.nodata
        assert a.tags()["CLOUDSCORE_QA_BAND"] == "cs_cdf" and b.tags()["CLOUDSCORE_ENGINE"] == THIS_COMPUTER
        assert np.array_equal(a.read(5), b.read(5))  # the count
        # The medians differ only where numpy's rint and Earth Engine's round differ on a half
        assert np.abs(a.read(1).astype(int) - b.read(1).astype(int)).max() <= 1
    assert on_servers.clear_fraction == pytest.approx(here.clear_fraction)


def test_the_servers_move_at_most_35_percent_of_the_bytes(make_source, demo_grid, server, tmp_path):
    run_composite(request(tmp_path, demo_grid, "here.tif", engine=THIS_COMPUTER), make_source())
    here = server.bytes_sent("getPixels")
    run_composite(request(tmp_path, demo_grid, "servers.tif"), make_source())
    servers = server.bytes_sent("computePixels")
    assert 0 < servers <= 0.35 * here


def test_a_cancelled_server_run_resumes_and_a_repeat_computes_nothing(make_source, demo_grid, server, tmp_path):
    calls = []
    with pytest.raises(Cancelled):
        run_composite(
            request(tmp_path, demo_grid),
            make_source(max_workers=1),
            progress=calls.append,
            is_canceled=lambda: len(calls) >= 2,
        )
    assert not (tmp_path / "out.tif").exists()
    first = server.count("computePixels")
    assert 0 < first < 4
    server.reset_log()
    run_composite(request(tmp_path, demo_grid), make_source())
    assert server.count("computePixels") == 4 - first
    server.reset_log()
    run_composite(request(tmp_path, demo_grid, "again.tif"), make_source())
    assert server.count("computePixels") == 0
    run_composite(request(tmp_path, demo_grid, "other.tif", threshold=0.7), make_source())
    assert server.count("computePixels") == 4  # another expression: computed anew


def test_rate_limits_are_retried_and_refusals_carry_earth_engines_message(
    make_source, demo_grid, server, tmp_path, sleeps
):
    server.add_fault("computePixels", status=429, message="Too many concurrent requests", times=2)
    run_composite(request(tmp_path, demo_grid), make_source(max_workers=1))
    assert len(sleeps) == 2
    server.add_fault("computePixels", status=400, message="Image.select: Band 'B99' not found.")
    with pytest.raises(EarthEngineError, match="B99"):
        run_composite(request(tmp_path, demo_grid, "refused.tif", threshold=0.5), make_source())
    assert not (tmp_path / "refused.tif").exists()


def test_clip_scale_to_byte_and_unticked_scenes(make_source, demo_grid, server, tmp_path):
    left, bottom, right, top = demo_grid.bounds
    middle = (left + right) / 2
    west = {
        "type": "Polygon",
        "coordinates": [[(left, bottom), (middle, bottom), (middle, top), (left, top), (left, bottom)]],
    }
    clipped = run_composite(request(tmp_path, demo_grid, "clipped.tif", clip=[west], scale_to_byte=True), make_source())
    with rasterio.open(clipped.output) as out:
        data = out.read()
        assert out.dtypes[0] == "uint8" and out.tags()["CLOUDSCORE_BYTE_SCALE"] == "40"
    assert (data[:, :, 60:] == 0).all() and (data[-1, :, :40] > 0).any()
    left_out = [CLOUDY_SCENE, "20150731T100009_20150731T100009_T33TVL"]
    result = run_composite(request(tmp_path, demo_grid, "subset.tif", excluded_scenes=left_out), make_source())
    sent = server.requests_of("computePixels")[-1]
    assert CLOUDY_SCENE not in str(sent) and len(result.plan.scenes) == 3
    expected, count = reference("median", excluded=(CLOUDY_SCENE, "20150731T100009_20150731T100009_T33TVL"))
    with rasterio.open(result.output) as out:
        assert np.array_equal(out.read()[:-1], expected) and np.array_equal(out.read(5), count)


def test_a_scene_without_score_is_reported_not_composited(retry, tmp_path, demo_grid):
    from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

    with FakeEarthEngine(unscored={CLOUDY_SCENE}) as fake:
        source = EarthEngineSource(
            L1C,
            project="p",
            cache_dir=tmp_path / "cache",
            api_url=fake.url,
            credentials=TOKEN,
            retry=retry,
            tile_size=64,
        )
        result = run_composite(request(tmp_path, demo_grid), source)
        sent = fake.requests_of("computePixels")[0]
    assert [s.scene_id for s in result.plan.skipped] == [CLOUDY_SCENE]
    assert CLOUDY_SCENE not in str(sent)
    with rasterio.open(result.output) as out:
        assert out.tags()["CLOUDSCORE_SKIPPED_SCENES"] == CLOUDY_SCENE


def test_engines_a_source_cannot_use_are_refused(make_source, demo_grid, tmp_path):
    with pytest.raises(InputError, match="needs a bucket") as error:  # the export is offered, with a bucket
        plan_composite(request(tmp_path, demo_grid, engine=EXPORT), make_source())
    assert error.value.field == "BUCKET"
    with pytest.raises(InputError, match="cannot composite export") as error:
        plan_composite(
            request(tmp_path, demo_grid, qa_band="clear", engine=EXPORT, bucket="b-1"), FolderSource(DEMO_DIR)
        )
    assert error.value.field == "ENGINE"
    with pytest.raises(InputError, match="cannot composite servers") as error:
        plan_composite(request(tmp_path, demo_grid, qa_band="clear", engine=SERVERS), FolderSource(DEMO_DIR))
    assert error.value.field == "ENGINE"
    with pytest.raises(InputError) as error:
        plan_composite(request(tmp_path, demo_grid, aoi=None, aoi_crs=None), make_source())
    assert error.value.field == "EXTENT"


def test_the_estimate_names_every_engine(make_source, demo_grid, server):
    source = make_source()
    scenes = source.search(START, END, *demo_aoi(demo_grid))
    estimates = source.download_estimates(scenes, BANDS, "cs", demo_grid, 1)
    assert list(estimates) == [SERVERS, THIS_COMPUTER, EXPORT]
    assert estimates[EXPORT].megabytes == estimates[SERVERS].megabytes  # the same composite, in files
    assert estimates[SERVERS].requests == 4 and estimates[THIS_COMPUTER].requests == 5 * 2 * 4
    assert estimates[SERVERS].megabytes < 0.35 * estimates[THIS_COMPUTER].megabytes
    assert format_estimates(estimates).startswith("servers: ") and ", this computer: " in format_estimates(estimates)
    assert FolderSource(DEMO_DIR).download_estimates(scenes, BANDS, "clear", demo_grid, 1) == {}
    assert source.default_crs(*demo_aoi(demo_grid)) == CRS.from_epsg(32633)


def test_computed_tiles_stay_within_earth_engines_limits():
    grid = Grid(CRS.from_epsg(32633), Affine(10, 0, 400000, 0, -10, 5200000), 40000, 30000)
    for bands in (3, 13 * 9 + 2):
        tiles = computed_tiles(grid, bands, MAX_REQUEST_SIDE)
        assert sum(t.pixels() for t in tiles) == grid.width * grid.height
        assert all(t.pixels() * 2 * bands <= MAX_REQUEST_BYTES for t in tiles)
        assert all(max(t.grid.width, t.grid.height) <= MAX_REQUEST_SIDE for t in tiles)


def test_the_request_body_is_what_earth_engine_documents(make_source, demo_grid, server, tmp_path):
    run_composite(request(tmp_path, demo_grid), make_source())
    body = server.requests_of("computePixels")[0]
    body = body.get("body", body)
    assert body["fileFormat"] == "GEO_TIFF" and body["expression"]["result"] in body["expression"]["values"]
    assert set(body["grid"]) == {"dimensions", "affineTransform", "crsCode"}
    assert body["grid"]["crsCode"] == "EPSG:32633"
    assert date(2015, 7, 1).isoformat() in str(body["expression"])
