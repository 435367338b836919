"""The main job on the real demo scenes: composite, count, provenance, atomic output, bad input."""

import subprocess
import sys
from datetime import date

import numpy as np
import pytest
import rasterio

from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

from ..conftest import DEMO_DIR, ROOT
from .demo_reference import CLOUDY_SCENE, read_demo, reference_composite

START, END = date(2015, 7, 1), date(2015, 10, 1)


def request(output, **changes):
    fields = dict(start=START, end=END, qa_band="clear", output=output, threshold=0.6)
    fields.update(changes)
    return CompositeRequest(**fields)


@pytest.fixture(scope="module")
def demo_source():
    return FolderSource(DEMO_DIR)


@pytest.mark.parametrize("threshold", [0.6, 0.2])
def test_composite_equals_an_independent_median_of_the_clear_pixels(tmp_path, demo_source, threshold):
    output = tmp_path / "composite.tif"
    result = run_composite(request(output, threshold=threshold, block_size=32), demo_source)

    expected = reference_composite(threshold)
    with rasterio.open(output) as out:
        assert out.descriptions[-1] == "count"
        assert out.descriptions[:13] == tuple(f"{band}_median" for band in read_demo()[3])
        assert out.dtypes[0] == "uint16" and out.nodata == 0
        composite = out.read()
    assert np.array_equal(composite[:13], expected["median"])
    assert np.array_equal(composite[13], expected["count"])
    assert result.clear_fraction == pytest.approx(expected["clear"].sum() / expected["clear"].size, abs=1e-9)
    # even counts exist, so the mean-of-two-middle-values rule is exercised
    assert (expected["count"] % 2 == 0).any() and (expected["count"] % 2 == 1).any()


def test_the_cloudy_scene_does_not_reach_the_composite(tmp_path, demo_source):
    output = tmp_path / "composite.tif"
    result = run_composite(request(output), demo_source)
    ids, reflectance, scores, names = read_demo()
    cloudy = ids.index(CLOUDY_SCENE)
    blue = names.index("B2")
    with rasterio.open(output) as out:
        composite_blue = out.read(blue + 1).astype(float)
    # the cloud is bright in blue; the composite stays at clear-land values
    assert reflectance[cloudy, blue].mean() > 2500
    assert composite_blue.mean() < 1000
    clear = scores >= np.float32(0.6)
    lowest = np.where(clear, reflectance[:, blue], np.inf).min(axis=0)
    highest = np.where(clear, reflectance[:, blue], -np.inf).max(axis=0)
    assert ((composite_blue >= lowest) & (composite_blue <= highest)).all()
    assert [s.clear_fraction for s in result.scenes if s.scene_id == CLOUDY_SCENE] == [0.0]


def test_provenance_tags(tmp_path, demo_source):
    output = tmp_path / "composite.tif"
    run_composite(request(output), demo_source)
    with rasterio.open(output) as out:
        tags = out.tags()
    assert tags["CLOUDSCORE_SCENES"].split(",") == sorted(p.stem for p in DEMO_DIR.glob("*.tif"))
    assert tags["CLOUDSCORE_QA_BAND"] == "clear"
    assert float(tags["CLOUDSCORE_CLEAR_THRESHOLD"]) == 0.6
    assert (tags["CLOUDSCORE_START_DATE"], tags["CLOUDSCORE_END_DATE"]) == ("2015-07-01", "2015-10-01")
    assert tags["CLOUDSCORE_METHOD"] == "median"
    assert tags["CLOUDSCORE_VERSION"] == "0.1.0"
    assert 0.5 < float(tags["CLOUDSCORE_CLEAR_FRACTION"]) < 0.7


def test_aoi_in_degrees_and_a_coarser_resolution(tmp_path, demo_source):
    output = tmp_path / "composite.tif"
    aoi = (14.555, 45.868, 14.560, 45.872)
    result = run_composite(
        request(output, aoi=aoi, aoi_crs="EPSG:4326", resolution=20, bands=["B4", "B3", "B2"]), demo_source
    )
    with rasterio.open(output) as out:
        assert out.crs.to_epsg() == 32633 and out.res == (20.0, 20.0)
        assert out.descriptions == ("B2_median", "B3_median", "B4_median", "count")
        assert 15 <= out.width <= 25 and 20 <= out.height <= 26
        assert out.read(4).min() >= 3
    assert result.band_names == ["B2_median", "B3_median", "B4_median", "count"]


