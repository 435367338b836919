"""The dock with the Earth Engine source, against the local fake Earth Engine (127.0.0.1): Find scenes shows
the scenes and both engines' download estimates before Run; Run composites the ticked scenes, on Earth Engine's
servers or on this computer."""

import math
from datetime import date

import pytest
import rasterio
from qgis.core import Qgis, QgsCoordinateReferenceSystem

from ..conftest import DEMO_DIR
from .dock_support import assert_refused, find_to_end, messages, run_to_end, wait_until

DEMO_BOUNDS = "465181.0522318204, 5079244.8912012065, 466180.53145382757, 5080254.63349641"
L1C = "COPERNICUS/S2_HARMONIZED"  # the demo scenes are L1C


def _earth_engine(dock, engine="this-computer"):
    """Earth Engine over the demo AOI; composites ``engine`` (the tests of the local engine say so outright)."""
    dock.set_source_kind("earthengine")
    dock.ui.engineCombo.setCurrentIndex(dock.ui.engineCombo.findData(engine))
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
    from cloudscore_composite.plugin.dock.scene_table import CLEAR, DATE, SCENE_ID_ROLE, SCORE, SORT_ROLE

    _earth_engine(dock)
    find_to_end(dock)

    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    proxy = dock.scene_proxy
    assert proxy.rowCount() == 5
    assert {proxy.index(r, SCORE).data() for r in range(5)} == {"yes"}
    assert {proxy.index(r, CLEAR).data() for r in range(5)} == {"–"}  # scores not fetched yet
    status = dock.ui.sceneStatusLabel.text()
    assert "5 scenes found" in status and "Download: servers: " in status and ", this computer: " in status
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
    # The fake serves c * (2 - c) of the demo's score c as cs_cdf: cs_cdf >= t where c >= 1 - sqrt(1 - t), so the
    # fractions are the folder source's at that threshold (at t itself they would be cs's).
    folder = find_scenes(FolderSource(DEMO_DIR), date(2015, 7, 1), date(2015, 10, 1), None, None, "clear")
    for threshold in (0.6, 0.95):
        dock.set_threshold(threshold)
        expected = folder.clear_fractions(1 - math.sqrt(1 - threshold))
        for row in range(5):
            scene_id = proxy.index(row, DATE).data(SCENE_ID_ROLE)
            if scene_id != left_out:
                shown = float(proxy.index(row, CLEAR).data(SORT_ROLE))
                assert shown == pytest.approx(expected[scene_id], abs=0.01), (scene_id, threshold)


@pytest.mark.parametrize("action", ["find_scenes", "run"])
def test_earth_engine_without_an_aoi_is_refused(dock, server, qgis_iface, action):
    _earth_engine(dock)
    dock.set_aoi_kind("scenes")
    assert_refused(dock, qgis_iface, "needs an area of interest", action)
    assert server.count("listAssets") == 0


def test_estimate_counts_only_the_scenes_with_the_qa_band(dock, server, monkeypatch):
    from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

    unscored = sorted(server.scenes)[0]
    server.unscored.add(unscored)
    estimated = []
    estimate = EarthEngineSource.estimate
    monkeypatch.setattr(
        EarthEngineSource,
        "estimate",
        lambda self, scenes, *args: estimated.append(list(scenes)) or estimate(self, scenes, *args),
    )
    _earth_engine(dock)
    find_to_end(dock)

    assert dock.scene_proxy.rowCount() == 5 and "1 without the QA band" in dock.ui.sceneStatusLabel.text()
    assert len(estimated) == 1 and len(estimated[0]) == 4
    assert all(unscored not in scene.scene_id for scene in estimated[0])


def test_the_estimate_names_both_engines_and_counts_the_statistics(dock, server, monkeypatch):
    from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource
    from cloudscore_composite.plugin.core.source import FetchEstimate

    asked = []

    def estimates(self, scenes, bands, qa_band, grid, statistics):
        asked.append((len(scenes), list(bands), qa_band, statistics))
        return {"earthengine-servers": FetchEstimate(3, 921.6), "this-computer": FetchEstimate(40, 23 * 1024)}

    monkeypatch.setattr(EarthEngineSource, "download_estimates", estimates)
    _earth_engine(dock)
    dock.ui.methodCombo.setCurrentIndex(dock.ui.methodCombo.findData("percentiles"))
    dock.ui.percentilesLineEdit.setText("10, 50, 90, 95")
    dock.ui.bandsCombo.setCheckedItems(["B4", "B3", "B2"])
    find_to_end(dock)

    assert asked == [(5, ["B2", "B3", "B4"], "cs_cdf", 4)]
    assert "Download: servers: 921.6 MB, this computer: 23.0 GB." in dock.ui.sceneStatusLabel.text()
    dock.ui.methodCombo.setCurrentIndex(dock.ui.methodCombo.findData("median"))
    find_to_end(dock)
    assert asked[-1][-1] == 1


def test_the_engine_choice_is_offered_for_earth_engine_only_remembered_and_reset(dock, server, tmp_path, demo_folder):
    from qgis.core import QgsSettings

    combo = dock.ui.engineCombo
    assert [combo.itemData(i) for i in range(combo.count())] == ["earthengine-servers", "this-computer", "export"]
    assert combo.currentData() == "earthengine-servers"  # the default
    dock.set_folder(demo_folder)
    assert combo.isHidden() and dock.ui.engineLabel.isHidden()
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    assert dock.build_request()[0].engine is None  # a folder: its own engine (this computer)

    _earth_engine(dock, "this-computer")
    assert not combo.isHidden() and combo.isEnabled()
    assert dock.build_request()[0].engine == "this-computer"
    dock.save_settings()
    assert QgsSettings().value("cloudscore_composite/engine") == "this-computer"
    combo.setCurrentIndex(combo.findData("earthengine-servers"))
    assert dock.build_request()[0].engine == "earthengine-servers"
    dock.settings.restore()
    assert combo.currentData() == "this-computer"

    dock.set_folder(demo_folder)  # the choice is kept while another source is chosen
    dock.set_source_kind("earthengine")
    assert combo.currentData() == "this-computer"

    dock.reset_to_defaults()
    assert combo.currentData() == "earthengine-servers" and combo.isHidden()  # the default source is a folder
    assert QgsSettings().value("cloudscore_composite/engine") == "earthengine-servers"


