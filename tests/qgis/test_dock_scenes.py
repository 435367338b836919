"""The dock's scene table: Find scenes, clear fractions, sorting, unticking, and the threshold preview."""

import pytest
import rasterio
from qgis.core import Qgis, QgsPalettedRasterRenderer, QgsProject
from qgis.PyQt.QtCore import Qt

from .dock_support import DEMO_CRS, INSIDE_DEMO, assert_refused, find_to_end, messages, run_to_end, wait_until


def _column(dock, column, role=Qt.ItemDataRole.DisplayRole):
    proxy = dock.scene_proxy
    return [proxy.index(row, column).data(role) for row in range(proxy.rowCount())]


def _typed_aoi(dock, bounds=INSIDE_DEMO, crs=DEMO_CRS):
    from qgis.core import QgsCoordinateReferenceSystem

    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText(", ".join(str(v) for v in bounds))
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem(crs))


def test_find_scenes_fills_the_table_with_clear_fractions_in_the_aoi(dock, demo_folder, qgis_iface):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.scene_stats import find_scenes
    from cloudscore_composite.plugin.dock.scene_table import CLEAR, DATE, SCENE_ID_ROLE, SCORE, TILE

    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)

    assert messages(qgis_iface, Qgis.MessageLevel.Critical) == []
    assert dock.scene_proxy.rowCount() == 5
    assert _column(dock, TILE) == ["33TVL"] * 5
    assert _column(dock, SCORE) == ["yes"] * 5
    assert _column(dock, DATE)[0] == "2015-07-11"
    assert set(_column(dock, DATE, Qt.ItemDataRole.CheckStateRole)) == {Qt.CheckState.Checked}
    assert "5 scenes found" in dock.ui.sceneStatusLabel.text()
    # The fractions are the core's, for the AOI at the dock's threshold.
    expected = find_scenes(FolderSource(demo_folder), *dock._dates(), INSIDE_DEMO, DEMO_CRS, "clear")
    fractions = expected.clear_fractions(0.6)
    for scene_id, text in zip(_column(dock, DATE, SCENE_ID_ROLE), _column(dock, CLEAR)):
        assert text == f"{fractions[scene_id]:.0%}"


def test_table_sorts_by_clear_fraction(dock, demo_folder):
    from cloudscore_composite.plugin.dock.scene_table import CLEAR, SORT_ROLE

    dock.set_folder(demo_folder)
    find_to_end(dock)
    dock.ui.sceneTableView.sortByColumn(CLEAR, Qt.SortOrder.DescendingOrder)
    values = _column(dock, CLEAR, SORT_ROLE)
    assert values == sorted(values, reverse=True) and len(set(values)) > 1


def test_threshold_updates_fractions_without_reading_again(dock, demo_folder, monkeypatch):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.dock.scene_table import CLEAR, SORT_ROLE

    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    at_060 = _column(dock, CLEAR, SORT_ROLE)

    reads = []
    monkeypatch.setattr(FolderSource, "read_block", lambda *args, **kwargs: reads.append(args))
    dock.ui.thresholdSlider.setValue(95)  # the slider moves the spin box, which updates the table
    at_095 = _column(dock, CLEAR, SORT_ROLE)
    dock.set_threshold(0.2)
    at_020 = _column(dock, CLEAR, SORT_ROLE)

    assert reads == []
    assert all(high <= mid <= low for high, mid, low in zip(at_095, at_060, at_020))
    assert at_095 != at_060 != at_020


