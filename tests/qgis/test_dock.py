"""The dock panel: folder -> QA bands, a composite run through its QgsTask with stages, cancel, bad input, one run
at a time, settings remembered and reset, tooltips (the help: test_dock_help.py)."""

import dataclasses
from datetime import date

import numpy as np
import pytest
import rasterio
from qgis.core import Qgis, QgsApplication, QgsProject, QgsSettings
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWidget

from cloudscore_composite.plugin.core.seasons import last_full_season

from .dock_support import DEMO_DATES, DEMO_START, assert_refused, messages, wait_until


GROUP_NAME = f"T33TVL {DEMO_DATES}"


def test_plugin_created_the_dock(plugin):
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    assert isinstance(plugin.dock, CompositeDock)
    assert isinstance(plugin.dock, QgsDockWidget)
    assert not plugin.dock.ui.cancelButton.isEnabled()
    assert plugin.dock.ui.runButton.isEnabled()


QGIS_INNER_WIDGETS = {
    "mButtonClear",
    "mLineEdit",
    "mLinkLabel",
    "collapseButton",
    "cmbConfigSelect",
    "ScrollLeftButton",
    "ScrollRightButton",
}
"""Parts of QGIS's and Qt's own widgets (file widget, collapsible group box, the tab bar's scroll buttons, never
shown): the outer widget carries the tooltip."""


def test_every_field_has_a_tooltip(dock):
    inputs = (QAbstractButton, QComboBox, QLineEdit)
    kinds = ("Widget", "SpinBox", "Slider", "View", "Bar")
    named = [
        w for w in dock.widget().findChildren(QWidget) if w.objectName() and not w.objectName().startswith("qt_")
    ]  # qt_: Qt's own parts
    fields = [w for w in named if isinstance(w, inputs) or w.objectName().endswith(kinds)]
    missing = sorted({w.objectName() for w in fields if not w.toolTip()} - QGIS_INNER_WIDGETS)
    assert len(fields) > 25
    assert missing == []


def test_folder_fills_the_qa_band_combo(dock, demo_folder):
    dock.ui.folderWidget.setFilePath(str(demo_folder))
    # The folder is read shortly after the last edit of its path.
    wait_until(lambda: dock.ui.qaBandCombo.count() > 0, timeout=5)

    combo = dock.ui.qaBandCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["clear"]
    assert combo.currentText() == "clear" and combo.isEnabled()
    assert "5 scenes" in dock.ui.folderMessageLabel.text()


