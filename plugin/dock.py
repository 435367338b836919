"""The CloudScore Composite dock panel: widgets -> ``CompositeRequest`` -> ``CompositeTask`` -> layers."""

import logging
import uuid
from datetime import date
from pathlib import Path
from typing import Optional, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsProcessingUtils,
    QgsSettings,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip, uic
from qgis.PyQt.QtCore import QDate, Qt, QTimer
from qgis.PyQt.QtGui import QPalette
from qgis.PyQt.QtWidgets import QFrame, QScrollArea, QWidget

from .composite_task import CompositeTask
from .core.errors import InputError
from .core.folder_source import FolderSource
from .core.grid import Bounds
from .core.pipeline import DEFAULT_THRESHOLD, CompositeRequest, CompositeResult, plan_composite
from .layers import load_composite_layers
from .paths import UI_DIR
from .qgis_logging import TAG

log = logging.getLogger(__name__)

FORM_CLASS, _ = uic.loadUiType(str(UI_DIR / "composite_dock.ui"))

SETTINGS_GROUP = "cloudscore_composite"
"""``QgsSettings`` group of everything the dock remembers (folder, dates, QA band, threshold)."""

PREFERRED_QA_BANDS = ("cs_cdf", "cs", "clear")
"""QA bands picked, in this order, when the folder has several and the user has not chosen one before."""

FOLDER_REFRESH_DELAY_MS = 400
"""Wait this long after the last edit of the folder path before reading the folder (typing a path
passes through many folders that exist)."""

MESSAGE_DURATION_S = 8

_LOG_LEVEL = {
    Qgis.MessageLevel.Info: logging.INFO,
    Qgis.MessageLevel.Success: logging.INFO,
    Qgis.MessageLevel.Warning: logging.WARNING,
    Qgis.MessageLevel.Critical: logging.ERROR,
}


def setting(key: str, default=None, value_type=str):
    """The value remembered under ``cloudscore_composite/<key>``, as ``value_type``, or ``default``."""
    return QgsSettings().value(f"{SETTINGS_GROUP}/{key}", default, type=value_type)


def set_setting(key: str, value) -> None:
    """Remember ``value`` under ``cloudscore_composite/<key>``."""
    QgsSettings().setValue(f"{SETTINGS_GROUP}/{key}", value)


def to_date(value: QDate) -> date:
    """A ``QDate`` as a ``datetime.date``."""
    return date(value.year(), value.month(), value.day())