def test_a_run_on_the_servers_reads_no_fetched_score(dock, server, tmp_path, qgis_iface, monkeypatch):
    from cloudscore_composite.plugin.tasks import scene_search_task
    from cloudscore_composite.plugin.dock.scene_table import CLEAR

    read = []
    monkeypatch.setattr(scene_search_task, "read_fetched_scores", lambda *args, **kwargs: read.append(1))
    _earth_engine(dock, "earthengine-servers")
    find_to_end(dock)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("servers.tif")
    request = run_to_end(dock)
    wait_until(lambda: not dock.is_searching())

    assert request.engine == "earthengine-servers"
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert server.count("getPixels") == 0 and read == []  # nothing fetched, nothing read
    with rasterio.open(tmp_path / "servers.tif") as src:
        assert src.tags()["CLOUDSCORE_ENGINE"] == "earthengine-servers"
    proxy = dock.scene_proxy
    assert {proxy.index(r, CLEAR).data() for r in range(proxy.rowCount())} == {"–"}
    assert "Earth Engine's servers composited" in dock.ui.sceneStatusLabel.text()
    assert "scenes used" in dock.ui.statusLabel.text() and dock.result_layers() is not None


def test_table_is_marked_stale_when_the_aoi_changes(dock, server):
    _earth_engine(dock)
    find_to_end(dock)
    assert dock.ui.previewCheckBox.isEnabled()

    dock.ui.boundsLineEdit.setText("465300, 5079400, 465900, 5080100")
    dock.ui.boundsLineEdit.editingFinished.emit()
    assert not dock.is_searching()  # Earth Engine is not searched again unasked
    assert "find scenes again" in dock.ui.sceneStatusLabel.text()
    assert not dock.ui.previewCheckBox.isEnabled() and dock.preview.layer is None

    find_to_end(dock)
    assert dock.ui.previewCheckBox.isEnabled() and "5 scenes found" in dock.ui.sceneStatusLabel.text()


def test_default_output_crs_is_the_utm_zone_of_the_aoi(dock, server, tmp_path):
    from rasterio.warp import transform_bounds

    _earth_engine(dock)
    bounds = transform_bounds("EPSG:32633", "EPSG:4326", *(float(v) for v in DEMO_BOUNDS.split(",")))
    dock.ui.boundsLineEdit.setText(", ".join(repr(v) for v in bounds))
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    assert dock.build_request()[0].crs == "EPSG:32633"
    dock.ui.outputCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:3035"))
    assert dock.build_request()[0].crs == "EPSG:3035"


def test_failure_to_read_the_fetched_scores_leaves_the_run_status(dock, server, tmp_path, qgis_iface, monkeypatch):
    from cloudscore_composite.plugin.tasks import scene_search_task

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("cache gone")

    monkeypatch.setattr(scene_search_task, "read_fetched_scores", broken)
    _earth_engine(dock)
    find_to_end(dock)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    run_to_end(dock)
    wait_until(lambda: not dock.is_searching())

    assert calls == [1]  # the reader ran and failed
    assert "scenes used" in dock.ui.statusLabel.text()
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert dock.ui.runButton.isEnabled() and dock.ui.findScenesButton.isEnabled()


def test_earth_engine_settings_are_stored_and_the_cache_cleared_on_confirmation(dock, server, tmp_path, monkeypatch):
    from qgis.core import QgsSettings
    from qgis.PyQt.QtWidgets import QMessageBox

    from cloudscore_composite.plugin.dock import earthengine_box as dock_earthengine
    from cloudscore_composite.plugin.core.earthengine.cache import TILES_SUBFOLDER

    box = dock.earth_engine_settings
    dock.set_source_kind("earthengine")
    assert dock.ui.sourceStack.currentWidget() is dock.ui.earthEnginePage
    assert box.parent() is dock.ui.earthEnginePage
    box.requestsSpinBox.setValue(3)
    box.ceilingSpinBox.setValue(512)
    box.cacheFolderWidget.setFilePath(str(tmp_path))
    settings = QgsSettings()
    assert settings.value("cloudscore_composite/earthengine/max_requests", type=int) == 3
    assert settings.value("cloudscore_composite/earthengine/ceiling_mb", type=float) == 512
    assert settings.value("cloudscore_composite/earthengine/cache_dir") == str(tmp_path)
    assert box.requestsSpinBox.maximum() == 40 and box.requestsSpinBox.minimum() == 1
    source = dock.current_source()
    assert source.max_workers == 3 and str(source.cache.folder) == str(tmp_path)

    tile = tmp_path / TILES_SUBFOLDER / "asset" / "tile.tif"
    tile.parent.mkdir(parents=True)
    tile.write_bytes(b"x" * 100)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(dock_earthengine.QMessageBox, "question", lambda *args: answers.pop(0))
    box.clearCacheButton.click()
    assert tile.exists()  # the user said no
    box.clearCacheButton.click()
    assert not tile.exists() and tmp_path.exists()

    dock.reset_to_defaults()
    assert box.requestsSpinBox.value() == 8 and box.cacheFolderWidget.filePath() == ""
