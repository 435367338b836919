"""On the map canvas: the AOI outline (a rubber band) and the map tool that draws a rectangle AOI."""

from typing import Callable, Optional

from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsMapToolExtent, QgsRubberBand
from qgis.PyQt.QtGui import QColor

AOI_OUTLINE = QColor(255, 140, 0)
AOI_FILL = QColor(255, 140, 0, 30)


class AoiOutline:
    """The AOI drawn on the canvas as an orange outline; ``show`` replaces it, ``clear`` removes it."""

    def __init__(self, canvas: QgsMapCanvas):
        self.canvas = canvas
        self.band = QgsRubberBand(canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        self.band.setStrokeColor(AOI_OUTLINE)
        self.band.setFillColor(AOI_FILL)
        self.band.setWidth(2)

    def show(self, geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> None:
        """Outline ``geometry`` (in ``crs``; reprojected to the canvas's CRS)."""
        self.band.setToGeometry(geometry, crs)
        self.band.show()

    def clear(self) -> None:
        """Remove the outline."""
        self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)

    def is_shown(self) -> bool:
        """True when an AOI is outlined."""
        return self.band.numberOfVertices() > 0

    def remove(self) -> None:
        """Take the rubber band off the canvas for good (the dock is going away)."""
        self.clear()
        self.canvas.scene().removeItem(self.band)


class RectangleDrawing:
    """Lets the user drag a rectangle on the canvas; ``on_drawn(rect, crs)`` receives it in the canvas's CRS.

    The previous map tool is restored once the rectangle is drawn or the drawing is stopped.
    """

    def __init__(
        self,
        canvas: QgsMapCanvas,
        on_drawn: Callable[[QgsRectangle, QgsCoordinateReferenceSystem], None],
        on_stopped: Optional[Callable[[], None]] = None,
    ):
        self.canvas = canvas
        self.on_drawn = on_drawn
        self.on_stopped = on_stopped
        self.tool = QgsMapToolExtent(canvas)
        self.tool.extentChanged.connect(self._drawn)
        self.tool.deactivated.connect(self._deactivated)
        self._previous = None

    def start(self) -> None:
        """Make the rectangle tool the canvas's map tool."""
        if self.is_active():
            return
        self._previous = self.canvas.mapTool()
        self.canvas.setMapTool(self.tool)

    def stop(self) -> None:
        """Give the canvas back its previous map tool."""
        if not self.is_active():
            return
        if self._previous is not None and self._previous is not self.tool:
            self.canvas.setMapTool(self._previous)
        else:
            self.canvas.unsetMapTool(self.tool)

    def is_active(self) -> bool:
        """True while the rectangle tool is the canvas's map tool."""
        return self.canvas.mapTool() is self.tool

    def _drawn(self, rect: QgsRectangle) -> None:
        if rect.isEmpty():
            return  # a click without a drag: keep drawing
        self.on_drawn(QgsRectangle(rect), self.canvas.mapSettings().destinationCrs())
        self.stop()

    def _deactivated(self) -> None:
        if self.on_stopped is not None:
            self.on_stopped()
