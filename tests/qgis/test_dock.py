"""The dock panel: folder -> QA bands, a composite run through its QgsTask, cancel, bad input, one run at a time."""

import dataclasses
import threading
import time
from datetime import date

import numpy as np
import pytest
import rasterio
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMultiBandColorRenderer,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsSingleBandPseudoColorRenderer,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QCoreApplication, QDate

DEMO_START, DEMO_END = QDate(2015, 7, 1), QDate(2015, 10, 1)
GROUP_NAME = "Composite 2015-07-01..2015-10-01"
TIMEOUT_S = 60


def wait_until(condition, timeout=TIMEOUT_S):
    """Process Qt events until ``condition()`` holds (the task's finished() arrives through the event loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        QCoreApplication.processEvents()
        time.sleep(0.01)


@pytest.fixture
def dock(plugin, qgis_iface, qgis_new_project):
    """The plugin's dock, idle, with no folder, the demo dates, default threshold, no extent and an empty
    message bar."""
    panel = plugin.dock
    assert not panel.is_running()
    panel.set_folder("")  # no QA bands left over from an earlier test
    panel.ui.startDateEdit.setDate(DEMO_START)
    panel.ui.endDateEdit.setDate(DEMO_END)
    panel.set_threshold(0.6)
    panel.ui.extentWidget.clear()
    panel.ui.outputWidget.setFilePath("")
    qgis_iface.messageBar().clear_messages()
    yield panel
    if panel.is_running():  # leave the shared dock idle for the next test
        panel.cancel_run()
        wait_until(lambda: not panel.is_running())


@pytest.fixture
def slow_reads(monkeypatch):
    """Make every scene read take 0.2 s (5 demo scenes: a run lasts about 1 s), so a run can be caught
    while it is going; the event is set once the first read has started."""
    from cloudscore_composite.plugin.core.folder_source import FolderSource

    started = threading.Event()
    read_block = FolderSource.read_block

    def slow_read_block(self, *args, **kwargs):
        started.set()
        time.sleep(0.2)
        return read_block(self, *args, **kwargs)

    monkeypatch.setattr(FolderSource, "read_block", slow_read_block)
    return started


def messages(iface, level):
    return iface.messageBar().get_messages(level)


def test_plugin_created_the_dock(plugin):
    from cloudscore_composite.plugin.dock import CompositeDock

    assert isinstance(plugin.dock, CompositeDock)
    assert isinstance(plugin.dock, QgsDockWidget)
    assert not plugin.dock.ui.cancelButton.isEnabled()
    assert plugin.dock.ui.runButton.isEnabled()


def test_folder_fills_the_qa_band_combo(dock, demo_folder):
    dock.ui.folderWidget.setFilePath(str(demo_folder))
    # The folder is read shortly after the last edit of its path.
    wait_until(lambda: dock.ui.qaBandCombo.count() > 0, timeout=5)

    combo = dock.ui.qaBandCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["clear"]
    assert combo.currentText() == "clear"
    assert combo.isEnabled()
    assert "5 scenes" in dock.ui.folderMessageLabel.text()


def test_folder_without_scenes_says_so(dock, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    dock.set_folder(empty)

    assert dock.ui.qaBandCombo.count() == 0
    assert not dock.ui.qaBandCombo.isEnabled()
    assert "holds no Sentinel-2 scene" in dock.ui.folderMessageLabel.text()


def test_threshold_slider_and_spin_box_stay_in_sync(dock):
    dock.ui.thresholdSlider.setValue(45)
    assert dock.ui.thresholdSpinBox.value() == pytest.approx(0.45)
    dock.ui.thresholdSpinBox.setValue(0.73)
    assert dock.ui.thresholdSlider.value() == 73
    assert dock.threshold() == pytest.approx(0.73)
    dock.ui.thresholdSpinBox.clear()  # the clear button restores the default
    assert dock.threshold() == pytest.approx(0.6)
    assert dock.ui.thresholdSlider.value() == 60


def test_extent_becomes_the_request_aoi(dock, demo_folder):
    from cloudscore_composite.plugin.core.pipeline import CompositeRequest

    dock.set_folder(demo_folder)
    assert dock.aoi() == (None, None)  # not set: all scenes
    rect = QgsRectangle(465300, 5079400, 465900, 5080100)
    dock.ui.extentWidget.setOutputExtentFromUser(rect, QgsCoordinateReferenceSystem("EPSG:32633"))

    request = dock.build_request()

    assert isinstance(request, CompositeRequest)
    assert request.aoi == pytest.approx((465300, 5079400, 465900, 5080100))
    assert request.aoi_crs == "EPSG:32633"
    assert (request.start, request.end) == (date(2015, 7, 1), date(2015, 10, 1))
    assert request.qa_band == "clear"
    assert request.threshold == pytest.approx(0.6)
    assert str(request.output).endswith(".tif")  # no output entered: a temporary file


def test_dock_produces_the_same_composite_as_run_composite(dock, demo_folder, tmp_path, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.pipeline import run_composite

    output = tmp_path / "out" / "dock.tif"
    output.parent.mkdir()
    dock.set_folder(demo_folder)
    dock.ui.qaBandCombo.setCurrentText("clear")
    dock.ui.outputWidget.setFilePath(str(output))

    task = dock.run()
    assert task is not None
    request = task.request  # the task is deleted once finished: keep what the test needs now
    assert dock.is_running()
    assert not dock.ui.runButton.isEnabled() and dock.ui.cancelButton.isEnabled()
    wait_until(lambda: not dock.is_running())

    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert output.exists()
    assert dock.ui.runButton.isEnabled() and not dock.ui.cancelButton.isEnabled()
    assert dock.ui.progressBar.value() == 100
    assert (request.start, request.end, request.qa_band, request.aoi) == (
        date(2015, 7, 1), date(2015, 10, 1), "clear", None)
    assert request.threshold == pytest.approx(0.6)

    # The same request run directly, as the Processing algorithm does.
    direct = run_composite(dataclasses.replace(request, output=tmp_path / "direct.tif"), FolderSource(demo_folder))
    with rasterio.open(output) as got, rasterio.open(direct.output) as want:
        assert got.descriptions == want.descriptions
        assert got.crs == want.crs and got.transform == want.transform
        np.testing.assert_array_equal(got.read(), want.read())
    assert "5 scenes used" in dock.ui.statusLabel.text()
    assert f"{direct.clear_fraction:.0%}" in dock.ui.statusLabel.text()
    assert len(messages(qgis_iface, Qgis.MessageLevel.Success)) == 1

    group = QgsProject.instance().layerTreeRoot().findGroup(GROUP_NAME)
    assert group is not None
    rgb, count = [node.layer() for node in group.findLayers()]
    renderer = rgb.renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    bands = [renderer.redBand(), renderer.greenBand(), renderer.blueBand()]
    assert [direct.band_names[b - 1] for b in bands] == ["B4", "B3", "B2"]
    for enhancement in (renderer.redContrastEnhancement(), renderer.greenContrastEnhancement(),
                        renderer.blueContrastEnhancement()):
        assert (enhancement.minimumValue(), enhancement.maximumValue()) == (0, 2500)
    assert isinstance(count.renderer(), QgsSingleBandPseudoColorRenderer)
    assert direct.band_names[count.renderer().band() - 1] == "count"

    settings = QgsSettings()
    assert settings.value("cloudscore_composite/folder") == str(demo_folder)
    assert settings.value("cloudscore_composite/start_date") == "2015-07-01"
    assert settings.value("cloudscore_composite/end_date") == "2015-10-01"
    assert settings.value("cloudscore_composite/qa_band") == "clear"
    assert settings.value("cloudscore_composite/threshold", type=float) == pytest.approx(0.6)


@pytest.mark.parametrize("when", ["immediately", "while_reading"])
def test_cancel_leaves_no_output_and_no_layers(dock, demo_folder, tmp_path, slow_reads, qgis_iface, when):
    out = tmp_path / "out"
    out.mkdir()
    dock.set_folder(demo_folder)
    dock.ui.outputWidget.setFilePath(str(out / "cancelled.tif"))
    layers_before = len(QgsProject.instance().mapLayers())

    dock.ui.runButton.click()
    assert dock.is_running()
    if when == "while_reading":
        wait_until(slow_reads.is_set)
    dock.ui.cancelButton.click()
    assert not dock.ui.cancelButton.isEnabled()
    wait_until(lambda: not dock.is_running())

    assert dock.ui.statusLabel.text() == "Cancelled"
    assert list(out.iterdir()) == []  # not even a partial file
    assert len(QgsProject.instance().mapLayers()) == layers_before
    assert QgsProject.instance().layerTreeRoot().findGroup(GROUP_NAME) is None
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert dock.ui.runButton.isEnabled() and not dock.ui.cancelButton.isEnabled()


def _assert_refused(dock, qgis_iface, expected):
    tasks_before = QgsApplication.taskManager().count()
    assert dock.run() is None
    assert not dock.is_running()
    assert QgsApplication.taskManager().count() == tasks_before
    warnings = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert len(warnings) == 1 and expected in warnings[0]
    assert dock.ui.runButton.isEnabled()


def test_folder_without_scenes_starts_no_task(dock, tmp_path, qgis_iface):
    empty = tmp_path / "empty"
    empty.mkdir()
    dock.ui.folderWidget.setFilePath(str(empty))  # Run reads the folder even before the delayed refresh
    _assert_refused(dock, qgis_iface, "holds no Sentinel-2 scene")


def test_no_folder_starts_no_task(dock, qgis_iface):
    dock.set_folder("")
    _assert_refused(dock, qgis_iface, "choose the folder")


def test_end_date_not_after_start_starts_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.endDateEdit.setDate(DEMO_START)
    _assert_refused(dock, qgis_iface, "must be after start date")


def test_dates_without_scenes_start_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.startDateEdit.setDate(QDate(2016, 1, 1))
    dock.ui.endDateEdit.setDate(QDate(2016, 2, 1))
    _assert_refused(dock, qgis_iface, "no scene was acquired")


def test_second_run_is_refused_while_one_runs(dock, demo_folder, tmp_path, slow_reads, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.outputWidget.setFilePath(str(tmp_path / "first.tif"))
    first = dock.run()
    assert first is not None

    assert dock.run() is None
    assert dock.ui.runButton.isEnabled() is False
    infos = messages(qgis_iface, Qgis.MessageLevel.Info)
    assert any("already running" in message for message in infos)

    dock.cancel_run()
    wait_until(lambda: not dock.is_running())
    assert dock.ui.statusLabel.text() == "Cancelled"


def test_failure_shows_a_critical_message_and_adds_no_layers(dock, demo_folder, tmp_path, monkeypatch, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource

    def broken_read_block(self, *args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(FolderSource, "read_block", broken_read_block)
    dock.set_folder(demo_folder)
    dock.ui.outputWidget.setFilePath(str(tmp_path / "broken.tif"))
    layers_before = len(QgsProject.instance().mapLayers())

    assert dock.run() is not None
    wait_until(lambda: not dock.is_running())

    critical = messages(qgis_iface, Qgis.MessageLevel.Critical)
    assert len(critical) == 1 and "disk on fire" in critical[0]
    assert dock.ui.statusLabel.text().startswith("Failed")
    assert not (tmp_path / "broken.tif").exists()
    assert len(QgsProject.instance().mapLayers()) == layers_before
    assert dock.ui.runButton.isEnabled() and not dock.ui.cancelButton.isEnabled()


def test_a_new_dock_restores_the_last_inputs(plugin, qgis_iface, tmp_path):
    from cloudscore_composite.plugin.dock import CompositeDock, set_setting

    set_setting("folder", str(tmp_path))
    set_setting("start_date", "2020-03-01")
    set_setting("end_date", "2020-06-01")
    set_setting("threshold", 0.55)
    panel = CompositeDock(qgis_iface)
    try:
        assert panel.folder() == str(tmp_path)
        assert panel.ui.startDateEdit.date() == QDate(2020, 3, 1)
        assert panel.ui.endDateEdit.date() == QDate(2020, 6, 1)
        assert panel.threshold() == pytest.approx(0.55)
        assert panel.ui.thresholdSlider.value() == 55
    finally:
        panel.deleteLater()
