"""The dock with the Earth Engine source, against the local fake Earth Engine (127.0.0.1): Find scenes shows
the scenes and the download estimate before Run; Run composites the ticked scenes."""

from datetime import date

import pytest
import rasterio
from qgis.core import Qgis, QgsCoordinateReferenceSystem

from ..conftest import DEMO_DIR
from .dock_support import find_to_end, messages, run_to_end, wait_until

DEMO_BOUNDS = "465181.0522318204, 5079244.8912012065, 466180.53145382757, 5080254.63349641"
L1C = "COPERNICUS/S2_HARMONIZED"  # the demo scenes are L1C


def _earth_engine(dock):
    dock.set_source_kind("earthengine")
    dock.ui.collectionCombo.setCurrentText(L1C)
    dock.ui.projectLineEdit.setText("my-project")
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText(DEMO_BOUNDS)
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:32633"))


def test_earth_engine_offers_cloud_score_bands(dock):
    dock.set_source_kind("earthengine")
    combo = dock.ui.qaBandCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["cs", "cs_cdf"]
    assert dock.ui.sourceStack.currentWidget() is dock.ui.earthEnginePage


def test_find_scenes_shows_the_estimate_then_run_fetches_and_composites(dock, server, tmp_path, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.scene_stats import find_scenes
    from cloudscore_composite.plugin.scene_table import CLEAR, DATE, SCENE_ID_ROLE, SCORE, SORT_ROLE

    _earth_engine(dock)
    find_to_end(dock)

    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    proxy = dock.scene_proxy
    assert proxy.rowCount() == 5
    assert {proxy.index(r, SCORE).data() for r in range(5)} == {"yes"}
    assert {proxy.index(r, CLEAR).data() for r in range(5)} == {"–"}  # scores not fetched yet
    status = dock.ui.sceneStatusLabel.text()
    assert "5 scenes found" in status and "Download: " in status and "request(s)" in status
    assert server.count("getPixels") == 0  # the estimate downloads nothing

    left_out = proxy.index(0, DATE).data(SCENE_ID_ROLE)
    dock.scene_model.set_included(left_out, False)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("ee.tif")
    run_to_end(dock)

    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    with rasterio.open(tmp_path / "ee.tif") as src:
        tags = src.tags()
    assert "Earth Engine" in tags["CLOUDSCORE_SOURCE"] and tags["CLOUDSCORE_QA_BAND"] == "cs_cdf"
    scenes = tags["CLOUDSCORE_SCENES"].split(",")
    assert len(scenes) == 4 and left_out not in scenes
    assert server.count("getPixels") > 0 and set(server.projects) == {"my-project"}
    assert dock.result_layers() is not None

    # The run fetched the scores: the table shows the ticked scenes' clear fractions, the preview works.
    wait_until(lambda: not dock.is_searching())
    fractions = {proxy.index(r, DATE).data(SCENE_ID_ROLE): proxy.index(r, CLEAR).data() for r in range(5)}
    assert fractions.pop(left_out) == "–"
    assert all(text.endswith("%") for text in fractions.values()), fractions
    assert "from the scores the run fetched" in dock.ui.sceneStatusLabel.text()
    ticked = next(iter(fractions))
    dock.select_scene(ticked)
    assert dock.preview.layer is not None and ticked in dock.preview.layer.name()
    # The fake serves the demo's score as cs_cdf: the fractions are the folder source's, at any threshold.
    folder = find_scenes(FolderSource(DEMO_DIR), date(2015, 7, 1), date(2015, 10, 1), None, None, "clear")
    for threshold in (0.6, 0.95):
        dock.set_threshold(threshold)
        expected = folder.clear_fractions(threshold)
        for row in range(5):
            scene_id = proxy.index(row, DATE).data(SCENE_ID_ROLE)
            if scene_id != left_out:
                shown = float(proxy.index(row, CLEAR).data(SORT_ROLE))
                assert shown == pytest.approx(expected[scene_id], abs=0.01), (scene_id, threshold)


def test_earth_engine_without_an_aoi_is_refused_in_the_task(dock, server, qgis_iface):
    _earth_engine(dock)
    dock.set_aoi_kind("scenes")
    assert dock.find_scenes() is not None
    wait_until(lambda: not dock.is_searching())
    warnings = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert any("area of interest" in w for w in warnings), warnings