def test_mask_preview_follows_selection_and_threshold(dock, demo_folder):
    from cloudscore_composite.plugin.core.mask_preview import CLEAR, NOT_CLEAR
    from cloudscore_composite.plugin.dock.scene_table import CLEAR as CLEAR_COLUMN
    from cloudscore_composite.plugin.dock.scene_table import DATE, SCENE_ID_ROLE

    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    scene_id = _column(dock, DATE, SCENE_ID_ROLE)[2]
    dock.select_scene(scene_id)

    first = dock.preview.layer
    assert first is not None and scene_id in first.name() and "0.60" in first.name()
    assert isinstance(first.renderer(), QgsPalettedRasterRenderer)
    assert QgsProject.instance().layerTreeRoot().findLayer(first.id()) is not None
    first_id, first_path = first.id(), dock.preview.path
    with rasterio.open(first_path) as src:
        classes = src.read(1)
    shown = (classes == CLEAR).sum() / ((classes == CLEAR) | (classes == NOT_CLEAR)).sum()
    row = _column(dock, DATE, SCENE_ID_ROLE).index(scene_id)
    assert f"{shown:.0%}" == _column(dock, CLEAR_COLUMN)[row]

    dock.set_threshold(0.9)
    second = dock.preview.layer
    assert second is not None and second.id() != first_id and "0.90" in second.name()
    assert QgsProject.instance().mapLayer(first_id) is None  # replaced, not piled up
    assert not first_path.exists()
    with rasterio.open(dock.preview.path) as src:
        assert (src.read(1) == CLEAR).sum() <= (classes == CLEAR).sum()

    dock.ui.previewCheckBox.setChecked(False)
    assert dock.preview.layer is None
    dock.ui.previewCheckBox.setChecked(True)
    assert dock.preview.layer is not None
    preview_id = dock.preview.layer.id()
    dock.show()
    dock.close()  # closing the dock removes the preview
    assert dock.preview.layer is None and QgsProject.instance().mapLayer(preview_id) is None


def test_unticked_scene_is_left_out_of_the_composite(dock, demo_folder, tmp_path):
    from cloudscore_composite.plugin.dock.scene_table import DATE, SCENE_ID_ROLE

    dock.set_folder(demo_folder)
    find_to_end(dock)
    ids = _column(dock, DATE, SCENE_ID_ROLE)
    left_out = ids[1]
    dock.scene_model.set_included(left_out, False)
    assert dock.scene_model.excluded_ids() == {left_out}
    assert "4 of 5 ticked" in dock.ui.sceneStatusLabel.text()
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("four.tif")

    run_to_end(dock)

    with rasterio.open(tmp_path / "four.tif") as src:
        used = src.tags()["CLOUDSCORE_SCENES"].split(",")
        assert src.read(src.count).max() <= 4  # at most four clear observations per pixel
    assert left_out not in used and sorted(used) == sorted(set(ids) - {left_out})


def test_no_scene_left_after_unticking_starts_no_task(dock, demo_folder, qgis_iface):
    from cloudscore_composite.plugin.dock.scene_table import DATE, SCENE_ID_ROLE

    dock.set_folder(demo_folder)
    find_to_end(dock)
    for scene_id in _column(dock, DATE, SCENE_ID_ROLE):
        dock.scene_model.set_included(scene_id, False)
    qgis_iface.messageBar().clear_messages()
    assert_refused(dock, qgis_iface, "tick at least one scene")


def test_find_scenes_over_no_scene_starts_no_task(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    _typed_aoi(dock, bounds=(0.0, 0.0, 1000.0, 1000.0))
    assert_refused(dock, qgis_iface, "touches no scene", action="find_scenes")


def test_second_search_is_refused_while_one_runs(dock, demo_folder, slow_reads, qgis_iface):
    dock.set_folder(demo_folder)
    assert dock.find_scenes() is not None
    assert dock.find_scenes() is None
    assert not dock.ui.findScenesButton.isEnabled()
    assert any("being searched" in m for m in messages(qgis_iface, Qgis.MessageLevel.Info))
    dock.cancel()
    wait_until(lambda: not dock.is_searching())
    assert dock.ui.findScenesButton.isEnabled()
    assert dock.ui.statusLabel.text() == "Search cancelled"


@pytest.mark.parametrize("threshold", [0.3, 0.8])
def test_table_fractions_match_the_composite_statistics(dock, demo_folder, tmp_path, threshold):
    """Over the whole area, the table's fractions are the ones run_composite reports per scene."""
    from cloudscore_composite.plugin.dock.scene_table import CLEAR, DATE, SCENE_ID_ROLE, SORT_ROLE

    dock.set_folder(demo_folder)
    dock.set_threshold(threshold)
    find_to_end(dock)
    table = dict(zip(_column(dock, DATE, SCENE_ID_ROLE), _column(dock, CLEAR, SORT_ROLE)))
    captured = []
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    task = dock.run()
    task.succeeded.connect(captured.append)
    wait_until(lambda: not dock.is_running())
    for summary in captured[0].scenes:
        assert table[summary.scene_id] == pytest.approx(summary.clear_fraction, abs=1e-9)
