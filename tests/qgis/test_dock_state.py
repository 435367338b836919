"""The dock's state as the user moves around: the panel action and tab groups, one task at a time, the AOI
outline across canvas CRS changes, the AOI layer remembered across projects, the layer AOI following the
selection, the folder scanned once, stale scores after a QA band or AOI change, the output CRS, the group name,
the overlapping polygons' area and the threshold preview's project state."""

import pytest
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt

from .dock_support import DEMO_CRS, DEMO_DATES, INSIDE_DEMO, find_to_end, messages, run_to_end, wait_until

UTM = QgsCoordinateReferenceSystem(DEMO_CRS)
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def _typed_aoi(dock, bounds=INSIDE_DEMO, crs=UTM):
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText(", ".join(repr(v) for v in bounds))
    dock.ui.boundsCrsWidget.setCrs(crs)
    dock.ui.boundsLineEdit.editingFinished.emit()


def _polygons_layer(rectangles, name="fields"):
    """A memory polygon layer in EPSG:32633 with one rectangle feature per (left, bottom, right, top)."""
    layer = QgsVectorLayer(f"Polygon?crs={DEMO_CRS}", name, "memory")
    features = []
    for rectangle in rectangles:
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(*rectangle)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(layer)
    return layer


# ---- finding 1: the panel's action and tab groups


def test_covering_the_dock_by_another_of_its_tab_group_keeps_it_open(plugin, dock, demo_folder, qgis_iface):
    window = qgis_iface.mainWindow()
    other = QgsDockWidget("Other panel", window)
    other.setObjectName("OtherPanel")
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, other)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(dock, other)
    window_shown = window.isVisible()
    window.show()  # hide events reach the dock only when the window is on screen
    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    plugin.action.trigger()  # the user ticks the menu entry: shown and raised
    assert plugin.action.isChecked() and not dock.isHidden()
    assert dock.outline.is_shown()
    try:
        other.raise_()
        dock.visibilityChanged.emit(False)  # what Qt says when another tab of the group is raised
        assert not plugin.action.isChecked()  # the tick follows...
        assert not dock.isHidden() and dock.outline.is_shown()  # ...but the dock is neither closed nor released

        plugin.action.trigger()  # ticking again raises it
        dock.visibilityChanged.emit(True)  # what Qt says when it is raised
        assert plugin.action.isChecked() and not dock.isHidden()
        plugin.action.trigger()  # unticking closes it and takes the outline off the canvas
        assert dock.isHidden() and not dock.outline.is_shown()
    finally:
        window.removeDockWidget(other)
        other.deleteLater()
        window.setVisible(window_shown)


# ---- finding 2: one background task at a time


def test_run_is_refused_while_scenes_are_found_and_the_other_way(dock, demo_folder, tmp_path, slow_reads, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    assert dock.find_scenes() is not None
    tasks = QgsApplication.taskManager().count()
    assert not dock.ui.runButton.isEnabled() and not dock.ui.findScenesButton.isEnabled()
    assert dock.ui.cancelButton.isEnabled()

    assert dock.run() is None
    assert QgsApplication.taskManager().count() == tasks and not dock.is_running()
    assert any("being searched" in m for m in messages(qgis_iface, Qgis.MessageLevel.Info))
    wait_until(lambda: not dock.is_searching())
    assert dock.ui.runButton.isEnabled() and dock.ui.findScenesButton.isEnabled()

    assert dock.run() is not None
    assert not dock.ui.findScenesButton.isEnabled()
    assert dock.find_scenes() is None and not dock.is_searching()
    assert any("already running" in m for m in messages(qgis_iface, Qgis.MessageLevel.Info))
    dock.cancel_run()
    wait_until(lambda: not dock.is_running())
    assert dock.ui.findScenesButton.isEnabled()


# ---- finding 4: the outline follows the canvas CRS


def test_outline_is_reprojected_when_the_canvas_crs_changes(dock, qgis_iface):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(UTM)
    _typed_aoi(dock)
    box = dock.outline.band.asGeometry().boundingBox()
    assert box.xMinimum() == pytest.approx(INSIDE_DEMO[0])

    canvas.setDestinationCrs(WGS84)
    box = dock.outline.band.asGeometry().boundingBox()
    assert 14 < box.xMinimum() < 15 and 45 < box.yMinimum() < 46  # degrees now, around the demo scenes
    canvas.setDestinationCrs(UTM)


# ---- finding 5: the AOI layer is kept until the project holding it is read, and reset clears it


def test_aoi_layer_is_chosen_again_once_the_project_is_read(dock, qgis_iface, tmp_path):
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    import json

    from rasterio.warp import transform_bounds

    left, bottom, right, top = transform_bounds(DEMO_CRS, "EPSG:4326", *INSIDE_DEMO)
    ring = [[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]
    path = tmp_path / "fields.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                ],
            }
        )
    )
    layer = QgsVectorLayer(str(path), "fields", "ogr")
    QgsProject.instance().addMapLayer(layer)
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    layer_id = layer.id()
    dock.save_settings()
    project_file = str(tmp_path / "with_layer.qgz")
    assert QgsProject.instance().write(project_file)
    QgsProject.instance().clear()  # QGIS starts with an empty project...

    panel = CompositeDock(qgis_iface)  # ...and builds the dock before the project is read
    try:
        assert panel.ui.layerCombo.currentLayer() is None
        panel.save_settings()  # a save before the project is read keeps the layer remembered
        assert QgsProject.instance().read(project_file)
        assert panel.ui.layerCombo.currentLayer() is not None
        assert panel.ui.layerCombo.currentLayer().id() == layer_id
        assert panel.aoi().label == "fields"

        panel.reset_to_defaults()
        assert panel.ui.layerCombo.currentLayer() is None
        panel.save_settings()
        assert QgsProject.instance().read(project_file)
        assert panel.ui.layerCombo.currentLayer() is None  # reset forgot it
    finally:
        panel.unload()
        panel.deleteLater()


