"""The dock's defaults a new user meets: the dates of the last full season before today (not the demo's), format
labels a user knows ("GeoTIFF", the data the core needs behind them), and *Reset to defaults* clearing the status
line too."""

from datetime import date

from qgis.core import QgsSettings

from cloudscore_composite.plugin.core.raster_output import available_compressions
from cloudscore_composite.plugin.core.seasons import last_full_season

from .dock_support import run_to_end


def _dates(dock):
    return dock.ui.startDateEdit.date().toPyDate(), dock.ui.endDateEdit.date().toPyDate()


def test_a_new_users_dates_are_the_last_full_season(dock, qgis_iface):
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    season = last_full_season(date.today())
    assert season.end <= date.today() and (date.today() - season.end).days < 92
    for key in ("start_date", "end_date"):  # never chosen: a new user's
        QgsSettings().remove(f"cloudscore_composite/{key}")
    panel = CompositeDock(qgis_iface)
    try:
        assert _dates(panel) == (season.start, season.end)
        assert panel._dates() == (season.start, season.end)  # the request's [start, end): the end excluded
    finally:
        panel.unload()
        panel.deleteLater()

    dock.ui.resetButton.click()  # the dock's fixture chose the demo's dates
    assert _dates(dock) == (season.start, season.end)
    assert QgsSettings().value("cloudscore_composite/start_date") == season.start.isoformat()


def test_reset_to_defaults_clears_the_status_line(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    run_to_end(dock)
    status = dock.ui.statusLabel
    assert "scene" in status.text() and "Output" in status.toolTip()  # the last run's outcome

    dock.ui.resetButton.click()

    assert status.text() == "" and status.toolTip() == ""


def test_format_labels_say_geotiff_and_the_settings_keep_the_format(dock, qgis_iface):
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    combo = dock.ui.formatCombo
    zstd = "ZSTD" in available_compressions()
    labels = ["GeoTIFF", "COG"] + (["GeoTIFF (ZSTD)", "COG (ZSTD)"] if zstd else [])
    data = ["GTiff", "COG"] + (["GTiff ZSTD", "COG ZSTD"] if zstd else [])
    assert [combo.itemText(i) for i in range(combo.count())] == labels
    assert [combo.itemData(i) for i in range(combo.count())] == data
    assert combo.currentText() == "GeoTIFF" and combo.currentData() == "GTiff"  # the default
    assert "ZSTD" in combo.toolTip() and "GTiff" not in combo.toolTip()

    combo.setCurrentText(labels[-1])
    dock.save_settings()
    assert QgsSettings().value("cloudscore_composite/format") == data[-1]  # as settings of older versions hold it
    panel = CompositeDock(qgis_iface)
    try:
        assert panel.ui.formatCombo.currentText() == labels[-1]
        assert panel.composite_panel.options()["output_format"] == "COG"
    finally:
        panel.unload()
        panel.deleteLater()
