"""The dock's area-of-interest panel: how the AOI is given, its outline on the canvas, its size, the resolution
and the output CRS. It owns those widgets of the dock's form; the dock asks it for the AOI."""

from typing import Callable, Dict, Optional, Sequence, Tuple

from qgis.core import QgsCoordinateReferenceSystem, QgsMapLayerProxyModel, QgsProject, QgsRectangle, QgsVectorLayer
from qgis.gui import QgsMapCanvas, QgsProjectionSelectionWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QT_TR_NOOP, pyqtSignal
from qgis.PyQt.QtWidgets import QWidget

from .aoi import (
    ALL_SCENES,
    AOI_KINDS,
    CANVAS,
    DRAWN,
    LAYER,
    TYPED,
    Aoi,
    layer_aoi,
    parse_bounds,
    rectangle_aoi,
)
from ..core.errors import CloudScoreError, InputError
from ..core.grid import Bounds
from ..core.scene import Scene
from ..core.scene_stats import composite_pixel_count
from ..core.source import Source
from ..qgis_crs import crs_for_core
from ..translation import tr, translated
from .widget_settings import reapply_pending_layer, set_setting, setting
from .text import sentence, show_message
from .map_tools import AoiOutline, RectangleDrawing
from .aoi_hints import mark_field, typed_bounds_hint, whole_area_size

OUTPUT_CRS_TIP = QT_TR_NOOP(
    "CRS of the composite (projected, in metres). Not set: the CRS most scenes share for a folder; for "
    "Earth Engine the UTM zone of the AOI's centre (as the Processing algorithm).",
)

# QGIS 3.22 has the flags unscoped; later versions scope them under Filter.
_POLYGON_LAYERS = getattr(QgsMapLayerProxyModel, "Filter", QgsMapLayerProxyModel).PolygonLayer