# ---- finding 9 and 12: the layer AOI: overlaps counted once, the selection followed, features read once


def test_overlapping_polygons_count_once_in_the_area(dock):
    left, bottom, right, top = INSIDE_DEMO
    layer = _polygons_layer([(left, bottom, right, top), (left, bottom, right, top)])
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    assert dock.aoi().area_m2() == pytest.approx((right - left) * (top - bottom), rel=0.01)


def test_selected_features_aoi_follows_the_selection(dock, monkeypatch):
    from cloudscore_composite.plugin.dock import aoi_panel as dock_aoi

    left, bottom, right, top = INSIDE_DEMO
    middle = (left + right) / 2
    layer = _polygons_layer([(left, bottom, middle, top), (middle, bottom, right, top)])
    first, second = [f.id() for f in layer.getFeatures()]
    layer.selectByIds([first])
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    dock.ui.selectedOnlyCheckBox.setChecked(True)
    assert dock.aoi().bounds()[2] == pytest.approx(middle)

    layer.selectByIds([second])  # no click in the dock: the outline and the AOI follow
    assert dock.aoi().bounds()[0] == pytest.approx(middle)
    assert dock.outline.band.asGeometry().boundingBox().xMinimum() == pytest.approx(middle)

    reads = []
    read_layer = dock_aoi.layer_aoi
    monkeypatch.setattr(dock_aoi, "layer_aoi", lambda *args: reads.append(args) or read_layer(*args))
    for resolution in (20, 30, 60):
        dock.ui.resolutionSpinBox.setValue(resolution)
    assert reads == []  # the features are not read again for another resolution
    layer.selectByIds([first, second])
    assert len(reads) == 1 and dock.aoi().bounds()[0] == pytest.approx(left)


# ---- finding 8: the pixel count is the composite grid's


def test_pixel_count_is_the_composite_grid(dock, demo_folder):
    from rasterio.warp import transform_bounds

    from cloudscore_composite.plugin.core.scene import scenes_grid

    dock.set_folder(demo_folder)
    wgs84 = transform_bounds(DEMO_CRS, "EPSG:4326", *INSIDE_DEMO)
    _typed_aoi(dock, wgs84, WGS84)
    grid = scenes_grid(dock.source_panel.folder_scenes(), wgs84, "EPSG:4326")
    assert f"{grid.width * grid.height:,} pixels at 10 m" in dock.ui.aoiSizeLabel.text()


# ---- finding 10: the folder is scanned once while unchanged