def crs_for_core(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """A CRS as rasterio reads it: ``EPSG:nnnn`` when it has one, else WKT; None when invalid."""
    if not crs.isValid():
        return None
    if crs.authid().upper().startswith("EPSG:"):
        return crs.authid()
    # USER:/IGNF: ids mean nothing to PROJ outside QGIS: pass the definition itself.
    return crs.toWkt(QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED)


class CompositeDock(QgsDockWidget):
    """Dock panel that composites a folder of Sentinel-2 scenes in the background.

    The panel only translates its widgets into a ``CompositeRequest`` (dates ``[start, end)`` in UTC days,
    clear threshold 0..1, optional extent, output GeoTIFF) and runs it in a ``CompositeTask``; every rule
    lives in ``plugin.core``. One run at a time; the result is added to the project as a layer group.
    The widgets are ``self.ui.<objectName>`` of ``ui/composite_dock.ui``.
    """

    def __init__(self, iface, parent: Optional[QWidget] = None):
        """Build the panel for ``iface`` (the ``QgisInterface``) and restore the last used inputs."""
        super().__init__(parent)
        self.iface = iface
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
        self._group_name = ""
        self._scanned_folder: Optional[str] = None
        self._folder_error: Optional[InputError] = None
        self._source: Optional[FolderSource] = None  # the folder as last read
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(FOLDER_REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_folder)

        ui = self.ui
        ui.extentWidget.setMapCanvas(iface.mapCanvas())
        ui.extentWidget.setNullValueAllowed(True, "Not set (all scenes)")
        ui.extentWidget.clear()
        ui.folderWidget.lineEdit().setPlaceholderText("Folder of Sentinel-2 GeoTIFF scenes")
        ui.outputWidget.lineEdit().setPlaceholderText("[Save to temporary file]")
        ui.thresholdSpinBox.setClearValue(DEFAULT_THRESHOLD)
        ui.thresholdSpinBox.setShowClearButton(True)
        ui.progressBar.setRange(0, 100)
        ui.progressBar.setValue(0)

        ui.thresholdSlider.valueChanged.connect(self._slider_moved)
        ui.thresholdSpinBox.valueChanged.connect(self._spin_box_changed)
        ui.folderWidget.fileChanged.connect(self._folder_edited)
        ui.runButton.clicked.connect(self.run)
        ui.cancelButton.clicked.connect(self.cancel_run)

        self._restore_settings()

    # ---- inputs -----------------------------------------------------------------------------------

    def folder(self) -> str:
        """The folder path as entered (stripped)."""
        return self.ui.folderWidget.filePath().strip()

    def set_folder(self, folder) -> None:
        """Enter ``folder`` and read it now (the QA band list is refreshed at once)."""
        self.ui.folderWidget.setFilePath(str(folder))
        self.refresh_folder()

    def threshold(self) -> float:
        """The clear threshold, 0..1."""
        return round(self.ui.thresholdSpinBox.value(), 2)

    def set_threshold(self, value: float) -> None:
        """Set the clear threshold (0..1) on both the slider and the spin box."""
        self.ui.thresholdSpinBox.setValue(value)

    def _slider_moved(self, value: int) -> None:
        self.ui.thresholdSpinBox.blockSignals(True)
        self.ui.thresholdSpinBox.setValue(value / 100.0)
        self.ui.thresholdSpinBox.blockSignals(False)

    def _spin_box_changed(self, value: float) -> None:
        self.ui.thresholdSlider.blockSignals(True)
        self.ui.thresholdSlider.setValue(round(value * 100))
        self.ui.thresholdSlider.blockSignals(False)

    def _folder_edited(self, _path: str) -> None:
        self._refresh_timer.start()

    def refresh_folder(self) -> None:
        """Read the folder's scenes: fill the QA band list and say what was found (or why nothing was)."""
        self._refresh_timer.stop()
        folder = self.folder()
        combo = self.ui.qaBandCombo
        wanted = combo.currentText() or setting("qa_band", "")
        combo.clear()
        self._scanned_folder = folder
        self._folder_error = None
        self._source = None
        try:
            source = FolderSource(folder)
        except InputError as error:
            self._folder_error = error
            # No folder chosen yet is a prompt, not an error.
            self._show_folder_message(error.message[:1].upper() + error.message[1:] + ".", error=bool(folder))
            combo.setEnabled(False)
            return
        self._source = source
        qa_bands = source.qa_bands()
        combo.addItems(qa_bands)
        combo.setEnabled(bool(qa_bands))
        preferred = [wanted] + list(PREFERRED_QA_BANDS)
        combo.setCurrentIndex(next((qa_bands.index(b) for b in preferred if b in qa_bands), 0))
        first, last = source.scenes[0].time.date(), source.scenes[-1].time.date()
        count = len(source.scenes)
        text = f"{count} scene{'s' if count != 1 else ''} acquired {first} .. {last}."
        if not qa_bands:
            text += " None has a QA band (a clear-score band such as cs or cs_cdf)."
        self._show_folder_message(text, error=not qa_bands)

    def _show_folder_message(self, text: str, error: bool) -> None:
        label = self.ui.folderMessageLabel
        label.setText(text)
        palette = label.palette()
        colour = Qt.GlobalColor.darkRed if error else self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)

    def aoi(self) -> Tuple[Optional[Bounds], Optional[str]]:
        """(bounds (left, bottom, right, top), CRS as ``EPSG:nnnn`` or WKT) of the extent; (None, None) when
        the extent is not set, which means the whole area of the scenes.

        Raises:
            InputError: ``EXTENT`` when the extent is set but has no area.
        """
        widget = self.ui.extentWidget
        rect = widget.outputExtent()
        if not widget.isValid() or rect.isNull():
            return None, None
        if rect.isEmpty():
            raise InputError("EXTENT", "the extent has no area: set it again or clear it to use all scenes")
        bounds = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        return bounds, crs_for_core(widget.outputCrs())

    def output_path(self, start: date, end: date) -> Path:
        """The output GeoTIFF entered (``.tif`` added when it has no suffix), or a new temporary file."""
        text = self.ui.outputWidget.filePath().strip()
        if not text:
            name = f"composite_{start:%Y%m%d}_{end:%Y%m%d}_{uuid.uuid4().hex[:8]}.tif"
            return Path(QgsProcessingUtils.tempFolder()) / name
        path = Path(text).expanduser()
        return path if path.suffix else path.with_suffix(".tif")

    def build_request(self) -> CompositeRequest:
        """The ``CompositeRequest`` the widgets describe, checked against the folder's scenes.

        Raises:
            InputError: naming the field (``INPUT``, ``END_DATE``, ``QA_BAND``, ``EXTENT``, ``OUTPUT``...);
                ``message`` is meant for the user.
        """
        # Read the folder as it is now (one scan serves the QA band list and the plan below).
        self.refresh_folder()
        if self._folder_error is not None:
            raise self._folder_error
        start = to_date(self.ui.startDateEdit.date())
        end = to_date(self.ui.endDateEdit.date())
        aoi, aoi_crs = self.aoi()
        request = CompositeRequest(
            start=start,
            end=end,
            qa_band=self.ui.qaBandCombo.currentText(),
            output=self.output_path(start, end),
            threshold=self.threshold(),
            aoi=aoi,
            aoi_crs=aoi_crs,
        )
        # Reads scene headers only: bad dates, QA band or extent are reported before any task starts.
        plan_composite(request, self._source)
        return request

    # ---- running ----------------------------------------------------------------------------------

    def is_running(self) -> bool:
        """True while a composite started here has not finished."""
        return self._task is not None

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
            request = self.build_request()
        except InputError as error:
            self._notify(error.message, Qgis.MessageLevel.Warning)
            return None
        self._save_settings()

        task = CompositeTask(request, self.folder())
        task.progressChanged.connect(self._on_progress)
        task.succeeded.connect(self._on_succeeded)
        task.cancelled.connect(self._on_cancelled)
        task.failed.connect(self._on_failed)
        self._task = task  # also keeps the Python side of the task alive while it runs
        self._group_name = f"Composite {request.start}..{request.end}"
        self._set_running(True)
        self.ui.statusLabel.setText(f"Compositing {request.start} .. {request.end} (end excluded)...")
        QgsApplication.taskManager().addTask(task)
        return task

    def cancel_run(self) -> None:
        """Ask the running composite (if any) to stop; the outcome arrives through the task."""
        task = self._task
        if task is None or sip.isdeleted(task):
            return
        self.ui.cancelButton.setEnabled(False)
        self.ui.statusLabel.setText("Cancelling...")
        # A task still queued is finished (cancelled) inside cancel() itself, so update the widgets first.
        task.cancel()

    def _set_running(self, running: bool) -> None:
        self.ui.runButton.setEnabled(not running)
        self.ui.cancelButton.setEnabled(running)
        if running:
            self.ui.progressBar.setValue(0)

    def _finish(self) -> None:
        self._task = None  # the task manager deletes the task once finished() returns
        self._set_running(False)

    def _on_progress(self, percent: float) -> None:
        self.ui.progressBar.setValue(int(percent))

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
        try:
            load_composite_layers(result.output, self._group_name, used)
        except Exception as error:  # noqa: BLE001 (the file is written: say where, whatever went wrong)
            self._notify(f"The composite was written to {result.output} but could not be added to the "
                         f"project: {error}", Qgis.MessageLevel.Critical, error)
            return
        self._notify(f"{self._group_name}: {used} scene(s), {result.clear_fraction:.0%} clear, added to the "
                     f"project.", Qgis.MessageLevel.Success)

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

    def _notify(self, text: str, level, error: Optional[BaseException] = None) -> None:
        """Show ``text`` in the message bar and keep it in the message log (with the traceback of ``error``)."""
        exc_info = (type(error), error, error.__traceback__) if error is not None else None
        log.log(_LOG_LEVEL.get(level, logging.INFO), text, exc_info=exc_info)
        duration = 0 if level == Qgis.MessageLevel.Critical else MESSAGE_DURATION_S
        self.iface.messageBar().pushMessage(TAG, text, level, duration)

    # ---- settings ---------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        # Set without signals: the folder is read when the panel is first shown or Run is pressed,
        # not while QGIS starts.
        folder = setting("folder", "")
        self.ui.folderWidget.blockSignals(True)
        self.ui.folderWidget.setFilePath(folder)
        self.ui.folderWidget.blockSignals(False)
        for key, edit in (("start_date", self.ui.startDateEdit), ("end_date", self.ui.endDateEdit)):
            remembered = QDate.fromString(setting(key, ""), Qt.DateFormat.ISODate)
            if remembered.isValid():
                edit.setDate(remembered)
        threshold = setting("threshold", DEFAULT_THRESHOLD, float)
        self.set_threshold(min(max(threshold, 0.0), 1.0))

    def _save_settings(self) -> None:
        set_setting("folder", self.folder())
        set_setting("start_date", self.ui.startDateEdit.date().toString(Qt.DateFormat.ISODate))
        set_setting("end_date", self.ui.endDateEdit.date().toString(Qt.DateFormat.ISODate))
        set_setting("qa_band", self.ui.qaBandCombo.currentText())
        set_setting("threshold", self.threshold())

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Read the folder the first time the panel is shown with a folder not read yet."""
        super().showEvent(event)
        if self.folder() != self._scanned_folder:
            self._refresh_timer.start()
