"""The CloudScore Composite dock panel: source, dates, AOI, scene table, threshold preview, run, results.

The panel only turns its widgets into core calls: ``scene_stats.find_scenes`` (in a ``SceneSearchTask``) and
``run_composite`` (in a ``CompositeTask``); every rule lives in ``plugin.core``.
"""

import logging
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapLayerProxyModel,
    QgsProcessingUtils,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip, uic
from qgis.PyQt.QtCore import QDate, Qt, QTimer, QUrl
from qgis.PyQt.QtGui import QDesktopServices, QPalette
from qgis.PyQt.QtWidgets import QComboBox, QFrame, QHeaderView, QScrollArea, QWidget

from .aoi import (
    ALL_SCENES,
    AOI_KINDS,
    CANVAS,
    DRAWN,
    LAYER,
    TYPED,
    Aoi,
    crs_for_core,
    layer_aoi,
    parse_bounds,
    rectangle_aoi,
)
from .background_task import BackgroundTask
from .composite_task import CompositeTask
from .core.compositing import DEFAULT_PERCENTILES, METHODS
from .core.errors import CloudScoreError, InputError
from .core.folder_source import FolderSource
from .core.pipeline import DEFAULT_THRESHOLD, CompositeRequest, CompositeResult, plan_composite
from .core.raster_output import FORMATS
from .core.scene import S2_BANDS
from .core.scene_selection import SceneSubset
from .core.scene_stats import SceneSearch, score_grid
from .core.source import Source
from .dock_settings import WidgetSettings, set_setting, setting
from .layers import BAND_COMBINATIONS, CompositeLayers, load_composite_layers
from .map_tools import AoiOutline, RectangleDrawing
from .paths import PLUGIN_ROOT, UI_DIR
from .qgis_logging import TAG
from .scene_search_task import FetchedScoresTask, SceneSearchTask
from .scene_table import CLOUDY, DATE, PLATFORM, SCENE_ID_ROLE, SceneTableModel, sortable
from .threshold_preview import MaskPreview

try:  # the Earth Engine source is optional: the dock offers it only when it is there
    from .core.earthengine.search import COLLECTIONS, SCORE_BANDS
    from .earthengine_settings import earth_engine_source
except ImportError:  # pragma: no cover
    earth_engine_source, COLLECTIONS, SCORE_BANDS = None, (), ()

log = logging.getLogger(__name__)

__all__ = ["CompositeDock", "setting", "set_setting"]

FORM_CLASS, _ = uic.loadUiType(str(UI_DIR / "composite_dock.ui"))

FOLDER, EARTH_ENGINE = "folder", "earthengine"
SOURCES = {FOLDER: "Folder of GeoTIFFs", EARTH_ENGINE: "Earth Engine"}

PREFERRED_QA_BANDS = ("cs_cdf", "cs", "clear")
"""QA bands picked, in this order, when the source has several and the user has not chosen one before."""

FOLDER_REFRESH_DELAY_MS = 400
"""Wait this long after the last edit of the folder path before reading the folder (typing a path
passes through many folders that exist)."""

MESSAGE_DURATION_S = 8
SCORES_AFTER_RUN = " Clear fractions need the scores, which Run downloads."
SCORES_READ = " Clear fractions from the scores the run fetched (ticked scenes)."
TIME_LEFT_AFTER_S = 0.5
"""The time left is extrapolated from the progress so far once the task has run this long."""
HELP_ANCHOR = "the-dock-panel"
README = PLUGIN_ROOT / "README.md"

_LOG_LEVEL = {
    Qgis.MessageLevel.Info: logging.INFO,
    Qgis.MessageLevel.Success: logging.INFO,
    Qgis.MessageLevel.Warning: logging.WARNING,
    Qgis.MessageLevel.Critical: logging.ERROR,
}

# QGIS 3.22 has the flags unscoped; later versions scope them under Filter.
_POLYGON_LAYERS = getattr(QgsMapLayerProxyModel, "Filter", QgsMapLayerProxyModel).PolygonLayer


def to_date(value: QDate) -> date:
    """A ``QDate`` as a ``datetime.date``."""
    return date(value.year(), value.month(), value.day())


def parse_percentiles(text: str) -> Tuple[float, ...]:
    """``"25, 50, 75"`` as (25.0, 50.0, 75.0).

    Raises:
        InputError: ``PERCENTILES`` when a value is not a number in 0..100 or none is given.
    """
    try:
        values = tuple(float(p) for p in text.replace(";", ",").split(",") if p.strip())
    except ValueError:
        values = ()
    if not values or not all(0.0 <= v <= 100.0 for v in values):
        raise InputError("PERCENTILES", f"percentiles {text!r} must be numbers 0..100 separated by commas")
    return values