class AoiPanel(QObject):
    """The AOI widgets of the dock's form (``aoiKindCombo`` ... ``outputCrsWidget``, ``aoiSizeLabel``).

    ``changed`` is emitted after each update of a valid AOI (outline and size shown): the dock checks its scene
    table against it. The canvas-extent and drawn rectangles are remembered in the settings as taken.

    Sanity hints: typed bounds outside every scene of the source, or with latitude and longitude swapped, are
    flagged as they are typed (the size label says why, the field is outlined in red); they are hints, the
    search and the run still refuse what is wrong. The whole area of the scenes shows its size once they are known
    (``scenes_changed``: a folder scanned, a search's table filled).

    Args:
        ui: the dock's form.
        canvas: the map canvas (outline, drawing, extent).
        known_scenes: returns the scenes a composite would use as far as known (for the pixel count), or None.
        default_crs: the source's output CRS for an AOI (bounds, CRS for the core) when none is chosen
            (``Source.default_crs``: the UTM zone of the AOI's centre for Earth Engine); None = the scenes' own.
    """

    changed = pyqtSignal()

    def __init__(
        self,
        ui,
        canvas: QgsMapCanvas,
        known_scenes: Callable[[], Optional[Sequence[Scene]]],
        default_crs: Callable[[Bounds, Optional[str]], object],
        parent: Optional[QObject] = None,
    ):
        super().__init__(parent)
        self.ui = ui
        self.canvas = canvas
        self.known_scenes = known_scenes
        self.default_crs = default_crs
        self.outline = AoiOutline(canvas)
        self.drawing = RectangleDrawing(
            canvas, self._rectangle_drawn, on_stopped=lambda: self.ui.drawButton.setChecked(False)
        )
        self._rectangles: Dict[str, Aoi] = {}  # canvas extent / drawn rectangle, as taken
        self._layer_aoi: Optional[tuple] = None  # ((layer id, selected only), Aoi or InputError): features read once
        self._watched_layer: Optional[QgsVectorLayer] = None  # the AOI layer whose selection and edits are followed
        self.capabilities: Callable[[], Source] = Source  # see set_source
        self.source_scenes: Callable[[], Optional[Sequence[Scene]]] = lambda: None
        self._bounds_tip = ""  # the bounds field's own tooltip, shown again once the hint is gone

    # ---- construction -------------------------------------------------------------------------------

    def fill_widgets(self) -> None:
        """Fill the AOI kinds, the layer filter and the CRS widgets' defaults."""
        ui = self.ui
        for key, label in AOI_KINDS.items():
            ui.aoiKindCombo.addItem(translated(label), key)
        ui.layerCombo.setFilters(_POLYGON_LAYERS)
        ui.layerCombo.setAllowEmptyLayer(True)
        ui.layerCombo.setLayer(None)
        ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
        ui.resolutionSpinBox.setClearValue(0.0)
        ui.resolutionSpinBox.setShowClearButton(True)
        ui.outputCrsWidget.setOptionVisible(QgsProjectionSelectionWidget.CrsOption.CrsNotSet, True)
        ui.outputCrsWidget.setNotSetText(tr("[scenes' CRS / UTM zone of the area]"))
        ui.outputCrsWidget.setCrs(QgsCoordinateReferenceSystem())
        self._bounds_tip = ui.boundsLineEdit.toolTip()

    def set_source(
        self, capabilities: Callable[[], Source], source_scenes: Callable[[], Optional[Sequence[Scene]]]
    ) -> None:
        """Where the panel learns about the source (before ``start``).

        Args:
            capabilities: returns a source to ask what it can do (``SourcePanel.capabilities``: ``needs_aoi``,
                ``search_is_cheap``).
            source_scenes: returns every scene of the source when all are known (``SourcePanel.folder_scenes``);
                None when the source holds more than is known (Earth Engine), so no bounds are outside it.
        """
        self.capabilities = capabilities
        self.source_scenes = source_scenes

    def remembered_widgets(self) -> Dict[str, QWidget]:
        """Settings key -> widget of every AOI field remembered between sessions."""
        ui = self.ui
        return {
            "aoi_kind": ui.aoiKindCombo,
            "aoi_layer": ui.layerCombo,
            "aoi_selected_only": ui.selectedOnlyCheckBox,
            "aoi_bounds": ui.boundsLineEdit,
            "aoi_bounds_crs": ui.boundsCrsWidget,
            "resolution": ui.resolutionSpinBox,
            "output_crs": ui.outputCrsWidget,
        }

    def start(self) -> None:
        """After the settings are restored: take the remembered rectangles, follow the layer, connect, show."""
        self._restore_rectangles()
        self._watch_layer(self.ui.layerCombo.currentLayer())
        ui = self.ui
        ui.aoiKindCombo.currentIndexChanged.connect(self._kind_changed)
        ui.canvasExtentButton.clicked.connect(self.take_canvas_extent)
        ui.drawButton.toggled.connect(self._draw_toggled)
        ui.layerCombo.layerChanged.connect(self._layer_changed)
        ui.selectedOnlyCheckBox.toggled.connect(lambda _on: self.update())
        ui.boundsLineEdit.editingFinished.connect(self.update)
        ui.boundsLineEdit.textChanged.connect(self._bounds_edited)  # hints as they are typed
        ui.boundsCrsWidget.crsChanged.connect(lambda _crs: self.update())
        ui.resolutionSpinBox.valueChanged.connect(lambda _value: self.update())
        ui.outputCrsWidget.crsChanged.connect(self.output_crs_changed)
        self.canvas.destinationCrsChanged.connect(self._canvas_crs_changed)
        QgsProject.instance().readProject.connect(self._project_read)
        self.output_crs_changed()
        self._kind_changed()

    # ---- the AOI ------------------------------------------------------------------------------------

    def kind(self) -> str:
        """One of ``aoi.AOI_KINDS``."""
        return self.ui.aoiKindCombo.currentData() or ALL_SCENES

    def set_kind(self, kind: str) -> None:
        """Choose how the AOI is given (``scenes``, ``canvas``, ``drawn``, ``layer``, ``typed``)."""
        self.ui.aoiKindCombo.setCurrentIndex(self.ui.aoiKindCombo.findData(kind))

    def _kind_changed(self) -> None:
        kind = self.kind()
        self.ui.aoiStack.setCurrentIndex(list(AOI_KINDS).index(kind))
        if kind != DRAWN:
            self.drawing.stop()
        if kind == CANVAS and CANVAS not in self._rectangles:
            self.take_canvas_extent()
        self.update()

    def take_canvas_extent(self) -> None:
        """Take the canvas's current extent as the canvas AOI."""
        self._set_rectangle(CANVAS, self.canvas.extent(), self.canvas.mapSettings().destinationCrs())

    def _draw_toggled(self, on: bool) -> None:
        if on:
            self.drawing.start()
        else:
            self.drawing.stop()

    def _rectangle_drawn(self, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        self._set_rectangle(DRAWN, rect, crs)

    def set_drawn_rectangle(self, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        """Use ``rect`` (in ``crs``) as the drawn AOI, as if it had been dragged on the canvas."""
        self.set_kind(DRAWN)
        self._set_rectangle(DRAWN, rect, crs)

    def _set_rectangle(self, kind: str, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        try:
            self._rectangles[kind] = rectangle_aoi(kind, rect, crs)
        except InputError as error:
            self._rectangles.pop(kind, None)
            show_message(self.ui.aoiSizeLabel, error.message, error=True)
            return
        corners = ",".join(repr(v) for v in (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()))
        set_setting(f"aoi_{kind}_rectangle", f"{corners}|{crs.toWkt()}")  # restored by _restore_rectangles
        self.update()

    def _restore_rectangles(self) -> None:
        for kind in (CANVAS, DRAWN):
            text, _, wkt = setting(f"aoi_{kind}_rectangle", "").partition("|")
            try:
                crs = QgsCoordinateReferenceSystem.fromWkt(wkt)
                self._rectangles[kind] = rectangle_aoi(kind, parse_bounds(text), crs)
            except InputError:
                continue

    def forget_rectangles(self) -> None:
        """Forget the canvas-extent and drawn rectangles (here and in the settings)."""
        self.drawing.stop()
        for kind in (CANVAS, DRAWN):
            set_setting(f"aoi_{kind}_rectangle", "")
        self._rectangles.clear()

    def aoi(self) -> Optional[Aoi]:
        """The AOI the widgets describe; None for the whole area of the scenes.

        Raises:
            InputError: ``EXTENT`` when the AOI is not given yet, empty, or has no valid CRS.
        """
        kind = self.kind()
        if kind == ALL_SCENES:
            return None
        if kind in (CANVAS, DRAWN):
            if kind not in self._rectangles:
                action = tr("draw a rectangle on the map") if kind == DRAWN else tr("take the map extent")
                raise InputError("EXTENT", tr("no area yet: {0}").format(action))
            return self._rectangles[kind]
        if kind == LAYER:
            return self._polygon_layer_aoi()
        crs = self.ui.boundsCrsWidget.crs()
        return rectangle_aoi(TYPED, parse_bounds(self.ui.boundsLineEdit.text()), crs)

    def key(self) -> Optional[tuple]:
        """What scores read inside the AOI depend on: its kind, CRS and shape; None when it is not valid."""
        try:
            aoi = self.aoi()
        except InputError:
            return None
        return (aoi.kind, crs_for_core(aoi.crs), aoi.geometry.asWkt()) if aoi else (ALL_SCENES,)

    def _polygon_layer_aoi(self) -> Aoi:
        """The polygon layer's AOI, its features read once per layer, selection and edit (not at every change of
        another field)."""
        layer = self.ui.layerCombo.currentLayer()
        key = (layer.id() if layer is not None else None, self.ui.selectedOnlyCheckBox.isChecked())
        if self._layer_aoi is None or self._layer_aoi[0] != key:
            try:
                value = layer_aoi(layer, key[1])
            except InputError as error:
                value = error
            self._layer_aoi = (key, value)
        value = self._layer_aoi[1]
        if isinstance(value, InputError):
            raise value
        return value

    def _layer_changed(self, layer) -> None:
        self._watch_layer(layer)
        self.update()

    def _watch_layer(self, layer) -> None:
        """Follow the AOI layer's selection and edits (and stop following the previous layer's)."""
        previous = self._watched_layer
        if previous is not None and not sip.isdeleted(previous):
            previous.selectionChanged.disconnect(self._layer_selection_changed)
            previous.layerModified.disconnect(self._layer_features_changed)
            previous.dataChanged.disconnect(self._layer_features_changed)
        self._watched_layer = layer if isinstance(layer, QgsVectorLayer) else None
        self._layer_aoi = None
        if self._watched_layer is not None:
            self._watched_layer.selectionChanged.connect(self._layer_selection_changed)
            self._watched_layer.layerModified.connect(self._layer_features_changed)
            self._watched_layer.dataChanged.connect(self._layer_features_changed)

    def _layer_selection_changed(self, *_args) -> None:
        if self.ui.selectedOnlyCheckBox.isChecked():
            self._layer_features_changed()

    def _layer_features_changed(self, *_args) -> None:
        self._layer_aoi = None
        if self.kind() == LAYER:
            self.update()

    def _project_read(self, *_args) -> None:
        """A project was read: choose the remembered AOI layer if the project holds it."""
        if reapply_pending_layer(self.ui.layerCombo):
            self._watch_layer(self.ui.layerCombo.currentLayer())
            self.update()

    # ---- resolution and output CRS ------------------------------------------------------------------

    def resolution(self) -> Optional[float]:
        """Output pixel size in metres; None for the scenes' own."""
        value = self.ui.resolutionSpinBox.value()
        return value if value > 0 else None

    def output_crs(self, aoi: Optional[Aoi] = None) -> Optional[str]:
        """The composite's CRS for the core: the one chosen; if none, the source's default for the AOI (Earth
        Engine: the UTM zone of the AOI's centre, as ``cloudscore:compositeearthengine``), else None (the scenes'
        majority CRS)."""
        chosen = crs_for_core(self.ui.outputCrsWidget.crs())
        if chosen is not None or aoi is None:
            return chosen
        default = self.default_crs(aoi.bounds(), crs_for_core(aoi.crs))
        return default.to_string() if default is not None else None

    def output_crs_changed(self, _crs=None) -> None:
        """Say what the output CRS means in its tooltip (QGIS's is empty when none is set); update the size."""
        crs = self.ui.outputCrsWidget.crs()
        self.ui.outputCrsWidget.setToolTip(
            translated(OUTPUT_CRS_TIP)
            + (tr("\nChosen: {0}").format(crs.userFriendlyIdentifier()) if crs.isValid() else "")
        )
        self.update()

    # ---- on the canvas ------------------------------------------------------------------------------

    def _canvas_crs_changed(self) -> None:
        """Draw the outline again in the canvas's new CRS (a rubber band keeps the coordinates it was given)."""
        if self.outline.is_shown():
            self.update()

    def update(self) -> None:
        """Outline the AOI on the canvas and show its size (or why there is none, or a sanity hint); then emit
        ``changed``."""
        try:
            aoi = self.aoi()
        except InputError as error:
            self.outline.clear()
            self._show_invalid(error, self.kind() not in (CANVAS, DRAWN))
            return
        if aoi is None:
            self.outline.clear()
        else:
            self.outline.show(aoi.geometry, aoi.crs)
        self._show_size(aoi)
        self.changed.emit()

    def scenes_changed(self) -> None:
        """The scenes known changed (a folder scanned, a search's table filled or emptied, another source): show
        the size and the hints again. The AOI itself is the same: no outline redrawn, ``changed`` not emitted."""
        self.show_size()

    def show_size(self, typing: bool = False) -> None:
        """Show the AOI's size, a sanity hint or why there is no AOI, without redrawing the outline or emitting
        ``changed``. While ``typing``, bounds not yet four numbers are said without the error colour."""
        try:
            aoi = self.aoi()
        except InputError as error:
            self._show_invalid(error, not typing and self.kind() not in (CANVAS, DRAWN))
            return
        self._show_size(aoi)

    def _bounds_edited(self, _text: str) -> None:
        if self.kind() == TYPED:
            self.show_size(typing=True)
        else:  # e.g. a reset: judged again when the typed bounds are chosen
            self._mark_bounds(None)

    def _mark_bounds(self, hint: Optional[str]) -> None:
        """Outline the bounds field with ``hint`` in its tooltip (None: its usual look)."""
        mark_field(self.ui.boundsLineEdit, hint, self._bounds_tip)

    def _show_invalid(self, error: InputError, error_colour: bool) -> None:
        show_message(self.ui.aoiSizeLabel, sentence(error.message), error=error_colour)
        if self.kind() == TYPED:
            self._mark_bounds(None)  # the label says what is wrong

    def _show_size(self, aoi: Optional[Aoi]) -> None:
        """The size of a valid AOI (None: the whole area of the scenes) in the size label, or a sanity hint."""
        label = self.ui.aoiSizeLabel
        if aoi is None:
            text, error = self._whole_area_size()
            show_message(label, text, error=error)
            return
        if aoi.kind == TYPED:
            hint = typed_bounds_hint(aoi, self.source_scenes(), self.known_scenes())
            self._mark_bounds(hint)
            if hint:
                show_message(label, hint, error=True)
                return
        try:
            pixels = composite_pixel_count(
                aoi.bounds(), crs_for_core(aoi.crs), self.resolution(), self.known_scenes(), self.output_crs(aoi)
            )
        except CloudScoreError:  # e.g. an output CRS not in metres: the run will say so
            pixels = None
        show_message(label, aoi.describe_size(pixels, self.resolution()), error=False)

    def _whole_area_size(self) -> Tuple[str, bool]:
        """(text, is an error) for the whole area of the scenes: its size once the scenes are known."""
        source = self.capabilities()
        if source.needs_aoi:  # refused by Find scenes and Run: say so here already
            return tr("This source needs an area of interest: choose another kind than the whole area."), True
        scenes = self.known_scenes()
        if not scenes:  # a folder's own message says why it has none
            return ("" if source.search_is_cheap else tr("The size is known after Find scenes.")), False
        try:
            return whole_area_size(scenes, self.resolution(), self.output_crs()), False
        except CloudScoreError:  # e.g. an output CRS not in metres: the run will say so
            return "", False

    def release(self) -> None:
        """Take the outline off the canvas and stop drawing (the dock is closed)."""
        self.outline.clear()
        self.drawing.stop()

    def unload(self) -> None:
        """Remove the outline for good and disconnect from the canvas, the project and the layer."""
        self.release()
        self.outline.remove()
        self._watch_layer(None)
        self.canvas.destinationCrsChanged.disconnect(self._canvas_crs_changed)
        QgsProject.instance().readProject.disconnect(self._project_read)