def test_folder_without_scenes_says_so(dock, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    dock.set_folder(empty)

    assert dock.ui.qaBandCombo.count() == 0 and not dock.ui.qaBandCombo.isEnabled()
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


def test_dock_produces_the_same_composite_as_run_composite(dock, demo_folder, tmp_path, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.pipeline import run_composite

    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("dock")  # .tif is added

    task = dock.run()
    assert task is not None
    request = task.request  # the task is deleted once finished: keep what the test needs now
    assert dock.is_running()
    assert not dock.ui.runButton.isEnabled() and dock.ui.cancelButton.isEnabled()
    wait_until(lambda: not dock.is_running())

    output = tmp_path / "dock.tif"
    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert output.exists()
    assert dock.ui.runButton.isEnabled() and not dock.ui.cancelButton.isEnabled()
    assert dock.ui.progressBar.isHidden()  # it showed the run's progress; the status says how it ended
    assert (request.start, request.end, request.qa_band, request.aoi, request.method) == (
        date(2015, 7, 1),
        date(2015, 10, 1),
        "clear",
        None,
        "median",
    )
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
    assert QgsProject.instance().layerTreeRoot().findGroup(GROUP_NAME) is not None

    settings = QgsSettings()
    assert settings.value("cloudscore_composite/folder") == str(demo_folder)
    assert settings.value("cloudscore_composite/start_date") == "2015-07-01"
    assert settings.value("cloudscore_composite/end_date") == "2015-10-01"
    assert settings.value("cloudscore_composite/qa_band") == "clear"
    assert settings.value("cloudscore_composite/threshold", type=float) == pytest.approx(0.6)


def test_default_output_is_a_temporary_file(dock, demo_folder):
    dock.set_folder(demo_folder)
    request, _source = dock.build_request()
    assert request.output.name.startswith("composite_20150701_20151001_") and request.output.suffix == ".tif"
    assert request.output.parent.is_dir()


def test_progress_shows_the_stages_and_the_time_left(dock, demo_folder, tmp_path, slow_reads):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    task = dock.run()
    stages, texts = [], []
    task.stageChanged.connect(stages.append)
    # Connected after the dock's own slots: the label already shows what the signal brought.
    task.progressChanged.connect(lambda _p: texts.append(dock.ui.statusLabel.text()))
    task.stageChanged.connect(lambda _s: texts.append(dock.ui.statusLabel.text()))
    wait_until(lambda: not dock.is_running())

    assert any(s.startswith("composite block") for s in stages), stages
    assert any(" left" in t for t in texts), texts
    assert any("composite block" in t for t in texts), texts


@pytest.mark.parametrize("when", ["immediately", "while_reading"])
def test_cancel_leaves_no_output_and_no_layers(dock, demo_folder, tmp_path, slow_reads, qgis_iface, when):
    out = tmp_path / "out"
    out.mkdir()
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(out))
    dock.ui.outputNameLineEdit.setText("cancelled.tif")
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


def test_second_run_is_refused_while_one_runs(dock, demo_folder, tmp_path, slow_reads, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    assert dock.run() is not None
    tasks = QgsApplication.taskManager().count()

    assert dock.run() is None
    assert QgsApplication.taskManager().count() == tasks
    assert dock.ui.runButton.isEnabled() is False
    assert any("already running" in message for message in messages(qgis_iface, Qgis.MessageLevel.Info))

    dock.cancel_run()
    wait_until(lambda: not dock.is_running())
    assert dock.ui.statusLabel.text() == "Cancelled"


def test_folder_without_scenes_starts_no_task(dock, tmp_path, qgis_iface):
    empty = tmp_path / "empty"
    empty.mkdir()
    dock.ui.folderWidget.setFilePath(str(empty))  # Run reads the folder even before the delayed refresh
    assert_refused(dock, qgis_iface, "holds no Sentinel-2 scene")


def test_no_folder_starts_no_task(dock, qgis_iface):
    assert_refused(dock, qgis_iface, "choose the folder")


def test_end_date_not_after_start_starts_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.endDateEdit.setDate(DEMO_START)
    assert_refused(dock, qgis_iface, "must be after start date")


def test_dates_without_scenes_start_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.startDateEdit.setDate(QDate(2016, 1, 1))
    dock.ui.endDateEdit.setDate(QDate(2016, 2, 1))
    assert_refused(dock, qgis_iface, "no scene was acquired")


def test_bad_percentiles_start_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.methodCombo.setCurrentText("percentiles")
    dock.ui.percentilesLineEdit.setText("25, 150")
    assert_refused(dock, qgis_iface, "outside 0..100")


def test_missing_output_folder_starts_no_task(dock, demo_folder, tmp_path, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path / "missing"))
    assert_refused(dock, qgis_iface, "does not exist")


def test_failure_shows_a_critical_message_and_adds_no_layers(dock, demo_folder, tmp_path, monkeypatch, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource

    def broken_read_block(self, *args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(FolderSource, "read_block", broken_read_block)
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("broken.tif")
    layers_before = len(QgsProject.instance().mapLayers())

    assert dock.run() is not None
    wait_until(lambda: not dock.is_running())

    critical = messages(qgis_iface, Qgis.MessageLevel.Critical)
    assert len(critical) == 1 and "disk on fire" in critical[0]
    assert dock.ui.statusLabel.text().startswith("Composite failed")
    assert not (tmp_path / "broken.tif").exists()
    assert len(QgsProject.instance().mapLayers()) == layers_before
    assert dock.ui.runButton.isEnabled() and not dock.ui.cancelButton.isEnabled()


def _set_every_field(panel, folder):
    ui = panel.ui
    panel.set_folder(folder)
    ui.startDateEdit.setDate(QDate(2020, 3, 1))
    ui.endDateEdit.setDate(QDate(2020, 6, 1))
    panel.set_aoi_kind("typed")
    ui.boundsLineEdit.setText("14.5, 45.8, 14.6, 45.9")
    ui.resolutionSpinBox.setValue(20)
    panel.set_threshold(0.55)
    ui.previewCheckBox.setChecked(False)
    ui.methodCombo.setCurrentText("percentiles")
    ui.percentilesLineEdit.setText("10, 90")
    ui.bandsCombo.setCheckedItems(["B8", "B4"])
    ui.formatCombo.setCurrentText("COG")
    ui.scaleToByteCheckBox.setChecked(True)
    ui.statisticLayersCheckBox.setChecked(True)
    ui.outputFolderWidget.setFilePath(str(folder))
    ui.outputNameLineEdit.setText("summer.tif")
    ui.combinationCombo.setCurrentIndex(1)


def test_a_new_dock_restores_every_field(dock, qgis_iface, demo_folder):
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    _set_every_field(dock, demo_folder)
    dock.save_settings()
    panel = CompositeDock(qgis_iface)
    try:
        ui = panel.ui
        assert panel.folder() == str(demo_folder)
        assert ui.startDateEdit.date() == QDate(2020, 3, 1) and ui.endDateEdit.date() == QDate(2020, 6, 1)
        assert panel.aoi_kind() == "typed" and ui.boundsLineEdit.text() == "14.5, 45.8, 14.6, 45.9"
        assert ui.resolutionSpinBox.value() == 20
        assert panel.threshold() == pytest.approx(0.55) and ui.thresholdSlider.value() == 55
        assert not ui.previewCheckBox.isChecked()
        assert ui.methodCombo.currentText() == "percentiles" and ui.percentilesLineEdit.text() == "10, 90"
        assert sorted(ui.bandsCombo.checkedItems()) == ["B4", "B8"]
        assert ui.formatCombo.currentText() == "COG"
        assert ui.scaleToByteCheckBox.isChecked() and ui.statisticLayersCheckBox.isChecked()
        assert ui.outputFolderWidget.filePath() == str(demo_folder) and ui.outputNameLineEdit.text() == "summer.tif"
        assert ui.combinationCombo.currentIndex() == 1
        assert ui.qaBandCombo.currentText() == "clear"
    finally:
        panel.unload()
        panel.deleteLater()


def test_reset_to_defaults(dock, demo_folder):
    _set_every_field(dock, demo_folder)
    dock.ui.resetButton.click()

    ui = dock.ui
    assert dock.folder() == "" and dock.aoi_kind() == "scenes"
    season = last_full_season(date.today())  # not the demo's dates: see test_dock_defaults.py
    assert ui.startDateEdit.date().toPyDate() == season.start and ui.endDateEdit.date().toPyDate() == season.end
    assert dock.threshold() == pytest.approx(0.6) and ui.previewCheckBox.isChecked()
    assert ui.methodCombo.currentText() == "median" and ui.bandsCombo.checkedItems() == []
    assert ui.formatCombo.currentData() == "GTiff" and not ui.scaleToByteCheckBox.isChecked()
    assert ui.outputFolderWidget.filePath() == "" and ui.outputNameLineEdit.text() == ""
    assert QgsSettings().value("cloudscore_composite/method") == "median"
