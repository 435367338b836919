"""The dock's AOI kinds: map canvas extent, a rectangle drawn on the map, a polygon layer (clipped, any CRS),
typed bounds with a CRS; the outline on the canvas, the size shown, and bad AOIs refused before any task."""

import numpy as np
import pytest
import rasterio
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from rasterio.features import geometry_mask
from rasterio.warp import transform_geom

from .dock_support import DEMO_CRS, DEMO_START, INSIDE_DEMO, assert_refused, find_to_end, run_to_end


UTM = QgsCoordinateReferenceSystem(DEMO_CRS)
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def _output(dock, tmp_path, name):
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText(name)
    return tmp_path / name


def _covers(out_bounds, aoi, pixel=10.0):
    """The output grid covers the AOI, widened by less than a pixel on each side."""
    left, bottom, right, top = out_bounds
    return (
        left <= aoi[0] < left + pixel
        and right - pixel < aoi[2] <= right
        and bottom <= aoi[1] < bottom + pixel
        and top - pixel < aoi[3] <= top
    )


def test_canvas_extent(dock, demo_folder, qgis_iface, tmp_path):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(UTM)
    canvas.setExtent(QgsRectangle(*INSIDE_DEMO))
    extent = canvas.extent()
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("canvas")  # takes the extent at once

    aoi = dock.aoi()
    assert aoi.bounds() == pytest.approx((extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()))
    assert aoi.crs == UTM and aoi.clip_geometries() is None
    assert dock.outline.is_shown()
    km2 = extent.width() * extent.height() / 1e6
    assert f"{km2:.3g} km²" in dock.ui.aoiSizeLabel.text() and "pixels at 10 m" in dock.ui.aoiSizeLabel.text()
    dock.ui.resolutionSpinBox.setValue(20)
    assert "pixels at 20 m" in dock.ui.aoiSizeLabel.text()

    canvas.setExtent(QgsRectangle(465000, 5079000, 466500, 5080500))  # panning does not move the AOI...
    assert dock.aoi().bounds() == pytest.approx(aoi.bounds())
    dock.ui.canvasExtentButton.click()  # ...the button takes the new extent
    assert dock.aoi().bounds() != pytest.approx(aoi.bounds())

    output = _output(dock, tmp_path, "canvas.tif")
    request = run_to_end(dock)
    assert request.aoi == pytest.approx(dock.aoi().bounds()) and request.aoi_crs == DEMO_CRS
    with rasterio.open(output) as src:
        assert src.res == (20.0, 20.0)


def test_drawn_rectangle(dock, demo_folder, qgis_iface, tmp_path):
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(UTM)
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("drawn")
    assert dock.aoi_kind() == "drawn"
    with pytest.raises(Exception, match="draw a rectangle"):
        dock.aoi()

    dock.ui.drawButton.click()
    assert canvas.mapTool() is dock.drawing.tool
    dock.drawing.tool.extentChanged.emit(QgsRectangle(*INSIDE_DEMO))  # what the tool sends after a drag

    assert canvas.mapTool() is not dock.drawing.tool and not dock.ui.drawButton.isChecked()
    assert dock.aoi().bounds() == pytest.approx(INSIDE_DEMO)
    assert dock.outline.is_shown()
    output = _output(dock, tmp_path, "drawn.tif")
    run_to_end(dock)
    with rasterio.open(output) as src:
        assert _covers(src.bounds, INSIDE_DEMO)


def test_typed_bounds_in_another_crs(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText("14.556, 45.867, 14.560, 45.870")
    dock.ui.boundsCrsWidget.setCrs(WGS84)
    dock.update_aoi()
    assert dock.outline.is_shown() and "km²" in dock.ui.aoiSizeLabel.text()
    output = _output(dock, tmp_path, "typed.tif")

    request = run_to_end(dock)

    assert request.aoi == pytest.approx((14.556, 45.867, 14.560, 45.870)) and request.aoi_crs == "EPSG:4326"
    with rasterio.open(output) as src:
        assert src.crs.to_epsg() == 32633
        assert 25 <= src.width <= 40 and 30 <= src.height <= 40  # about 310 m x 330 m at 10 m


def _triangles_layer(crs=WGS84):
    """Two triangles inside the demo scenes, as a memory layer in ``crs`` (default EPSG:4326)."""
    layer = QgsVectorLayer(f"Polygon?crs={crs.authid()}", "fields", "memory")
    to_layer = QgsCoordinateTransform(UTM, crs, QgsProject.instance())
    left, bottom, right, top = INSIDE_DEMO
    middle = (left + right) / 2
    features = []
    for corners in ([(left, bottom), (middle, bottom), (left, top)], [(middle, top), (right, top), (right, bottom)]):
        points = [to_layer.transform(QgsPointXY(x, y)) for x, y in corners]
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromPolygonXY([points + points[:1]]))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(layer)
    return layer


