"""Issue 12 in QGIS: ORBITS, SEAM_WEIGHTS, SEAM_POWER and CRS on compositefolder and seasonalcomposites, the orbit
in searchscenes and the scene table, the dock's Orbits field."""

import sys

import numpy as np
import pytest
import rasterio
from qgis.core import QgsApplication, QgsProcessingException, QgsVectorLayer

from ..conftest import ROOT
from ..core.test_orbits import T0, write_utm_tile
from .dock_support import find_to_end, run_to_end

sys.path.insert(0, str(ROOT / "scripts"))
from synthetic_orbits import QA_BAND, write_two_orbit_stack


def run(algorithm, **parameters):
    import processing

    return processing.run(f"cloudscore:{algorithm}", parameters)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A small two-orbit stack (4 km pixels: 100 x 30 px)."""
    return write_two_orbit_stack(tmp_path_factory.mktemp("orbits") / "scenes", pixel=4000.0)


def dates(stack):
    return dict(START_DATE=stack.start.isoformat(), END_DATE=stack.end.isoformat())


@pytest.mark.parametrize("algorithm", ["compositefolder", "seasonalcomposites"])
def test_help_describes_every_new_parameter(plugin, algorithm):
    found = QgsApplication.processingRegistry().algorithmById(f"cloudscore:{algorithm}")
    text = found.shortHelpString()
    for words in (
        "ORBITS",
        "SEAM_WEIGHTS",
        "SEAM_POWER",
        "Output CRS",
        "EPSG:3035",
        "swath edge",
        "SENSING_ORBIT_NUMBER",
        "count once",
    ):
        assert words in text, words
    names = [p.name() for p in found.parameterDefinitions()]
    assert {"ORBITS", "SEAM_WEIGHTS", "SEAM_POWER", "CRS"} <= set(names)
    orbits = found.parameterDefinition("ORBITS")
    assert orbits.defaultValue() == 0 and orbits.options()[1] == "Per orbit, blended at the seams"


def test_compositefolder_blends_the_orbits(plugin, stack, tmp_path):
    result = run(
        "compositefolder",
        INPUT=str(stack.folder),
        QA_BAND=QA_BAND,
        ORBITS=1,
        SEAM_POWER=3,
        OUTPUT=str(tmp_path / "blended.tif"),
        **dates(stack),
    )
    together = run(
        "compositefolder",
        INPUT=str(stack.folder),
        QA_BAND=QA_BAND,
        OUTPUT=str(tmp_path / "together.tif"),
        **dates(stack),
    )
    with rasterio.open(result["OUTPUT"]) as out:
        tags, count = out.tags(), out.read(out.count)
    assert tags["CLOUDSCORE_ORBITS"] == "blended" and tags["CLOUDSCORE_SEAM_POWER"] == "3"
    assert tags["CLOUDSCORE_SEAM_WEIGHTS"] == "swath-edge"
    assert np.array_equal(count, stack.clear_count)  # duplicated tiles counted once
    with rasterio.open(together["OUTPUT"]) as out:
        assert out.tags()["CLOUDSCORE_ORBITS"] == "together"
        assert np.array_equal(out.read(out.count), stack.clear_count)


def test_compositefolder_mosaics_two_utm_zones_into_epsg_3035(plugin, tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    write_utm_tile(folder / "a.tif", 33, 17.99, 45.0, 1000.0, T0, f"{T0:%Y%m%dT%H%M%S}", "33TYL")
    write_utm_tile(folder / "b.tif", 34, 18.01, 45.0, 1000.0, T0, f"{T0:%Y%m%dT%H%M%S}", "34TBR")
    result = run(
        "compositefolder",
        INPUT=str(folder),
        QA_BAND="cs",
        START_DATE="2023-05-01",
        END_DATE="2023-07-01",
        CRS="EPSG:3035",
        RESOLUTION=30,
        OUTPUT=str(tmp_path / "laea.tif"),
    )
    with rasterio.open(result["OUTPUT"]) as out:
        assert out.crs.to_epsg() == 3035 and out.res == (30.0, 30.0)
        assert set(np.unique(out.read(2))) == {0, 1}  # the two tiles of one acquisition count once


def test_a_crs_qgis_does_not_know_is_refused(plugin, stack, tmp_path):
    with pytest.raises(QgsProcessingException):
        run(
            "compositefolder",
            INPUT=str(stack.folder),
            QA_BAND=QA_BAND,
            CRS="EPSG:999999",
            OUTPUT=str(tmp_path / "c.tif"),
            **dates(stack),
        )
    assert not (tmp_path / "c.tif").exists()


def test_a_geographic_crs_is_refused_naming_crs(plugin, stack, tmp_path):
    with pytest.raises(QgsProcessingException, match="CRS: EPSG:4326 is not a projected CRS"):
        run(
            "compositefolder",
            INPUT=str(stack.folder),
            QA_BAND=QA_BAND,
            CRS="EPSG:4326",
            OUTPUT=str(tmp_path / "c.tif"),
            **dates(stack),
        )


def test_seam_power_outside_its_range_is_refused(plugin, stack, tmp_path):
    with pytest.raises(QgsProcessingException):
        run(
            "compositefolder",
            INPUT=str(stack.folder),
            QA_BAND=QA_BAND,
            ORBITS=1,
            SEAM_POWER=50,
            OUTPUT=str(tmp_path / "c.tif"),
            **dates(stack),
        )
    assert not (tmp_path / "c.tif").exists()


def test_seasonalcomposites_takes_orbits_and_crs(plugin, stack, tmp_path):
    result = run(
        "seasonalcomposites",
        INPUT=str(stack.folder),
        YEARS="2023",
        SEASONS="summer=6-6",
        QA_BAND=QA_BAND,
        ORBITS=1,
        SEAM_WEIGHTS=1,
        CRS="EPSG:3035",
        RESOLUTION=4000,
        OUTPUT=str(tmp_path / "seasons"),
    )
    assert result["COMPOSITE_COUNT"] == 1
    with rasterio.open(result["OUTPUTS"][0]) as out:
        assert out.crs.to_epsg() == 3035
        tags = out.tags()
    assert tags["CLOUDSCORE_ORBITS"] == "blended" and tags["CLOUDSCORE_SEAM_WEIGHTS"] == "centre-line"


def test_seasonalcomposites_refuses_blending_on_earth_engines_servers(plugin, tmp_path):
    with pytest.raises(QgsProcessingException, match="ORBITS: per-orbit composites blended .* this computer only"):
        run(
            "seasonalcomposites",
            SOURCE=1,
            EXTENT="14.55,14.56,45.86,45.87 [EPSG:4326]",
            YEARS="2015",
            QA_BAND="cs",
            ORBITS=1,
            ENGINE=0,
            PROJECT="some-project",
            OUTPUT=str(tmp_path / "seasons"),
        )


def test_searchscenes_lists_the_orbit(plugin, stack, tmp_path):
    result = run(
        "searchscenes", INPUT=str(stack.folder), QA_BAND=QA_BAND, OUTPUT=str(tmp_path / "scenes.gpkg"), **dates(stack)
    )
    layer = QgsVectorLayer(result["OUTPUT"], "scenes")
    assert {f["orbit"] for f in layer.getFeatures()} == {22, 122}


def test_the_dock_shows_the_orbit_and_blends_when_asked(dock, stack, tmp_path):
    from cloudscore_composite.plugin.dock.scene_table import ORBIT

    dock.set_folder(stack.folder)
    dock.ui.startDateEdit.setDate(stack.start)
    dock.ui.endDateEdit.setDate(stack.end)
    dock.ui.qaBandCombo.setCurrentText(QA_BAND)
    find_to_end(dock)
    proxy = dock.ui.sceneTableView.model()
    assert {proxy.index(r, ORBIT).data() for r in range(proxy.rowCount())} == {"22", "122"}
    assert not dock.ui.sceneTableView.isColumnHidden(ORBIT)
    combo = dock.ui.orbitsCombo
    assert combo.currentData() == "together"  # the default
    combo.setCurrentIndex(combo.findData("blended"))
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("blended.tif")
    request = run_to_end(dock)
    assert request.orbits == "blended"
    with rasterio.open(tmp_path / "blended.tif") as out:
        assert out.tags()["CLOUDSCORE_ORBITS"] == "blended"
        assert np.array_equal(out.read(out.count), stack.clear_count)
    dock.reset_to_defaults()
    assert combo.currentData() == "together"
