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
        assert out.descriptions[-1] == "count" and out.descriptions[:13] == tuple(read_demo()[3])
        assert out.dtypes[0] == "uint16" and out.nodata == 0
        composite = out.read()
    assert np.array_equal(composite[:13], expected["median"])
    assert np.array_equal(composite[13], expected["count"])
    assert result.clear_fraction == pytest.approx(
        expected["clear"].sum() / expected["clear"].size, abs=1e-9)
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
    result = run_composite(request(output, aoi=aoi, aoi_crs="EPSG:4326", resolution=20, bands=["B4", "B3", "B2"]),
                           demo_source)
    with rasterio.open(output) as out:
        assert out.crs.to_epsg() == 32633 and out.res == (20.0, 20.0)
        assert out.descriptions == ("B2", "B3", "B4", "count")
        assert 15 <= out.width <= 25 and 20 <= out.height <= 26
        assert out.read(4).min() >= 3
    assert result.band_names == ["B2", "B3", "B4", "count"]


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
    seen = []
    run_composite(request(tmp_path / "c.tif", block_size=64), demo_source, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100.0 and len(seen) == 4 * 5


@pytest.mark.parametrize("changes, field, message", [
    (dict(threshold=1.5), "THRESHOLD", r"1\.5 is outside the accepted range 0\.\.1"),
    (dict(end=START), "END_DATE", "must be after start date"),
    (dict(start=date(2016, 1, 1), end=date(2016, 2, 1)), "START_DATE", "from 2015-07-11 to 2015-09-09"),
    (dict(qa_band="cs"), "QA_BAND", "no scene has the QA band 'cs'; QA bands found: clear"),
    (dict(aoi=(13.0, 45.0, 13.1, 45.1), aoi_crs="EPSG:4326"), "EXTENT", "touches no scene"),
    (dict(resolution=0), "RESOLUTION", "greater than 0"),
    (dict(bands=["B4", "B99"]), "BANDS", "unknown band"),
    (dict(output="composite.png"), "OUTPUT", "must be a GeoTIFF"),
])
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