def test_cancel_leaves_no_output_and_keeps_an_existing_file(tmp_path, demo_source):
    output = tmp_path / "composite.tif"
    output.write_bytes(b"previous result")
    calls = []

    def cancel_after_two_reads():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        run_composite(request(output, block_size=32), demo_source, is_canceled=cancel_after_two_reads)
    assert output.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["composite.tif"]


def test_progress_goes_to_100(tmp_path, demo_source):
    seen, stages = [], []
    run_composite(request(tmp_path / "c.tif", block_size=64), demo_source, progress=seen.append, stage=stages.append)
    assert seen == sorted(seen) and seen[-1] == 100.0
    assert stages[-1] == "composite block 4/4"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (dict(threshold=1.5), "THRESHOLD", r"1\.5 is outside the accepted range 0\.\.1"),
        (dict(end=START), "END_DATE", "must be after start date"),
        (dict(start=date(2016, 1, 1), end=date(2016, 2, 1)), "START_DATE", "from 2015-07-11 to 2015-09-09"),
        (
            dict(qa_band="cs"),
            "QA_BAND",
            r"no scene has the QA band 'cs' \(none of the 5 found\); QA bands found: clear",
        ),
        (dict(aoi=(13.0, 45.0, 13.1, 45.1), aoi_crs="EPSG:4326"), "EXTENT", "touches no scene"),
        (dict(resolution=0), "RESOLUTION", "greater than 0"),
        (dict(bands=["B4", "B99"]), "BANDS", "unknown band"),
        (dict(output="composite.png"), "OUTPUT", "must be a GeoTIFF"),
        (dict(method="mode"), "METHOD", "not one of median, mean, min, max, percentiles, best"),
        (dict(method="percentiles", percentiles=(25, 125)), "PERCENTILES", "outside 0..100"),
        (dict(output_format="JPEG"), "FORMAT", "not one of GTiff, COG"),
        (dict(crs="EPSG:4326"), "CRS", "not a projected CRS"),
        (
            dict(excluded_scenes=sorted(p.stem for p in DEMO_DIR.glob("*.tif"))),
            "SCENES",
            r"all 5 scene\(s\) found are left out: tick at least one scene",
        ),
        (dict(threads=-1), "THREADS", ">= 0"),
    ],
)
def test_bad_input_names_the_field(tmp_path, demo_source, changes, field, message):
    fields = dict(output=tmp_path / "composite.tif")
    fields.update(changes)
    with pytest.raises(InputError, match=message) as error:
        run_composite(request(**fields), demo_source)
    assert error.value.field == field and str(error.value).startswith(field + ": ")
    assert not (tmp_path / "composite.tif").exists()