def test_folder_is_scanned_again_only_when_it_changes(dock, demo_folder, monkeypatch):
    import shutil

    from cloudscore_composite.plugin.core.folder_source import FolderSource

    scans = []
    scan = FolderSource.__init__

    def counting(self, folder, *args, **kwargs):
        scans.append(folder)
        scan(self, folder, *args, **kwargs)

    monkeypatch.setattr(FolderSource, "__init__", counting)
    dock.set_folder(demo_folder)
    assert len(scans) == 1
    dock.build_request()
    dock.current_source()
    dock.refresh_source()
    assert len(scans) == 1

    extra = sorted(demo_folder.glob("*.tif"))[0]
    shutil.copy(extra, demo_folder / "copy.tif.txt")  # another file: the folder is read again
    dock.current_source()
    assert len(scans) == 2


# ---- finding 13: scores after a QA band or AOI change


def test_folder_scores_are_read_again_when_the_aoi_changes(dock, demo_folder):
    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    first_grid = dock.scene_model.search.grid

    left, bottom, right, top = INSIDE_DEMO
    _typed_aoi(dock, (left, bottom, (left + right) / 2, top))
    assert dock.is_searching()  # read again in the background, no click
    wait_until(lambda: not dock.is_searching())
    assert dock.scene_model.search.grid.width < first_grid.width
    assert "changed" not in dock.ui.sceneStatusLabel.text()
    assert dock.ui.previewCheckBox.isEnabled()


# ---- finding 14: the output CRS


def test_output_crs_goes_into_the_request(dock, demo_folder, tmp_path):
    import rasterio

    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("in_32632.tif")
    assert dock.build_request()[0].crs is None  # not set: the scenes' CRS
    dock.ui.outputCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:32632"))
    request = run_to_end(dock)
    assert request.crs == "EPSG:32632"
    with rasterio.open(tmp_path / "in_32632.tif") as src:
        assert src.crs.to_epsg() == 32632


# ---- finding 16: the group is named by the tiles, or the polygon layer


def test_group_is_named_by_the_tiles_or_the_layer(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    _typed_aoi(dock)
    run_to_end(dock)
    root = QgsProject.instance().layerTreeRoot()
    assert root.findGroup(f"T33TVL {DEMO_DATES}") is not None

    layer = _polygons_layer([INSIDE_DEMO], name="my fields")
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    run_to_end(dock)
    assert root.findGroup(f"My fields {DEMO_DATES}") is not None


# ---- finding 11: the threshold preview does not mark the project modified


def test_threshold_steps_leave_a_clean_project_clean(dock, demo_folder):
    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    assert dock.preview.layer is not None
    QgsProject.instance().setDirty(False)
    for threshold in (0.3, 0.5, 0.7):
        dock.set_threshold(threshold)
        assert dock.preview.layer is not None and f"{threshold:.2f}" in dock.preview.layer.name()
    assert not QgsProject.instance().isDirty()
    dock.preview.clear()
    assert not QgsProject.instance().isDirty()


def test_a_preview_that_does_not_open_removes_the_previous_one(dock, demo_folder, monkeypatch):
    from cloudscore_composite.plugin.dock import threshold_preview

    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    assert dock.preview.layer is not None
    previous = dock.preview.path

    def broken(path, *args):
        path.write_bytes(b"not a GeoTIFF")
        return path

    monkeypatch.setattr(threshold_preview, "write_mask_preview", broken)
    dock.set_threshold(0.42)
    assert dock.preview.layer is None and not previous.exists()


def test_an_aoi_touching_no_scene_after_a_search_marks_the_table_stale_once(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    _typed_aoi(dock)
    find_to_end(dock)
    qgis_iface.messageBar().clear_messages()

    _typed_aoi(dock, (0.0, 0.0, 1000.0, 1000.0))  # far from the demo scenes
    assert not dock.is_searching()
    assert len(messages(qgis_iface, Qgis.MessageLevel.Warning)) == 1  # why the scores were not read again
    assert "find scenes again" in dock.ui.sceneStatusLabel.text() and not dock.ui.previewCheckBox.isEnabled()
    dock.ui.resolutionSpinBox.setValue(20)  # later edits neither search nor warn again
    assert not dock.is_searching() and len(messages(qgis_iface, Qgis.MessageLevel.Warning)) == 1

    _typed_aoi(dock)  # back to the searched AOI: the table is current again
    assert dock.ui.previewCheckBox.isEnabled() and "find scenes again" not in dock.ui.sceneStatusLabel.text()
