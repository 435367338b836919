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
from rasterio.features import geometry_mask
from rasterio.warp import transform_geom

from .dock_support import DEMO_CRS, INSIDE_DEMO, assert_refused, run_to_end


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