def _inside(output, layer, feature_ids=None):
    """Output pixels whose centre is inside the layer's polygons (all, or ``feature_ids``)."""
    import json

    with rasterio.open(output) as src:
        geometries = [
            transform_geom(layer.crs().authid(), src.crs, json.loads(f.geometry().asJson()))
            for f in layer.getFeatures()
            if feature_ids is None or f.id() in feature_ids
        ]
        return geometry_mask(geometries, out_shape=(src.height, src.width), transform=src.transform, invert=True)


@pytest.mark.parametrize("selected_only", [False, True])
def test_polygon_layer_in_another_crs_clips_the_composite(dock, demo_folder, tmp_path, selected_only):
    layer = _triangles_layer()
    first_id = next(layer.getFeatures()).id()
    if selected_only:
        layer.selectByIds([first_id])
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    dock.ui.selectedOnlyCheckBox.setChecked(selected_only)
    aoi = dock.aoi()
    assert len(aoi.clip_geometries()) == (1 if selected_only else 2)
    assert dock.outline.is_shown()
    output = _output(dock, tmp_path, "clipped.tif")

    request = run_to_end(dock)

    assert request.aoi_crs == "EPSG:4326" and len(request.clip) == len(aoi.clip_geometries())
    inside = _inside(output, layer, {first_id} if selected_only else None)
    with rasterio.open(output) as src:
        data = src.read()
        nodata = src.nodata
    assert inside.any() and (~inside).any()
    assert np.all(data[:, ~inside] == nodata)  # outside the polygons: nodata in every band, count included
    assert (data[-1][inside] > 0).mean() > 0.9  # inside: observations (the demo is mostly clear)


def test_layer_without_selection_is_refused(dock, demo_folder, qgis_iface):
    layer = _triangles_layer()
    layer.removeSelection()
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("layer")
    dock.ui.layerCombo.setLayer(layer)
    dock.ui.selectedOnlyCheckBox.setChecked(True)
    assert_refused(dock, qgis_iface, "has no selected feature")