def format_duration(seconds: float) -> str:
    """``"about 12 s"``, ``"about 3 min"``."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


class CompositeDock(QgsDockWidget):
    """Dock panel: find scenes over an AOI, look at their clear fractions and masks, composite in the background.

    The widgets are ``self.ui.<objectName>`` of ``ui/composite_dock.ui``. One search and one composite run
    at a time; a second Run while one goes on is refused with a message.
    """

    def __init__(self, iface, parent: Optional[QWidget] = None):
        """Build the panel for ``iface`` (the ``QgisInterface``) and restore the last used inputs."""
        super().__init__(parent)
        self.iface = iface
        self.canvas = iface.mapCanvas()
        self.setObjectName("CloudScoreCompositeDock")
        self.setWindowTitle("CloudScore Composite")

        contents = QWidget()
        self.ui = FORM_CLASS()
        self.ui.setupUi(contents)
        scroll = QScrollArea()  # the form stays usable in a short dock
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(contents)
        self.setWidget(scroll)

        self._task: Optional[CompositeTask] = None
        self._search_task: Optional[SceneSearchTask] = None
        self._started = 0.0
        self._stage = ""
        self._aoi_label: Optional[str] = None
        self._search_summary = ""  # what the last search found, shown under the scene table
        self._last_request: Optional[CompositeRequest] = None
        self._last_source: Optional[Source] = None
        self._result_layers: Optional[CompositeLayers] = None
        self._scanned_folder: Optional[str] = None
        self._folder_error: Optional[InputError] = None
        self._folder_source: Optional[FolderSource] = None
        self._rectangles: Dict[str, Aoi] = {}  # canvas extent / drawn rectangle, as taken
        self.outline = AoiOutline(self.canvas)
        self.drawing = RectangleDrawing(self.canvas, self._rectangle_drawn,
                                        on_stopped=lambda: self.ui.drawButton.setChecked(False))
        self.preview = MaskPreview()
        self.scene_model = SceneTableModel(self)
        self.scene_proxy = sortable(self.scene_model, self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(FOLDER_REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_source)

        self._fill_widgets()
        self.settings = WidgetSettings()
        for key, widget in self._remembered_widgets().items():
            self.settings.add(key, widget)
        self.settings.restore()
        self._restore_rectangles()
        self._connect()
        self._threshold_changed(self.ui.thresholdSpinBox.value())  # the slider follows the restored value
        self._source_kind_changed()
        self._aoi_kind_changed()
        self._method_changed()

    # ---- construction -------------------------------------------------------------------------------

    def _fill_widgets(self) -> None:
        ui = self.ui
        for key, label in SOURCES.items():
            if key != EARTH_ENGINE or earth_engine_source is not None:
                ui.sourceCombo.addItem(label, key)
        for collection in COLLECTIONS:
            ui.collectionCombo.addItem(collection, collection)
        ui.folderWidget.lineEdit().setPlaceholderText("Folder of Sentinel-2 GeoTIFF scenes")
        for key, label in AOI_KINDS.items():
            ui.aoiKindCombo.addItem(label, key)
        ui.layerCombo.setFilters(_POLYGON_LAYERS)
        ui.layerCombo.setAllowEmptyLayer(True)
        ui.layerCombo.setLayer(None)
        ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
        ui.resolutionSpinBox.setClearValue(0.0)
        ui.resolutionSpinBox.setShowClearButton(True)
        ui.thresholdSpinBox.setClearValue(DEFAULT_THRESHOLD)
        ui.thresholdSpinBox.setShowClearButton(True)
        for method in METHODS:
            ui.methodCombo.addItem(method, method)
        ui.percentilesLineEdit.setText(", ".join(f"{p:g}" for p in DEFAULT_PERCENTILES))
        ui.bandsCombo.addItems(list(S2_BANDS))
        ui.bandsCombo.setDefaultText("all bands")
        for output_format in FORMATS:
            ui.formatCombo.addItem(output_format, output_format)
        for label in BAND_COMBINATIONS:
            ui.combinationCombo.addItem(label, label)
        ui.outputFolderWidget.lineEdit().setPlaceholderText("[QGIS's temporary folder]")
        ui.progressBar.setRange(0, 100)
        ui.progressBar.setValue(0)
        for combo in self.findChildren(QComboBox):  # long items must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        table = ui.sceneTableView
        table.setModel(self.scene_proxy)
        table.sortByColumn(DATE, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

    def _remembered_widgets(self) -> Dict[str, QWidget]:
        ui = self.ui
        return {
            "source": ui.sourceCombo, "folder": ui.folderWidget, "ee_collection": ui.collectionCombo,
            "ee_project": ui.projectLineEdit, "start_date": ui.startDateEdit, "end_date": ui.endDateEdit,
            "aoi_kind": ui.aoiKindCombo, "aoi_layer": ui.layerCombo, "aoi_selected_only": ui.selectedOnlyCheckBox,
            "aoi_bounds": ui.boundsLineEdit, "aoi_bounds_crs": ui.boundsCrsWidget, "resolution": ui.resolutionSpinBox,
            "threshold": ui.thresholdSpinBox, "preview_mask": ui.previewCheckBox, "method": ui.methodCombo,
            "percentiles": ui.percentilesLineEdit, "bands": ui.bandsCombo, "format": ui.formatCombo,
            "scale_to_byte": ui.scaleToByteCheckBox, "statistic_layers": ui.statisticLayersCheckBox,
            "output_folder": ui.outputFolderWidget, "output_name": ui.outputNameLineEdit,
            "band_combination": ui.combinationCombo,
        }

    def _connect(self) -> None:
        ui = self.ui
        ui.sourceCombo.currentIndexChanged.connect(self._source_kind_changed)
        ui.folderWidget.fileChanged.connect(lambda _path: self._refresh_timer.start())
        ui.aoiKindCombo.currentIndexChanged.connect(self._aoi_kind_changed)
        ui.canvasExtentButton.clicked.connect(self.take_canvas_extent)
        ui.drawButton.toggled.connect(self._draw_toggled)
        ui.layerCombo.layerChanged.connect(lambda _layer: self.update_aoi())
        ui.selectedOnlyCheckBox.toggled.connect(lambda _on: self.update_aoi())
        ui.boundsLineEdit.editingFinished.connect(self.update_aoi)
        ui.boundsCrsWidget.crsChanged.connect(lambda _crs: self.update_aoi())
        ui.resolutionSpinBox.valueChanged.connect(lambda _value: self.update_aoi())
        ui.thresholdSlider.valueChanged.connect(self._slider_moved)
        ui.thresholdSpinBox.valueChanged.connect(self._threshold_changed)
        ui.qaBandCombo.currentIndexChanged.connect(self._qa_band_changed)
        ui.findScenesButton.clicked.connect(self.find_scenes)
        ui.previewCheckBox.toggled.connect(lambda _on: self.update_preview())
        ui.sceneTableView.selectionModel().selectionChanged.connect(lambda *_: self.update_preview())
        self.scene_model.dataChanged.connect(self._scene_ticks_changed)
        ui.methodCombo.currentIndexChanged.connect(self._method_changed)
        ui.runButton.clicked.connect(self.run)
        ui.cancelButton.clicked.connect(self.cancel)
        ui.combinationCombo.currentIndexChanged.connect(self._combination_changed)
        ui.resetButton.clicked.connect(self.reset_to_defaults)
        ui.helpButton.clicked.connect(self.open_help)
        self.closed.connect(self.release_canvas)  # QgsDockWidget's signal: the user closed the panel

    # ---- source -------------------------------------------------------------------------------------

    def source_kind(self) -> str:
        """``folder`` or ``earthengine``."""
        return self.ui.sourceCombo.currentData() or FOLDER

    def set_source_kind(self, kind: str) -> None:
        """Choose the source: ``folder`` or ``earthengine``."""
        self.ui.sourceCombo.setCurrentIndex(self.ui.sourceCombo.findData(kind))

    def _source_kind_changed(self) -> None:
        self.ui.sourceStack.setCurrentIndex(0 if self.source_kind() == FOLDER else 1)
        self.refresh_source()

    def folder(self) -> str:
        """The folder path as entered (stripped)."""
        return self.ui.folderWidget.filePath().strip()

    def set_folder(self, folder) -> None:
        """Choose the folder source with ``folder`` and read it now (the QA band list is refreshed at once)."""
        self.set_source_kind(FOLDER)
        self.ui.folderWidget.setFilePath(str(folder))
        self.refresh_source()

    def refresh_source(self) -> None:
        """Read the source's QA bands (for a folder: scan it and say what it holds, or why nothing)."""
        self._refresh_timer.stop()
        if self.source_kind() == EARTH_ENGINE:
            self._fill_qa_bands(list(SCORE_BANDS))
            self._show_message(self.ui.folderMessageLabel, "", error=False)
            return
        folder = self.folder()
        self._scanned_folder = folder
        self._folder_error = None
        self._folder_source = None
        try:
            source = FolderSource(folder)
        except InputError as error:
            self._folder_error = error
            self._fill_qa_bands([])
            # No folder chosen yet is a prompt, not an error.
            self._show_message(self.ui.folderMessageLabel, error.message[:1].upper() + error.message[1:] + ".",
                               error=bool(folder))
            return
        self._folder_source = source
        qa_bands = source.qa_bands()
        self._fill_qa_bands(qa_bands)
        first, last = source.scenes[0].time.date(), source.scenes[-1].time.date()
        count = len(source.scenes)
        text = f"{count} scene{'s' if count != 1 else ''} acquired {first} .. {last}."
        if not qa_bands:
            text += " None has a QA band (a clear-score band such as cs or cs_cdf)."
        self._show_message(self.ui.folderMessageLabel, text, error=not qa_bands)

    def _fill_qa_bands(self, qa_bands: List[str]) -> None:
        combo = self.ui.qaBandCombo
        wanted = combo.currentText() or setting("qa_band", "")
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(qa_bands)
        preferred = [wanted] + list(PREFERRED_QA_BANDS)
        combo.setCurrentIndex(next((qa_bands.index(b) for b in preferred if b in qa_bands), 0))
        combo.blockSignals(False)
        combo.setEnabled(bool(qa_bands))

    def current_source(self) -> Source:
        """The source the widgets describe (a folder is read again, so new files count).

        Raises:
            InputError: ``INPUT`` for a folder that is missing or holds no scene.
        """
        if self.source_kind() == EARTH_ENGINE:
            return earth_engine_source(self.ui.collectionCombo.currentData(), self.ui.projectLineEdit.text())
        self.refresh_source()
        if self._folder_error is not None:
            raise self._folder_error
        return self._folder_source

    def _show_message(self, label, text: str, error: bool) -> None:
        label.setText(text)
        palette = label.palette()
        colour = Qt.GlobalColor.darkRed if error else self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)

    # ---- area of interest ---------------------------------------------------------------------------

    def aoi_kind(self) -> str:
        """One of ``aoi.AOI_KINDS``."""
        return self.ui.aoiKindCombo.currentData() or ALL_SCENES

    def set_aoi_kind(self, kind: str) -> None:
        """Choose how the AOI is given (``scenes``, ``canvas``, ``drawn``, ``layer``, ``typed``)."""
        self.ui.aoiKindCombo.setCurrentIndex(self.ui.aoiKindCombo.findData(kind))

    def _aoi_kind_changed(self) -> None:
        kind = self.aoi_kind()
        self.ui.aoiStack.setCurrentIndex(list(AOI_KINDS).index(kind))
        if kind != DRAWN:
            self.drawing.stop()
        if kind == CANVAS and CANVAS not in self._rectangles:
            self.take_canvas_extent()
        self.update_aoi()

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
        self.set_aoi_kind(DRAWN)
        self._set_rectangle(DRAWN, rect, crs)

    def _set_rectangle(self, kind: str, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        try:
            self._rectangles[kind] = rectangle_aoi(kind, rect, crs)
        except InputError as error:
            self._rectangles.pop(kind, None)
            self._show_message(self.ui.aoiSizeLabel, error.message, error=True)
            return
        corners = ",".join(repr(v) for v in (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()))
        set_setting(f"aoi_{kind}_rectangle", f"{corners}|{crs.toWkt()}")  # restored by _restore_rectangles
        self.update_aoi()

    def _restore_rectangles(self) -> None:
        for kind in (CANVAS, DRAWN):
            text, _, wkt = setting(f"aoi_{kind}_rectangle", "").partition("|")
            try:
                crs = QgsCoordinateReferenceSystem.fromWkt(wkt)
                self._rectangles[kind] = rectangle_aoi(kind, parse_bounds(text), crs)
            except InputError:
                continue

    def aoi(self) -> Optional[Aoi]:
        """The AOI the widgets describe; None for the whole area of the scenes.

        Raises:
            InputError: ``EXTENT`` when the AOI is not given yet, empty, or has no valid CRS.
        """
        kind = self.aoi_kind()
        if kind == ALL_SCENES:
            return None
        if kind in (CANVAS, DRAWN):
            if kind not in self._rectangles:
                action = "draw a rectangle on the map" if kind == DRAWN else "take the map extent"
                raise InputError("EXTENT", f"no area yet: {action}")
            return self._rectangles[kind]
        if kind == LAYER:
            return layer_aoi(self.ui.layerCombo.currentLayer(), self.ui.selectedOnlyCheckBox.isChecked())
        crs = self.ui.boundsCrsWidget.crs()
        return rectangle_aoi(TYPED, parse_bounds(self.ui.boundsLineEdit.text()), crs)

    def resolution(self) -> Optional[float]:
        """Output pixel size in metres; None for the scenes' own."""
        value = self.ui.resolutionSpinBox.value()
        return value if value > 0 else None

    def update_aoi(self) -> None:
        """Outline the AOI on the canvas and show its size (or why there is none)."""
        try:
            aoi = self.aoi()
        except InputError as error:
            self.outline.clear()
            self._show_message(self.ui.aoiSizeLabel, error.message[:1].upper() + error.message[1:] + ".",
                               error=self.aoi_kind() not in (CANVAS, DRAWN))
            return
        if aoi is None:
            self.outline.clear()
            self._show_message(self.ui.aoiSizeLabel, "", error=False)
            return
        self.outline.show(aoi.geometry, aoi.crs)
        self._show_message(self.ui.aoiSizeLabel, aoi.describe_size(self.resolution()), error=False)

    # ---- threshold and QA band ----------------------------------------------------------------------

    def threshold(self) -> float:
        """The clear threshold, 0..1."""
        return round(self.ui.thresholdSpinBox.value(), 2)

    def set_threshold(self, value: float) -> None:
        """Set the clear threshold (0..1) on both the slider and the spin box."""
        self.ui.thresholdSpinBox.setValue(value)

    def _slider_moved(self, value: int) -> None:
        self.ui.thresholdSpinBox.setValue(value / 100.0)

    def _threshold_changed(self, value: float) -> None:
        self.ui.thresholdSlider.blockSignals(True)
        self.ui.thresholdSlider.setValue(round(value * 100))
        self.ui.thresholdSlider.blockSignals(False)
        self.scene_model.set_threshold(self.threshold())
        self.update_preview()

    def _qa_band_changed(self) -> None:
        search = self.scene_model.search
        if search is not None and search.grid is not None and search.qa_band != self.ui.qaBandCombo.currentText():
            self._show_message(self.ui.sceneStatusLabel, f"The clear fractions are for QA band {search.qa_band}: "
                                                         "find scenes again to update them.", error=False)

    # ---- scene table and mask preview ---------------------------------------------------------------

    def find_scenes(self) -> Optional[SceneSearchTask]:
        """Search the source over the AOI in the dates and read the scenes' scores, in the background.

        Returns:
            the task started, or None when the inputs are wrong (a message says why) or a search is going on.
        """
        if self.is_searching():
            self._notify("Scenes are being searched already: wait for it or cancel it.", Qgis.MessageLevel.Info)
            return None
        try:
            source = self.current_source()
            start, end = self._dates()
            aoi = self.aoi()
            bounds, crs = (aoi.bounds(), crs_for_core(aoi.crs)) if aoi else (None, None)
            clip = aoi.clip_geometries() if aoi else None
            qa_band = self.ui.qaBandCombo.currentText()
            if isinstance(source, FolderSource) and not source.search(start, end, bounds, crs):
                raise source.no_scene_error(start, end, bounds, crs)  # headers are read: say it now, no task
        except CloudScoreError as error:
            self._refuse(error)
            return None
        estimate = None
        if hasattr(source, "estimate"):
            bands = self._bands() or list(S2_BANDS)
            resolution = self.resolution()

            def estimate(scenes):
                grid = score_grid(scenes, bounds, crs, max_pixels=None, resolution=resolution)
                return source.estimate(scenes, bands + [qa_band], grid)

        self.save_settings()
        task = SceneSearchTask(source, start, end, bounds, crs, qa_band, clip,
                               read_scores=isinstance(source, FolderSource), estimate=estimate)
        task.succeeded.connect(self._on_scenes_found)
        task.failed.connect(self._on_search_failed)
        task.cancelled.connect(self._on_search_cancelled)
        self._search_task = task
        self._start_task(task, "Finding scenes...")
        return task

    def _on_scenes_found(self, search: SceneSearch) -> None:
        self._search_task = None
        self._task_ended()
        self.ui.progressBar.setValue(100)
        self.ui.statusLabel.setText("")
        self.preview.clear()
        self.scene_model.set_search(search, self.threshold())
        # A folder's scenes often lack platform and cloud cover: no empty columns.
        self.ui.sceneTableView.setColumnHidden(PLATFORM, not any(s.platform for s in search.scenes))
        self.ui.sceneTableView.setColumnHidden(CLOUDY, all(s.cloudy_percentage is None for s in search.scenes))
        self.ui.sceneTableView.resizeColumnsToContents()
        count = len(search.scenes)
        text = f"{count} scene{'s' if count != 1 else ''} found."
        unscored = [s for s in search.scenes if search.qa_band not in s.band_names]
        if unscored:
            text += f" {len(unscored)} without the QA band {search.qa_band} (they will be skipped)."
        if search.grid is None:
            text += SCORES_AFTER_RUN
        if search.estimate is not None:
            text += f" Download: {search.estimate}."
        self._search_summary = text
        self._show_message(self.ui.sceneStatusLabel, text, error=False)
        if count:
            self.ui.sceneTableView.selectRow(0)

    def _on_search_failed(self, error: Exception) -> None:
        self._search_task = None
        self._task_ended()
        self.ui.progressBar.setValue(0)
        message = error.message if isinstance(error, InputError) else f"Finding scenes failed: {error}"
        self.ui.statusLabel.setText(message)
        self._notify(message, Qgis.MessageLevel.Warning if isinstance(error, InputError)
                     else Qgis.MessageLevel.Critical, None if isinstance(error, InputError) else error)

    def _on_search_cancelled(self) -> None:
        self._search_task = None
        self._task_ended()
        self.ui.progressBar.setValue(0)
        self.ui.statusLabel.setText("Search cancelled")

    def selected_scene_id(self) -> Optional[str]:
        """The ``scene_id`` of the selected row of the scene table, or None."""
        rows = self.ui.sceneTableView.selectionModel().selectedRows()
        return rows[0].data(SCENE_ID_ROLE) if rows else None

    def select_scene(self, scene_id: str) -> None:
        """Select the row of ``scene_id`` (its mask is previewed)."""
        for row in range(self.scene_proxy.rowCount()):
            if self.scene_proxy.index(row, DATE).data(SCENE_ID_ROLE) == scene_id:
                self.ui.sceneTableView.selectRow(row)
                return

    def update_preview(self) -> None:
        """Show the selected scene's mask at the current threshold (or remove the preview)."""
        search, scene_id = self.scene_model.search, self.selected_scene_id()
        if not self.ui.previewCheckBox.isChecked() or search is None or scene_id is None:
            self.preview.clear()
            return
        self.preview.show(search, scene_id, self.threshold())

    def _scene_ticks_changed(self, top_left, _bottom_right, _roles=()) -> None:
        if top_left.column() != DATE:
            return  # only the tick column says which scenes are used
        used, found = len(self.scene_model.included_scenes()), len(self.scene_model.scenes)
        ticked = "" if used == found else f" {used} of {found} ticked for the composite."
        self._show_message(self.ui.sceneStatusLabel, self._search_summary + ticked, error=used == 0)

    # ---- composite options --------------------------------------------------------------------------

    def _method_changed(self) -> None:
        percentiles = self.ui.methodCombo.currentData() == "percentiles"
        self.ui.percentilesLineEdit.setEnabled(percentiles)
        self.ui.statisticLayersCheckBox.setEnabled(percentiles)

    def _bands(self) -> Optional[List[str]]:
        checked = self.ui.bandsCombo.checkedItems()
        return [b for b in S2_BANDS if b in checked] or None

    def _dates(self) -> Tuple[date, date]:
        start, end = to_date(self.ui.startDateEdit.date()), to_date(self.ui.endDateEdit.date())
        if end <= start:
            raise InputError("END_DATE", f"end date {end} must be after start date {start} (end is excluded)")
        return start, end

    def output_path(self, start: date, end: date) -> Path:
        """The output file: folder + name entered (``.tif`` added), or a new file in QGIS's temporary folder.

        Raises:
            InputError: ``OUTPUT`` when the folder does not exist.
        """
        folder_text = self.ui.outputFolderWidget.filePath().strip()
        folder = Path(folder_text).expanduser() if folder_text else Path(QgsProcessingUtils.tempFolder())
        if not folder.is_dir():
            raise InputError("OUTPUT", f"output folder {str(folder)!r} does not exist")
        name = self.ui.outputNameLineEdit.text().strip()
        if not name:
            name = f"composite_{start:%Y%m%d}_{end:%Y%m%d}_{uuid.uuid4().hex[:8]}.tif"
        path = folder / name
        return path if path.suffix else path.with_suffix(".tif")

    def build_request(self) -> Tuple[CompositeRequest, Source]:
        """The ``CompositeRequest`` the widgets describe and the source to run it on (without the unticked
        scenes), checked against the scenes when they are local.

        Raises:
            InputError: naming the field (``INPUT``, ``END_DATE``, ``QA_BAND``, ``EXTENT``, ``SCENES``,
                ``PERCENTILES``, ``OUTPUT``...); ``message`` is meant for the user.
        """
        source = self.current_source()
        start, end = self._dates()
        aoi = self.aoi()
        method = self.ui.methodCombo.currentData()
        percentiles = parse_percentiles(self.ui.percentilesLineEdit.text()) if method == "percentiles" \
            else DEFAULT_PERCENTILES
        excluded = self.scene_model.excluded_ids()
        if self.scene_model.scenes and not self.scene_model.included_scenes():
            raise InputError("SCENES", "every scene in the table is unticked: tick at least one scene")
        request = CompositeRequest(
            start=start,
            end=end,
            qa_band=self.ui.qaBandCombo.currentText(),
            output=self.output_path(start, end),
            threshold=self.threshold(),
            aoi=aoi.bounds() if aoi else None,
            aoi_crs=crs_for_core(aoi.crs) if aoi else None,
            clip=aoi.clip_geometries() if aoi else None,
            resolution=self.resolution(),
            bands=self._bands(),
            method=method,
            percentiles=percentiles,
            output_format=self.ui.formatCombo.currentData(),
            scale_to_byte=self.ui.scaleToByteCheckBox.isChecked(),
        )
        if excluded:
            source = SceneSubset(source, excluded)
        if isinstance(source, FolderSource) or isinstance(getattr(source, "source", None), FolderSource):
            # Reads scene headers only: bad dates, QA band or extent are reported before any task starts.
            plan_composite(request, source)
        else:
            request.validate()
        return request, source

    # ---- running ------------------------------------------------------------------------------------

    def is_running(self) -> bool:
        """True while a composite started here has not finished."""
        return self._task is not None

    def is_searching(self) -> bool:
        """True while a scene search (or the reading of fetched scores) started here has not finished."""
        return self._search_task is not None

    def run(self) -> Optional[CompositeTask]:
        """Check the inputs and start a composite in the background.

        Returns:
            the task started, or None when the inputs are wrong (a message says why) or a run is going on.
        """
        if self.is_running():
            self._notify("A composite is already running: wait for it to finish or cancel it.",
                         Qgis.MessageLevel.Info)
            return None
        try:
            request, source = self.build_request()
        except CloudScoreError as error:
            self._refuse(error)
            return None
        self.save_settings()
        task = CompositeTask(request, source)
        self._last_request, self._last_source = request, source
        task.succeeded.connect(self._on_succeeded)
        task.cancelled.connect(self._on_cancelled)
        task.failed.connect(self._on_failed)
        self._task = task  # also keeps the Python side of the task alive while it runs
        self._aoi_label = self._current_aoi_label()
        self._start_task(task, f"Compositing {request.start} .. {request.end} (end excluded)...")
        return task

    def _current_aoi_label(self) -> Optional[str]:
        try:
            aoi = self.aoi()
        except InputError:
            aoi = None
        return aoi.label[:1].upper() + aoi.label[1:] if aoi else None

    def group_name(self, result: CompositeResult) -> str:
        """The result's layer group name: the area (the AOI's label, or the scenes' MGRS tiles) and the dates."""
        area = self._aoi_label
        if area is None:
            tiles = sorted({f"T{s.tile}" for s in result.plan.scenes if s.tile})
            area = "+".join(tiles[:3]) + ("+..." if len(tiles) > 3 else "") if tiles else "Composite"
        request = self._last_request
        return f"{area} {request.start}..{request.end}"

    def _start_task(self, task: BackgroundTask, text: str) -> None:
        task.progressChanged.connect(self._on_progress)
        task.stageChanged.connect(self._on_stage)
        self._started = time.monotonic()
        self._stage = ""
        self.ui.progressBar.setValue(0)
        self.ui.statusLabel.setText(text)
        self._update_buttons()
        QgsApplication.taskManager().addTask(task)

    def _update_buttons(self) -> None:
        self.ui.runButton.setEnabled(not self.is_running())
        self.ui.findScenesButton.setEnabled(not self.is_searching())
        self.ui.cancelButton.setEnabled(self.is_running() or self.is_searching())

    def cancel(self) -> None:
        """Cancel whatever runs: the composite and the scene search."""
        self.cancel_run()
        task = self._search_task
        if task is not None and not sip.isdeleted(task):
            task.cancel()

    def cancel_run(self) -> None:
        """Ask the running composite (if any) to stop; the outcome arrives through the task."""
        task = self._task
        if task is None or sip.isdeleted(task):
            return
        self.ui.cancelButton.setEnabled(False)
        self.ui.statusLabel.setText("Cancelling...")
        # A task still queued is finished (cancelled) inside cancel() itself, so update the widgets first.
        task.cancel()

    def _task_ended(self) -> None:
        self._update_buttons()

    def _finish(self) -> None:
        self._task = None  # the task manager deletes the task once finished() returns
        self._task_ended()

    def _on_stage(self, text: str) -> None:
        self._stage = text
        self._show_progress(self.ui.progressBar.value())

    def _on_progress(self, percent: float) -> None:
        self.ui.progressBar.setValue(int(percent))
        self._show_progress(percent)

    def _show_progress(self, percent: float) -> None:
        if not (self.is_running() or self.is_searching()):
            return
        parts = [self._stage] if self._stage else []
        elapsed = time.monotonic() - self._started
        if 1 <= percent < 100 and elapsed > TIME_LEFT_AFTER_S:
            parts.append(f"{format_duration(elapsed * (100 - percent) / percent)} left")
        if parts:
            self.ui.statusLabel.setText(" · ".join(parts))

    def _on_succeeded(self, result: CompositeResult) -> None:
        self._finish()
        self.ui.progressBar.setValue(100)
        used = len(result.plan.scenes)
        status = (
            f"{used} scene{'s' if used != 1 else ''} used; {result.clear_fraction:.0%} of their scored pixels "
            "were clear."  # the output path goes in the tooltip: a long path would widen the dock
        )
        if result.plan.skipped:
            status += f"\n{len(result.plan.skipped)} scene(s) without the QA band were skipped (see the log)."
        self.ui.statusLabel.setText(status)
        self.ui.statusLabel.setToolTip(f"Outcome of the last run.\nOutput: {result.output}")
        self.preview.clear()  # the result is what to look at now
        group_name = self.group_name(result)
        try:
            self._result_layers = load_composite_layers(
                result.output, group_name, used, combination=self._combination(),
                statistic_layers=self.ui.statisticLayersCheckBox.isEnabled()
                and self.ui.statisticLayersCheckBox.isChecked())
        except Exception as error:  # noqa: BLE001 (the file is written: say where, whatever went wrong)
            self._notify(f"The composite was written to {result.output} but could not be added to the "
                         f"project: {error}", Qgis.MessageLevel.Critical, error)
            return
        self._read_fetched_scores(result)
        self._notify(f"{group_name}: {used} scene(s), {result.clear_fraction:.0%} clear, added to the "
                     f"project.", Qgis.MessageLevel.Success)

    def _read_fetched_scores(self, result: CompositeResult) -> None:
        """When the table lacks scores (Earth Engine), read them from what the run just fetched, quietly."""
        search = self.scene_model.search
        if search is None or search.grid is not None or self.is_searching() or self._last_source is None:
            return
        request = self._last_request
        task = FetchedScoresTask(self._last_source, result.plan.scenes, request.qa_band.strip(), result.plan.grid,
                                 request.clip, request.aoi_crs)
        task.succeeded.connect(self._on_fetched_scores_read)
        task.failed.connect(self._on_search_failed)
        task.cancelled.connect(self._on_search_cancelled)
        self._search_task = task
        self._update_buttons()
        QgsApplication.taskManager().addTask(task)

    def _on_fetched_scores_read(self, scores: SceneSearch) -> None:
        self._search_task = None
        self._update_buttons()
        self.scene_model.set_scores(scores)
        self._search_summary = self._search_summary.replace(SCORES_AFTER_RUN, SCORES_READ)
        self._scene_ticks_changed(self.scene_model.index(0, DATE), None)

    def _on_cancelled(self) -> None:
        self._finish()
        self.ui.progressBar.setValue(0)
        self.ui.statusLabel.setText("Cancelled")
        self._notify("Composite cancelled: nothing was written.", Qgis.MessageLevel.Info)

    def _on_failed(self, error: Exception) -> None:
        self._finish()
        self.ui.progressBar.setValue(0)
        if isinstance(error, InputError):
            # Found while planning (e.g. the folder changed since Run was pressed): bad input, not a crash.
            self.ui.statusLabel.setText(f"Not run: {error.message}")
            self._notify(error.message, Qgis.MessageLevel.Warning)
        else:
            self.ui.statusLabel.setText(f"Failed: {error}")
            self._notify(f"Composite failed: {error}", Qgis.MessageLevel.Critical, error)

    # ---- results ------------------------------------------------------------------------------------

    def _combination(self) -> Tuple[str, str, str]:
        return BAND_COMBINATIONS.get(self.ui.combinationCombo.currentData(), next(iter(BAND_COMBINATIONS.values())))

    def result_layers(self) -> Optional[CompositeLayers]:
        """The layers of the last result still in the project, or None."""
        layers = self._result_layers
        if layers is None or sip.isdeleted(layers.rgb) or QgsProject.instance().mapLayer(layers.rgb.id()) is None:
            return None
        return layers

    def _combination_changed(self) -> None:
        layers = self.result_layers()
        if layers is None:
            return
        layers.restyle(self._combination())

    # ---- settings and help --------------------------------------------------------------------------

    def save_settings(self) -> None:
        """Remember every field (and the QA band)."""
        self.settings.save()
        set_setting("qa_band", self.ui.qaBandCombo.currentText())

    def reset_to_defaults(self) -> None:
        """Put every field back to its default, forget the AOI rectangles and empty the scene table."""
        self.drawing.stop()
        self.settings.reset()
        for kind in (CANVAS, DRAWN):
            set_setting(f"aoi_{kind}_rectangle", "")
        self._rectangles.clear()
        set_setting("qa_band", "")
        self.ui.qaBandCombo.setCurrentIndex(-1)
        self.scene_model.set_search(None, self.threshold())
        self.preview.clear()
        self._show_message(self.ui.sceneStatusLabel, "", error=False)
        self.refresh_source()
        self.update_aoi()

    def help_url(self) -> QUrl:
        """The README's dock section."""
        url = QUrl.fromLocalFile(str(README))
        url.setFragment(HELP_ANCHOR)
        return url

    def open_help(self) -> None:
        """Open the README's dock section in the system's viewer."""
        QDesktopServices.openUrl(self.help_url())

    def _refuse(self, error: CloudScoreError) -> None:
        """Say why nothing was started (bad input, Earth Engine credentials not set up...)."""
        self._notify(error.message if isinstance(error, InputError) else str(error), Qgis.MessageLevel.Warning)

    def _notify(self, text: str, level, error: Optional[BaseException] = None) -> None:
        """Show ``text`` in the message bar and keep it in the message log (with the traceback of ``error``)."""
        exc_info = (type(error), error, error.__traceback__) if error is not None else None
        log.log(_LOG_LEVEL.get(level, logging.INFO), text, exc_info=exc_info)
        duration = 0 if level == Qgis.MessageLevel.Critical else MESSAGE_DURATION_S
        self.iface.messageBar().pushMessage(TAG, text, level, duration)

    # ---- showing and closing ------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Read the folder the first time the panel is shown with a folder not read yet; outline the AOI."""
        super().showEvent(event)
        if self.source_kind() == FOLDER and self.folder() != self._scanned_folder:
            self._refresh_timer.start()
        self.update_aoi()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """When the panel is closed: remove the mask preview and the AOI outline, stop drawing."""
        super().hideEvent(event)
        if not event.spontaneous():  # not when QGIS's window is only minimised
            self.release_canvas()

    def release_canvas(self) -> None:
        """Remember the fields; take the preview layer, the AOI outline and the drawing tool off the canvas."""
        self.save_settings()
        self.preview.clear()
        self.outline.clear()
        self.drawing.stop()

    def unload(self) -> None:
        """Before the plugin unloads: cancel what runs, clean the canvas, remove the rubber band for good."""
        self.cancel()
        self.release_canvas()
        self.outline.remove()
