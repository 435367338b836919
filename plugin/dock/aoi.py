"""The area of interest (AOI) as the dock takes it: the scenes' area, the canvas extent, a drawn rectangle,
a polygon layer or typed bounds, turned into what ``CompositeRequest`` takes."""

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional, Sequence

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDistanceArea,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QT_TR_NOOP

from ..translation import tr, translated
from ..core.errors import InputError
from ..core.grid import Bounds

ALL_SCENES, CANVAS, DRAWN, LAYER, TYPED = "scenes", "canvas", "drawn", "layer", "typed"
AOI_KINDS = {
    ALL_SCENES: QT_TR_NOOP("Whole area of the scenes"),
    CANVAS: QT_TR_NOOP("Map canvas extent"),
    DRAWN: QT_TR_NOOP("Rectangle drawn on the map"),
    LAYER: QT_TR_NOOP("Polygon layer"),
    TYPED: QT_TR_NOOP("Typed bounds"),
}
"""AOI kinds, in the order the dock offers them, with their labels."""

RECTANGLE_NAMES = {
    CANVAS: QT_TR_NOOP("map extent"),
    DRAWN: QT_TR_NOOP("drawn rectangle"),
    TYPED: QT_TR_NOOP("typed bounds"),
}
"""Short names of rectangle AOIs, for layer group names and messages."""

DEFAULT_RESOLUTION_M = 10.0
"""Resolution assumed for the pixel count when none is chosen: Sentinel-2's finest bands, 10 m."""


@dataclass
class Aoi:
    """An AOI: a rectangle or polygons in one CRS.

    Attributes:
        kind: one of ``AOI_KINDS``.
        label: a short name for layer groups and messages ("drawn rectangle", the layer's name...).
        geometries: the AOI's geometries in ``crs`` (one rectangle, or a layer's polygons).
        crs: their CRS.
        clip: True when pixels outside the geometries are to be nodata (polygons, not a rectangle).
    """

    kind: str
    label: str
    geometries: List[QgsGeometry] = field(default_factory=list)
    crs: QgsCoordinateReferenceSystem = field(default_factory=QgsCoordinateReferenceSystem)
    clip: bool = False

    @cached_property
    def geometry(self) -> QgsGeometry:
        """All the geometries as one, overlaps merged (for the rubber band and the area: an overlap counts once);
        computed once per AOI."""
        if len(self.geometries) == 1:
            return self.geometries[0]
        return QgsGeometry.unaryUnion(self.geometries)

    def bounds(self) -> Bounds:
        """(left, bottom, right, top) in ``crs``."""
        box = self.geometry.boundingBox()
        return (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())

    def clip_geometries(self) -> Optional[List[dict]]:
        """GeoJSON geometries in ``crs`` for ``CompositeRequest.clip``; None when the AOI is a rectangle."""
        if not self.clip:
            return None
        return [json.loads(g.asJson()) for g in self.geometries]

    def area_m2(self) -> float:
        """Ground area of the geometries in m² (ellipsoidal, WGS84)."""
        return _measure(self.geometry, self.crs)

    def describe_size(self, pixels: Optional[int], resolution_m: Optional[float]) -> str:
        """ "12.3 km², 123,000 pixels at 10 m": the area and the ``pixels`` of the composite's grid
        (``scene_stats.composite_pixel_count``; None: unknown, area only)."""
        area = tr("{0:,.3g} km²").format(self.area_m2() / 1e6)
        if pixels is None:
            return area
        return tr("{0}, {1:,} pixels at {2:g} m").format(area, pixels, resolution_m or DEFAULT_RESOLUTION_M)


def _measure(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> float:
    measure = QgsDistanceArea()
    measure.setSourceCrs(crs, QgsProject.instance().transformContext())
    measure.setEllipsoid("WGS84")
    return measure.convertAreaMeasurement(measure.measureArea(geometry), QgsUnitTypes.AreaUnit.AreaSquareMeters)


def rectangle_aoi(kind: str, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> Aoi:
    """An AOI of ``kind`` (``canvas``, ``drawn``, ``typed``) from a rectangle in ``crs``.

    Raises:
        InputError: ``EXTENT`` when the rectangle has no area or the CRS is invalid.
    """
    label = translated(RECTANGLE_NAMES[kind])
    if rect.isNull() or rect.isEmpty() or not rect.width() > 0 or not rect.height() > 0:
        raise InputError("EXTENT", tr("the {0} has no area: set the area again").format(label))
    if not crs.isValid():
        raise InputError("EXTENT", tr("the {0} has no valid CRS").format(label))
    return Aoi(kind, label, [QgsGeometry.fromRect(rect)], QgsCoordinateReferenceSystem(crs), clip=False)


def parse_bounds(text: str) -> QgsRectangle:
    """``"xmin, ymin, xmax, ymax"`` (commas, semicolons or spaces) as a rectangle.

    Raises:
        InputError: ``EXTENT`` when the text is not four numbers with xmax > xmin and ymax > ymin.
    """
    parts = [p for p in text.replace(";", ",").replace(",", " ").split() if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(
            "EXTENT", tr("type the bounds as four numbers xmin, ymin, xmax, ymax (got {0!r})").format(text)
        )
    xmin, ymin, xmax, ymax = values
    if not (xmax > xmin and ymax > ymin):
        raise InputError(
            "EXTENT", tr("the typed bounds {0} have no area: xmax must exceed xmin and ymax ymin").format(tuple(values))
        )
    return QgsRectangle(xmin, ymin, xmax, ymax)


def layer_aoi(layer: Optional[QgsVectorLayer], selected_only: bool) -> Aoi:
    """An AOI from a polygon layer's features (all, or the selected ones), clipped to the polygons.

    Raises:
        InputError: ``EXTENT`` when there is no polygon layer, no selected feature, or no geometry with area.
    """
    if layer is None or not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise InputError("EXTENT", tr("choose a polygon layer for the area"))
    if layer.geometryType() != QgsWkbTypes.GeometryType.PolygonGeometry:
        raise InputError("EXTENT", tr("layer {0!r} is not a polygon layer").format(layer.name()))
    features: Sequence = layer.getSelectedFeatures() if selected_only else layer.getFeatures()
    geometries = [f.geometry() for f in features if f.hasGeometry() and f.geometry().area() > 0]
    if not geometries:
        which = tr("selected feature") if selected_only else tr("feature")
        raise InputError("EXTENT", tr("layer {0!r} has no {1} with an area").format(layer.name(), which))
    return Aoi(LAYER, layer.name(), geometries, layer.crs(), clip=True)