def test_scenes_without_the_qa_band_are_skipped_and_reported(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    for path in sorted(DEMO_DIR.glob("*.tif"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    first = sorted(folder.iterdir())[0]
    with rasterio.open(first, "r+") as dst:
        dst.set_band_description(14, "other_score")
    result = run_composite(request(tmp_path / "c.tif"), FolderSource(folder))
    assert [s.scene_id for s in result.plan.skipped] == [first.stem]
    assert len(result.plan.scenes) == 2


def test_core_imports_neither_qgis_nor_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import cloudscore_composite.plugin.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module(core.__name__ + '.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('qgis', 'PyQt5', 'PyQt6', 'sip'))\n"
        "assert not bad, bad\n"
    )
    environment = {"PYTHONPATH": str(ROOT / "build" / "plugins")}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=environment)


@pytest.mark.parametrize(
    "method, percentiles", [("percentiles", (25, 50, 75)), ("best", ()), ("mean", ()), ("min", ()), ("max", ())]
)
def test_each_method_through_the_pipeline_matches_numpy(tmp_path, demo_source, method, percentiles):
    output = tmp_path / "composite.tif"
    # 37 divides neither side of the 100 x 100 px demo grid, and three threads share the blocks
    run_composite(
        request(
            output, method=method, percentiles=percentiles or (25, 50, 75), block_size=37, threads=3, bands=["B8", "B2"]
        ),
        demo_source,
    )
    _ids, reflectance, scores, names = read_demo()
    picked = reflectance[:, [names.index("B2"), names.index("B8")]]
    stack = np.moveaxis(picked, 0, -1).astype(np.float64)
    score = np.moveaxis(scores, 0, -1)
    clear = (score >= np.float32(0.6)) & (stack != 0).all(axis=0)
    values = np.where(clear, stack, np.nan)
    with np.testing.suppress_warnings() as quiet:
        quiet.filter(RuntimeWarning)
        if method == "percentiles":
            expected = np.moveaxis(np.nanpercentile(values, percentiles, axis=-1), 0, 1).reshape(6, *clear.shape[:2])
        elif method == "best":
            latest_best = clear.shape[-1] - 1 - np.argmax(np.where(clear, score, -1)[..., ::-1], axis=-1)
            expected = np.take_along_axis(stack, latest_best[None, ..., None], axis=-1)[..., 0]
        else:
            expected = {"mean": np.nanmean, "min": np.nanmin, "max": np.nanmax}[method](values, axis=-1)
    with rasterio.open(output) as out:
        stat_names = [f"p{p}" for p in percentiles] if method == "percentiles" else [method]
        assert out.descriptions == tuple(f"{b}_{s}" for b in ("B2", "B8") for s in stat_names) + ("count",)
        written = out.read()
    assert np.array_equal(written[:-1], np.rint(expected).astype(np.uint16))
    assert np.array_equal(written[-1], clear.sum(axis=-1))


def test_threads_and_block_sizes_do_not_change_the_result(tmp_path, demo_source):
    one, many = tmp_path / "one.tif", tmp_path / "many.tif"
    run_composite(request(one, threads=1, block_size=100), demo_source)
    run_composite(request(many, threads=4, block_size=17), demo_source)
    with rasterio.open(one) as a, rasterio.open(many) as b:
        assert np.array_equal(a.read(), b.read())


def test_cog_output_is_a_valid_cloud_optimized_geotiff(tmp_path, demo_source):
    from osgeo_utils.samples.validate_cloud_optimized_geotiff import validate

    gtiff, cog = tmp_path / "plain.tif", tmp_path / "cog.tif"
    run_composite(request(gtiff), demo_source)
    # 1 m: 1000 px a side, larger than one 512 px COG tile, so GDAL adds an overview level
    run_composite(request(cog, output_format="COG", resolution=1, bands=["B4"]), demo_source)
    _warnings, errors, _ = validate(str(cog), full_check=True)
    assert errors == []
    with rasterio.open(cog) as out:
        assert out.overviews(1) and out.profile["tiled"] and out.block_shapes[0] == (512, 512)
        assert out.tags()["CLOUDSCORE_QA_BAND"] == "clear" and out.descriptions[-1] == "count"
        full = out.read(out.count)
    with rasterio.open(gtiff) as plain:
        assert np.array_equal(full[::10, ::10], plain.read(plain.count))  # 1 m nearest repeats each 10 m pixel
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cog.tif", "plain.tif"]


def test_scale_to_byte_records_the_scale(tmp_path, demo_source):
    plain, scaled = tmp_path / "plain.tif", tmp_path / "byte.tif"
    run_composite(request(plain, bands=["B4"]), demo_source)
    run_composite(request(scaled, bands=["B4"], scale_to_byte=True), demo_source)
    with rasterio.open(plain) as a, rasterio.open(scaled) as b:
        assert b.dtypes == ("uint8", "uint8") and b.scales == (40.0, 1.0) and b.offsets == (0.0, 0.0)
        assert b.tags()["CLOUDSCORE_BYTE_SCALE"] == "40"
        dn, byte = a.read(1).astype(float), b.read(1)
        assert np.array_equal(byte == 0, dn == 0)
        # byte x scale gives the DN back within half a step (plus the DN's own rounding)
        assert np.abs(byte * 40.0 - dn)[dn > 0].max() <= 20.5
        assert np.array_equal(a.read(2), b.read(2))


def test_clip_polygon_in_another_crs_sets_outside_to_nodata(tmp_path, demo_source):
    output = tmp_path / "clipped.tif"
    with rasterio.open(sorted(DEMO_DIR.glob("*.tif"))[0]) as src:
        left, bottom, right, top = src.bounds
    # a triangle over the demo area, in lon/lat
    from rasterio.warp import transform

    xs, ys = transform("EPSG:32633", "EPSG:4326", [left, right, left], [bottom, bottom, top])
    triangle = {"type": "Polygon", "coordinates": [list(zip(xs, ys)) + [(xs[0], ys[0])]]}
    run_composite(request(output, clip=[triangle], aoi_crs="EPSG:4326"), demo_source)
    with rasterio.open(output) as out:
        count = out.read(out.count)
        data = out.read(1)
    rows, cols = np.indices(count.shape)
    # the triangle's long side runs from the top-left to the bottom-right corner; 2 px of margin for its
    # slight curve after reprojection
    inside, outside = rows > cols + 2, cols > rows + 2
    assert (count[outside] == 0).all() and (data[outside] == 0).all()
    assert (count[inside] > 0).all()


def test_a_request_normalises_its_fields_once(tmp_path, demo_source):
    # Read by the pipeline, the sources and the dock as it is: no reader strips or copies it again.
    padded = request(tmp_path / "c.tif", qa_band=" clear\t", excluded_scenes=["a", "b"])
    assert padded.qa_band == "clear" and padded.excluded_scenes == ("a", "b")
    result = run_composite(padded, demo_source)
    with rasterio.open(result.output) as out:
        assert out.tags()["CLOUDSCORE_QA_BAND"] == "clear"
    with pytest.raises(InputError, match="^QA_BAND: "):
        request(tmp_path / "d.tif", qa_band="  ").validate()


def test_excluded_scenes_are_left_out(tmp_path, demo_source):
    output = tmp_path / "c.tif"
    ids = sorted(p.stem for p in DEMO_DIR.glob("*.tif"))
    chosen = ids[1:3]
    result = run_composite(request(output, excluded_scenes=[ids[0], *ids[3:], "not-a-scene"]), demo_source)
    assert [s.scene_id for s in result.plan.scenes] == chosen
    with rasterio.open(output) as out:
        assert out.tags()["CLOUDSCORE_SCENES"].split(",") == chosen and out.read(out.count).max() <= 2


def test_a_requested_crs_reprojects_the_grid(tmp_path, demo_source):
    output = tmp_path / "laea.tif"
    run_composite(request(output, crs="EPSG:3035", resolution=20), demo_source)
    with rasterio.open(output) as out:
        assert out.crs.to_epsg() == 3035 and out.res == (20.0, 20.0)
        assert out.transform.c % 20 == 0 and out.transform.f % 20 == 0  # on the CRS's own 20 m lattice
        assert (out.read(out.count) > 0).mean() > 0.8


def test_automatic_block_size_fits_the_memory_budget():
    from cloudscore_composite.plugin.core.pipeline import auto_block_size

    for scenes, bands, statistics, threads in [(5, 14, 1, 2), (24, 5, 3, 2), (100, 14, 3, 8)]:
        side = auto_block_size(scenes, bands, statistics, threads)
        # what a block holds (issue 17): every scene's bands and QA band (float32), the clear mask, the statistics
        per_pixel = scenes * (bands * 4 + 1) + (bands - 1) * statistics * 8 + 8
        assert (side % 256 == 0 or (side % 16 == 0 and side < 256)) and per_pixel * side**2 * threads <= 512 * 2**20
    assert auto_block_size(1, 1, 1, 1) == 2048 and auto_block_size(5000, 14, 3, 8) == 16
    # scenes in 512 px tiles: blocks a multiple of 512, so each tile is decoded once
    assert auto_block_size(24, 5, 1, 2) == 512 and auto_block_size(24, 5, 1, 2, tile=512) == 512
    assert auto_block_size(4, 5, 1, 2, tile=512) % 512 == 0 and auto_block_size(4, 5, 1, 2) % 256 == 0
    assert auto_block_size(24, 5, 1, 8, tile=512) == 256  # under one tile: the output's 256 px tiles


def test_progress_comes_from_the_calling_thread(tmp_path, demo_source):
    import threading

    threads = set()
    run_composite(
        request(tmp_path / "c.tif", block_size=16, threads=3),
        demo_source,
        progress=lambda percent: threads.add(threading.get_ident()),
    )
    assert threads == {threading.get_ident()}


def test_a_cancel_after_the_last_read_still_writes_nothing(tmp_path, demo_source):
    output = tmp_path / "composite.tif"
    reads = []

    def read_block(*arguments):
        reads.append(1)
        return FolderSource.read_block(demo_source, *arguments)

    class CountingSource(FolderSource):
        pass

    source = CountingSource(DEMO_DIR)
    source.read_block = read_block
    with pytest.raises(Cancelled):
        run_composite(request(output, output_format="COG"), source, is_canceled=lambda: len(reads) == 5)
    assert len(reads) == 5 and list(tmp_path.iterdir()) == []


def test_hidden_partial_files_are_not_scenes(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    first = sorted(DEMO_DIR.glob("*.tif"))[0]
    (folder / first.name).write_bytes(first.read_bytes())
    (folder / f".{first.stem}.1234abcd.partial.tif").write_bytes(first.read_bytes())  # another run's leftover
    assert [s.scene_id for s in FolderSource(folder).scenes] == [first.stem]