def test_empty_typed_bounds_are_refused(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText("465300, 5079400, 465300, 5080100")
    dock.ui.boundsCrsWidget.setCrs(UTM)
    assert_refused(dock, qgis_iface, "have no area")
    assert not dock.outline.is_shown()


def test_aoi_touching_no_scene_is_refused(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.set_drawn_rectangle(QgsRectangle(0, 0, 1000, 1000), UTM)
    assert_refused(dock, qgis_iface, "touches no scene")


def test_drawn_rectangle_not_drawn_yet_is_refused(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("drawn")
    assert_refused(dock, qgis_iface, "draw a rectangle")


# ---- sanity hints ---------------------------------------------------------------------------------------------

INSIDE_LONLAT = "14.556, 45.867, 14.560, 45.870"
"""Typed bounds inside the demo scenes, in EPSG:4326 (longitude first, as QGIS shows it)."""


def _error_coloured(label):
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QColor, QPalette

    return label.palette().color(QPalette.ColorRole.WindowText) == QColor(Qt.GlobalColor.darkRed)


def _type_bounds(dock, text, crs=WGS84):
    """Type ``text`` in the bounds field (no editing finished: the hints come as it is typed)."""
    dock.set_aoi_kind("typed")
    dock.ui.boundsCrsWidget.setCrs(crs)
    dock.ui.boundsLineEdit.clear()
    dock.ui.boundsLineEdit.setText(text)


def _marked(dock):
    """The bounds field carries a sanity hint's outline."""
    from cloudscore_composite.plugin.dock.aoi_hints import is_hinted

    return is_hinted(dock.ui.boundsLineEdit)


def _refusal_marked(dock):
    """The bounds field carries a refused run's outline."""
    from cloudscore_composite.plugin.dock.field_feedback import is_marked

    return is_marked(dock.ui.boundsLineEdit)


def test_swapped_latitude_and_longitude_are_flagged_as_typed(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    usual_tip = dock.ui.boundsLineEdit.toolTip()
    _type_bounds(dock, "45.867, 14.556, 45.870, 14.560")  # latitude first: in range, but far from the scenes

    label = dock.ui.aoiSizeLabel
    assert "look swapped: did you mean 14.556, 45.867, 14.56, 45.87?" in label.text()
    assert _error_coloured(label) and _marked(dock)
    assert dock.ui.boundsLineEdit.toolTip().startswith(label.text()) and usual_tip in dock.ui.boundsLineEdit.toolTip()
    assert_refused(dock, qgis_iface, "touches no scene")  # a hint only: the run refuses as before
    assert _refusal_marked(dock) and _marked(dock)  # the refusal's mark and the hint's, together

    dock.ui.boundsLineEdit.setText(INSIDE_LONLAT)  # fixed in one edit (pasted): the hint goes, the size comes
    QCoreApplication.processEvents()  # the refusal's mark goes on the same edit, and puts back the tooltip it found
    assert "km²" in label.text() and "swapped" not in label.text() and not _error_coloured(label)
    assert not _marked(dock) and dock.ui.boundsLineEdit.toolTip() == usual_tip
    assert dock.ui.boundsLineEdit.styleSheet() == ""  # neither the hint's outline nor the refusal's


def test_latitude_beyond_90_is_flagged(dock, demo_folder):
    dock.set_folder(demo_folder)
    _type_bounds(dock, "45.867, 100.556, 45.870, 100.560")
    assert "within -90..90" in dock.ui.aoiSizeLabel.text() and _marked(dock)
    assert "did you mean 100.556, 45.867, 100.56, 45.87?" in dock.ui.aoiSizeLabel.text()


def test_typed_bounds_far_from_the_scenes_are_flagged(dock, demo_folder):
    dock.set_folder(demo_folder)
    _type_bounds(dock, "2.0, 48.0, 2.1, 48.1")  # Paris
    label = dock.ui.aoiSizeLabel
    assert "touch none of the 5 scenes" in label.text() and _error_coloured(label) and _marked(dock)

    _type_bounds(dock, "0, 0, 1000, 1000", UTM)  # in metres too
    assert "touch none of the 5 scenes" in label.text()
    _type_bounds(dock, ", ".join(str(v) for v in INSIDE_DEMO), UTM)
    assert "km²" in label.text() and not _marked(dock)


def test_typed_bounds_without_scenes_are_not_flagged_outside(dock, demo_folder):
    _type_bounds(dock, "2.0, 48.0, 2.1, 48.1")  # no folder yet: nothing to compare with
    assert "km²" in dock.ui.aoiSizeLabel.text() and not _marked(dock)
    dock.set_folder(demo_folder)  # the scan brings the hint
    assert "touch none of the 5 scenes" in dock.ui.aoiSizeLabel.text() and _marked(dock)


def test_unfinished_bounds_are_not_an_error_while_typed(dock, demo_folder):
    dock.set_folder(demo_folder)
    _type_bounds(dock, "14.556, 45.8")
    assert "four numbers" in dock.ui.aoiSizeLabel.text() and not _error_coloured(dock.ui.aoiSizeLabel)
    dock.ui.boundsLineEdit.editingFinished.emit()  # left unfinished: an error
    assert _error_coloured(dock.ui.aoiSizeLabel)


def test_whole_area_shows_its_size_once_the_folder_is_scanned(dock, demo_folder):
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.scene import scenes_grid

    dock.set_aoi_kind("scenes")
    assert dock.ui.aoiSizeLabel.text() == ""  # no folder yet: its own message says so
    dock.set_folder(demo_folder)

    grid = scenes_grid(FolderSource(demo_folder).scenes)
    km2 = grid.width * grid.height * grid.resolution[0] * grid.resolution[1] / 1e6
    text = dock.ui.aoiSizeLabel.text()
    assert text == f"1 tile: {km2:.3g} km², {grid.width * grid.height:,} pixels at 10 m", text
    assert not _error_coloured(dock.ui.aoiSizeLabel)
    find_to_end(dock)  # the table's scenes (all five in the demo dates): the same area
    assert dock.ui.aoiSizeLabel.text() == text
    dock.ui.endDateEdit.setDate(DEMO_START.addDays(15))  # only the first scene
    dock.ui.aoiSizeLabel.setText("")
    find_to_end(dock)
    assert dock.ui.aoiSizeLabel.text() == text  # shown again once the search's table is filled

    dock.set_source_kind("earthengine")  # whole area: refused by Earth Engine, said at once
    assert "needs an area of interest" in dock.ui.aoiSizeLabel.text() and _error_coloured(dock.ui.aoiSizeLabel)
    dock.set_source_kind("folder")
    assert dock.ui.aoiSizeLabel.text() == text
