"""The CloudScore Composite dock panel: source, dates, AOI, scene table, threshold preview, run, results.

The panel only turns its widgets into core calls: ``scene_stats.find_scenes`` (in a ``SceneSearchTask``) and
``run_composite`` (in a ``CompositeTask``); every rule lives in ``plugin.core``. Its parts own their widgets:
``source_panel.SourcePanel``, ``aoi_panel.AoiPanel``, ``scenes_panel.ScenesPanel``, ``composite_panel.CompositePanel``;
``form_fit`` lays the form out in tab pages and ``field_feedback`` shows what is refused; this module wires them and
runs the background tasks (one at a time) with their progress and outcome.
"""

import logging
import time
from datetime import date
from pathlib import Path
from typing import Dict, Optional, Tuple

from qgis.core import Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsRectangle
from qgis.gui import QgsDockWidget, QgsFileWidget
from qgis.PyQt import sip, uic
from qgis.PyQt.QtCore import QDate, Qt, QTimer, QUrl
from qgis.PyQt.QtWidgets import QComboBox, QMainWindow, QWidget

from ..translation import tr, translated
from .aoi import LAYER, Aoi
from ..tasks.background_task import BackgroundTask
from ..tasks.composite_task import CompositeTask
from ..core.engines import EXPORT, SERVERS, check_engine
from ..core.errors import CloudScoreError, InputError
from ..core.pipeline import CompositeRequest, CompositeResult, plan_composite
from ..core.scene import S2_BANDS, scenes_grid
from ..core.scene_stats import SceneSearch, scored_scenes
from ..core.seasons import last_full_season
from ..core.source import Source
from .aoi_panel import AoiPanel
from .composite_panel import CompositePanel, describe_aoi
from .form_fit import WheelGuard, guard_wheel, page_sized_stacks, scrolling_pages, wrap_long_rows
from .help_viewer import HELP_ANCHOR, HelpViewer, help_url
from .scenes_panel import ScenesPanel
from .earthengine_setup import HOW_TO_SET_UP, SETUP_HELP_ANCHOR, SetupError, check_access
from .field_feedback import (
    AUTHENTICATION,
    FAILURE,
    MESSAGE_DURATION_S,
    SEARCH_FIELDS,
    FieldFeedback,
    field_widgets,
)
from .widget_settings import WidgetSettings, set_setting, setting
from .source_panel import SourcePanel
from .text import capitalised
from ..core.result_names import tiles_name
from ..layers import CompositeLayers, period_name
from ..output_settings import output_ceiling_gb
from ..paths import UI_DIR
from ..qgis_crs import crs_for_core
from ..qgis_logging import TAG, python_level
from ..tasks.scene_search_task import FetchedScoresTask, SceneSearchTask
from .scene_table import SceneTableModel
from .threshold_preview import MaskPreview

log = logging.getLogger(__name__)

__all__ = ["CompositeDock", "set_setting", "setting"]

FORM_CLASS, _ = uic.loadUiType(str(UI_DIR / "composite_dock.ui"))

COMFORTABLE_CHARACTERS = 56
"""The panel opens this many average characters wide at least (about 400 px with QGIS's default font)."""
TIME_LEFT_AFTER_S = 0.5
"""The time left is extrapolated from the progress so far once the task has run this long."""


def to_date(value: QDate) -> date:
    """A ``QDate`` as a ``datetime.date``."""
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QDate:
    """A ``datetime.date`` as a ``QDate``."""
    return QDate(value.year, value.month, value.day)


def format_duration(seconds: float) -> str:
    """``"about 12 s"``, ``"about 3 min"``."""
    if seconds < 90:
        return tr("about {0} s").format(max(1, round(seconds)))
    return tr("about {0} min").format(round(seconds / 60))


class CompositeDock(QgsDockWidget):
    """Dock panel: find scenes over an AOI, look at their clear fractions and masks, composite in the background.

    The widgets are ``self.ui.<objectName>`` of ``ui/composite_dock.ui``, each owned by one of the panels. One
    background task at a time (a search, the reading of fetched scores or a composite): Find scenes and Run are
    disabled while one goes on, and refused with a message if called.
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
        # In code, not in the .ui: there QGIS 3.22's uic (PyQt5) reads only the unscoped QgsFileWidget::GetDirectory,
        # which PyQt6's need not resolve; the scoped name works on both.
        for folder in (self.ui.folderWidget, self.ui.outputFolderWidget):
            folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.setWidget(contents)  # the tab pages scroll, Run, Cancel and the status below them stay in view

        self._task: Optional[CompositeTask] = None
        self._search_task: Optional[SceneSearchTask] = None
        self._started = 0.0
        self._stage = ""
        self._aoi_label: Optional[str] = None
        self._last_request: Optional[CompositeRequest] = None
        self._last_source: Optional[Source] = None
        self._last_aoi_key: Optional[tuple] = None  # the AOI of the last run and of the last search
        self._search_aoi_key: Optional[tuple] = None
        self._width_fitted = False
        self._aoi_text = ""  # the AOI of the last run in words, for its result's abstract
        self._feedback = FieldFeedback(
            iface.messageBar(), self.ui.statusLabel, lambda name: field_widgets(self, name), self
        )
        self.source_panel = SourcePanel(self.ui, self)
        self.aoi_panel = AoiPanel(
            self.ui,
            self.canvas,
            self._known_scenes,
            lambda aoi, aoi_crs: self.source_panel.capabilities().default_crs(aoi, aoi_crs),
            self,
        )
        self.scenes_panel = ScenesPanel(self.ui, self)
        self.composite_panel = CompositePanel(self.ui, lambda text: self._notify(text, Qgis.MessageLevel.Warning), self)
        self._fill_widgets()
        self.settings = WidgetSettings()
        for key, widget in self._remembered_widgets().items():
            self.settings.add(key, widget)
        self.settings.restore()
        self._connect()
        self.source_panel.start()
        self.aoi_panel.start()
        self.scenes_panel.start()
        self.composite_panel.start()
        self._source_changed()

    # ---- construction -------------------------------------------------------------------------------

    def _fill_widgets(self) -> None:
        ui = self.ui
        self.source_panel.fill_widgets()
        self.aoi_panel.fill_widgets()
        self.scenes_panel.fill_widgets()
        self.composite_panel.fill_widgets()
        self._default_dates()
        ui.progressBar.setRange(0, 100)
        ui.progressBar.setValue(0)
        for combo in self.findChildren(QComboBox):  # long items must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        ui.progressBar.hide()  # shown while a task runs, for that task's progress only
        stacks = (ui.sourceStack, ui.aoiStack)
        wrap_long_rows(self.widget(), stacks)
        page_sized_stacks(stacks)
        scrolling_pages(ui.stepTabs)
        self._wheel_guard = WheelGuard(self)
        guard_wheel(self.widget(), self._wheel_guard)

    def _default_dates(self) -> None:
        """The dates' defaults (before the settings take them as such): the last full meteorological season before
        today, a recent and complete one, the end date excluded as the season's end is."""
        season = last_full_season(date.today())
        self.ui.startDateEdit.setDate(to_qdate(season.start))
        self.ui.endDateEdit.setDate(to_qdate(season.end))

    def _remembered_widgets(self) -> Dict[str, QWidget]:
        ui = self.ui
        return {
            **self.source_panel.remembered_widgets(),
            "start_date": ui.startDateEdit,
            "end_date": ui.endDateEdit,
            **self.aoi_panel.remembered_widgets(),
            **self.scenes_panel.remembered_widgets(),
            **self.composite_panel.remembered_widgets(),
        }

    def _connect(self) -> None:
        ui = self.ui
        ui.sourceCombo.currentIndexChanged.connect(self._source_changed)
        ui.collectionCombo.currentIndexChanged.connect(self._source_changed)
        self.aoi_panel.changed.connect(self._check_search_matches)
        # The AOI's hints and the whole area's size follow the scenes known: a folder's scan, a search's table.
        self.aoi_panel.set_source(self.source_panel.capabilities, self.source_panel.folder_scenes)
        self.source_panel.scenes_changed.connect(self.aoi_panel.scenes_changed)
        self.scene_model.modelReset.connect(self.aoi_panel.scenes_changed)
        ui.qaBandCombo.currentIndexChanged.connect(self._qa_band_changed)
        ui.findScenesButton.clicked.connect(self.find_scenes)
        ui.runButton.clicked.connect(self.run)
        ui.cancelButton.clicked.connect(self.cancel)
        ui.resetButton.clicked.connect(self.reset_to_defaults)
        ui.helpButton.clicked.connect(lambda _checked: self.open_help())
        self.closed.connect(self.release_canvas)  # QgsDockWidget's signal: the user closed the panel

    # ---- source (the SourcePanel's) -----------------------------------------------------------------

    @property
    def earth_engine_settings(self):
        """The "Earth Engine settings" group (``dock_earthengine.EarthEngineSettingsBox``), or None."""
        return self.source_panel.earth_engine_settings

    def source_kind(self) -> str:
        """``folder`` or ``earthengine``."""
        return self.source_panel.kind()

    def set_source_kind(self, kind: str) -> None:
        """Choose the source: ``folder`` or ``earthengine``."""
        self.source_panel.set_kind(kind)

    def folder(self) -> str:
        """The folder path as entered (stripped)."""
        return self.source_panel.folder()

    def set_folder(self, folder) -> None:
        """Choose the folder source with ``folder`` and read it now (the QA band list is refreshed at once)."""
        self.source_panel.set_folder(folder)

    def refresh_source(self) -> None:
        """Read the source's QA bands (for a folder: scan it if it changed and say what it holds)."""
        self.source_panel.refresh()

    def _source_changed(self) -> None:
        """Offer the engines of the source chosen (Earth Engine: its servers or this computer)."""
        self.composite_panel.show_engines(self.source_panel.capabilities().engines)

    def current_source(self) -> Source:
        """The source the widgets describe (see ``SourcePanel.current_source``).

        Raises:
            InputError: ``INPUT`` for a folder that is missing or holds no scene.
        """
        return self.source_panel.current_source()

    # ---- area of interest (the AoiPanel's) ----------------------------------------------------------

    @property
    def outline(self):
        """The AOI outline on the canvas (``map_tools.AoiOutline``)."""
        return self.aoi_panel.outline

    @property
    def drawing(self):
        """The rectangle-drawing map tool (``map_tools.RectangleDrawing``)."""
        return self.aoi_panel.drawing

    def aoi_kind(self) -> str:
        """One of ``aoi.AOI_KINDS``."""
        return self.aoi_panel.kind()

    def set_aoi_kind(self, kind: str) -> None:
        """Choose how the AOI is given (``scenes``, ``canvas``, ``drawn``, ``layer``, ``typed``)."""
        self.aoi_panel.set_kind(kind)

    def take_canvas_extent(self) -> None:
        """Take the canvas's current extent as the canvas AOI."""
        self.aoi_panel.take_canvas_extent()

    def set_drawn_rectangle(self, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        """Use ``rect`` (in ``crs``) as the drawn AOI, as if it had been dragged on the canvas."""
        self.aoi_panel.set_drawn_rectangle(rect, crs)

    def aoi(self) -> Optional[Aoi]:
        """The AOI the widgets describe; None for the whole area of the scenes.

        Raises:
            InputError: ``EXTENT`` when the AOI is not given yet, empty, or has no valid CRS.
        """
        return self.aoi_panel.aoi()

    def update_aoi(self) -> None:
        """Outline the AOI on the canvas and show its size (or why there is none)."""
        self.aoi_panel.update()

    def resolution(self) -> Optional[float]:
        """Output pixel size in metres; None for the scenes' own."""
        return self.aoi_panel.resolution()

    def output_crs(self, aoi: Optional[Aoi] = None) -> Optional[str]:
        """The composite's CRS for the core (see ``AoiPanel.output_crs``)."""
        return self.aoi_panel.output_crs(aoi)

    def _known_scenes(self):
        """The scenes the composite would use as far as known without a search task: the table's, else the
        folder's (already scanned); None for Earth Engine before a search."""
        search = self.scene_model.search
        if search is not None and search.scenes:
            return search.scenes
        return self.source_panel.folder_scenes()

    # ---- threshold, scene table and mask preview (the ScenesPanel's) --------------------------------

    @property
    def scene_model(self) -> SceneTableModel:
        """The scene table's model."""
        return self.scenes_panel.model

    @property
    def scene_proxy(self):
        """The sorting proxy the scene table shows."""
        return self.scenes_panel.proxy

    @property
    def preview(self) -> MaskPreview:
        """The mask preview on the canvas."""
        return self.scenes_panel.preview

    def threshold(self) -> float:
        """The clear threshold, 0..1."""
        return self.scenes_panel.threshold()

    def set_threshold(self, value: float) -> None:
        """Set the clear threshold (0..1) on both the slider and the spin box."""
        self.scenes_panel.set_threshold(value)

    def selected_scene_id(self) -> Optional[str]:
        """The ``scene_id`` of the selected row of the scene table, or None."""
        return self.scenes_panel.selected_scene_id()

    def select_scene(self, scene_id: str) -> None:
        """Select the row of ``scene_id`` (its mask is previewed)."""
        self.scenes_panel.select_scene(scene_id)

    def update_preview(self) -> None:
        """Show the selected scene's mask at the current threshold (or remove the preview)."""
        self.scenes_panel.update_preview()

    # ---- QA band and scene search -------------------------------------------------------------------

    def _qa_band_changed(self) -> None:
        self._check_search_matches()

    def _check_search_matches(self, read_again: bool = True) -> None:
        """After the QA band or the AOI changed: a folder's scores are read again (in the background) when
        ``read_again``; otherwise, and for Earth Engine, the table is marked stale and its preview turned off."""
        panel = self.scenes_panel
        search = panel.search
        if search is None:
            return
        key = self.aoi_panel.key()
        matches = panel.matches(self.ui.qaBandCombo.currentText(), key)
        if matches or panel.stale:
            if matches and panel.stale:
                panel.set_stale(False)
            return
        cheap = search.grid is not None and self.source_panel.capabilities().search_is_cheap and key is not None
        # A folder's scores are read in seconds: read them for the new QA band or AOI. Refused or failed, the
        # table is stale (and not read again at every later edit).
        if not (read_again and cheap and not self._busy() and self.find_scenes() is not None):
            panel.set_stale(True)

    def find_scenes(self) -> Optional[SceneSearchTask]:
        """Search the source over the AOI in the dates and read the scenes' scores, in the background.

        Returns:
            the task started, or None when the inputs are wrong (a message says why) or a search is going on.
        """
        if self._refuse_when_busy():
            return None
        try:
            source = self.current_source()
            check_access(source)  # e.g. Earth Engine's credentials and project, before any task (no network)
            start, end = self._dates()
            aoi = self._source_aoi(source)
            bounds, crs = (aoi.bounds(), crs_for_core(aoi.crs)) if aoi else (None, None)
            clip = aoi.clip_geometries() if aoi else None
            qa_band = self.ui.qaBandCombo.currentText()
            if source.search_is_cheap and not source.search(start, end, bounds, crs):
                raise source.no_scene_error(start, end, bounds, crs)  # headers are read: say it now, no task
        except CloudScoreError as error:
            self._refuse(error)
            return None
        self.feedback.passed(SEARCH_FIELDS)
        estimate = None
        if source.fetches_pixels:  # what each engine would download (a folder's pixels are local)
            bands = self.composite_panel.bands() or list(S2_BANDS)
            statistics = self.composite_panel.statistics_per_band()
            resolution, output_crs = self.resolution(), self.output_crs(aoi)

            def estimate_downloads(scenes):
                fetched = scored_scenes(scenes, qa_band)  # the run fetches only the scenes with the QA band
                if not fetched:
                    return None
                try:
                    grid = scenes_grid(fetched, bounds, crs, resolution, output_crs)
                except CloudScoreError:  # e.g. an output CRS not in metres: the run will say so; keep the list
                    return None
                return source.download_estimates(fetched, bands, qa_band, grid, statistics) or None

            estimate = estimate_downloads
        self.save_settings()
        # Scores are read at once only where that is cheap (local files); Earth Engine's come with a run.
        task = SceneSearchTask(
            source, start, end, bounds, crs, qa_band, clip, read_scores=source.search_is_cheap, estimate=estimate
        )
        self._search_aoi_key = self.aoi_panel.key()
        task.succeeded.connect(self._on_scenes_found)  # a bound method: PyQt drops it with the dock
        task.failed.connect(self._on_search_failed)
        task.cancelled.connect(self._on_search_cancelled)
        self._search_task = task
        self._start_task(task, tr("Finding scenes..."), tr("Finding scenes: %p%"))
        return task

    def _source_aoi(self, source: Source) -> Optional[Aoi]:
        """The AOI, checked against the source: one that needs an AOI (Earth Engine cannot list the whole world)
        must have one.

        Raises:
            InputError: ``EXTENT`` as ``aoi()``, or the whole area of the scenes with a source that needs an AOI.
        """
        aoi = self.aoi()
        if aoi is None and source.needs_aoi:
            raise InputError(
                "EXTENT",
                tr(
                    "The {0} needs an area of interest: choose the map extent, a rectangle, a "
                    "polygon layer or typed bounds instead of the whole area of the scenes"
                ).format(source.describe()),
            )
        return aoi

    def _on_scenes_found(self, search: SceneSearch) -> None:
        self._search_ended()
        self.ui.statusLabel.setText("")
        self.scenes_panel.show_search(search, self._search_aoi_key)
        self._check_search_matches()  # the QA band or the AOI may have changed during the search

    def _on_search_failed(self, error: Exception) -> None:
        self._search_ended()
        self._report_failure(error, tr("Finding scenes failed"))
        self._check_search_matches(read_again=False)  # the table may be of another QA band or AOI

    def _on_search_cancelled(self) -> None:
        self._search_ended()
        self.ui.progressBar.setValue(0)
        self.ui.statusLabel.setText(tr("Search cancelled"))
        self._check_search_matches(read_again=False)

    def _search_ended(self) -> None:
        self._search_task = None  # the task manager deletes the task once finished() returns
        self._update_buttons()
        self.ui.progressBar.hide()

    # ---- the request --------------------------------------------------------------------------------

    def _dates(self) -> Tuple[date, date]:
        start, end = to_date(self.ui.startDateEdit.date()), to_date(self.ui.endDateEdit.date())
        if end <= start:
            raise InputError(
                "END_DATE", tr("end date {0} must be after start date {1} (end is excluded)").format(end, start)
            )
        return start, end

    def output_path(self, start: date, end: date) -> Path:
        """The output file (see ``CompositePanel.output_path``).

        Raises:
            InputError: ``OUTPUT`` when the folder does not exist.
        """
        return self.composite_panel.output_path(start, end)

    def build_request(self) -> Tuple[CompositeRequest, Source]:
        """The ``CompositeRequest`` the widgets describe (the unticked scenes in its ``excluded_scenes``) and the
        source to run it on, checked against the scenes when they are local.

        Raises:
            InputError: naming the field (``INPUT``, ``END_DATE``, ``QA_BAND``, ``EXTENT``, ``SCENES``,
                ``PERCENTILES``, ``OUTPUT``...); ``message`` is meant for the user.
        """
        source = self.current_source()
        check_access(source)  # e.g. Earth Engine's credentials and project, before any task (no network)
        start, end = self._dates()
        aoi = self._source_aoi(source)
        options = self.composite_panel.options()
        excluded = self.scene_model.excluded_ids()
        if self.scene_model.scenes and not self.scene_model.included_scenes():
            raise InputError("SCENES", tr("every scene in the table is unticked: tick at least one scene"))
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
            crs=self.output_crs(aoi),
            engine=self.composite_panel.engine(source.engines),
            bucket=self.composite_panel.bucket(),
            output_ceiling_gb=output_ceiling_gb(),  # the setting the algorithms read too
            excluded_scenes=sorted(excluded),
            **options,
        )
        if source.search_is_cheap:
            # Reads scene headers only: bad dates, QA band or extent are reported before any task starts.
            plan_composite(request, source)
        else:  # the search goes over the network: it is the run's first step
            request.validate()
            check_engine(request.engine, source.engines)
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
        if self._refuse_when_busy():
            return None
        try:
            request, source = self.build_request()
        except CloudScoreError as error:
            self._refuse(error)
            return None
        self.feedback.clear_all()  # every check passed: the problems shown are fixed
        if not self.composite_panel.confirm_output(request):
            return None  # the user keeps the existing output file
        self.save_settings()
        task = CompositeTask(request, source)
        self._last_request, self._last_source = request, source
        self._last_aoi_key = self.aoi_panel.key()
        task.succeeded.connect(self._on_succeeded)
        task.cancelled.connect(self._on_cancelled)
        task.failed.connect(self._on_failed)
        self._task = task  # also keeps the Python side of the task alive while it runs
        aoi = self._current_aoi()
        # The group is named after a polygon layer AOI (else the tiles); the abstract describes any AOI.
        self._aoi_label = capitalised(aoi.label) if aoi is not None and aoi.kind == LAYER else None
        self._aoi_text = describe_aoi(aoi)
        self._start_task(
            task,
            tr("Compositing {0} .. {1} (end excluded)...").format(request.start, request.end),
            tr("Compositing: %p%"),
        )
        return task

    def _busy(self) -> bool:
        return self.is_running() or self.is_searching()

    def _refuse_when_busy(self) -> bool:
        """True (and a message) while a task started here runs: one search or composite at a time, so the
        progress bar, the time left and the scores in the table belong to one task."""
        if self.is_running():
            text = tr("A composite is already running: wait for it to finish or cancel it.")
        elif self.is_searching():
            text = tr("Scenes are being searched (or their scores read): wait for it or cancel it.")
        else:
            return False
        self._notify(text, Qgis.MessageLevel.Info)
        return True

    def _current_aoi(self) -> Optional[Aoi]:
        """The AOI the widgets describe, None for the whole area of the scenes or when it is not valid."""
        try:
            return self.aoi()
        except InputError:
            return None

    def group_name(self, result: CompositeResult) -> str:
        """The result's layer group name, short enough for the Layers panel: the area (the polygon layer's name,
        else the MGRS tiles of the scenes used) and the period, ``T33TVL Jul–Sep 2015`` (``layers.period_name``)."""
        area = self._aoi_label or tiles_name(s.tile for s in result.plan.scenes) or tr("Composite")
        request = self._last_request
        return f"{area} {period_name(request.start, request.end)}"

    def _start_task(self, task: BackgroundTask, text: str, progress_format: str) -> None:
        """Start ``task`` with its progress in the bar (``progress_format``: QProgressBar's, e.g. ``%p%``) and
        ``text`` in the status line."""
        task.progressChanged.connect(self._on_progress)
        task.stageChanged.connect(self._on_stage)
        self._started = time.monotonic()
        self._stage = ""
        self.ui.progressBar.setValue(0)
        self.ui.progressBar.setFormat(progress_format)
        self.ui.progressBar.show()
        self.ui.statusLabel.setText(text)
        self._update_buttons()
        QgsApplication.taskManager().addTask(task)

    def _update_buttons(self) -> None:
        busy = self._busy()
        self.ui.runButton.setEnabled(not busy)
        if self.earth_engine_settings is not None:  # a run may be writing into the cache
            self.earth_engine_settings.clearCacheButton.setEnabled(not busy)
        self.ui.findScenesButton.setEnabled(not busy)
        self.ui.cancelButton.setEnabled(busy)

    def cancel(self, *, cancel_export: bool = True) -> None:
        """Cancel whatever runs: the composite and the scene search. ``cancel_export``: an Earth Engine export
        task of the composite is cancelled too (the Cancel button); False leaves it running on Earth Engine for
        the next run to pick up (the plugin unloading, QGIS closing)."""
        self.cancel_run(cancel_export=cancel_export)
        task = self._search_task
        if task is not None and not sip.isdeleted(task):
            task.cancel()

    def cancel_run(self, *, cancel_export: bool = True) -> None:
        """Ask the running composite (if any) to stop; the outcome arrives through the task. ``cancel_export``:
        see ``cancel``."""
        task = self._task
        if task is None or sip.isdeleted(task):
            return
        task.cancel_export = cancel_export
        self.ui.cancelButton.setEnabled(False)
        self.ui.statusLabel.setText(tr("Cancelling..."))
        # A task still queued is finished (cancelled) inside cancel() itself, so update the widgets first.
        task.cancel()

    def _finish(self) -> None:
        self._task = None  # the task manager deletes the task once finished() returns
        self._update_buttons()
        self.ui.progressBar.hide()  # the status line says how it ended

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
            parts.append(tr("{0} left").format(format_duration(elapsed * (100 - percent) / percent)))
        if parts:
            self.ui.statusLabel.setText(" · ".join(parts))

    def _on_succeeded(self, result: CompositeResult) -> None:
        self._finish()
        used = len(result.plan.scenes)
        # The output path goes in the tooltip: a long path would widen the dock.
        status = tr("%n scene(s) used; {0:.0%} of their scored pixels were clear.", "", used).format(
            result.clear_fraction
        )
        if result.plan.skipped:
            status += "\n" + tr("%n scene(s) without the QA band skipped (see the log).", "", len(result.plan.skipped))
        self.ui.statusLabel.setText(status)
        self.ui.statusLabel.setToolTip(tr("Outcome of the last run.\nOutput: {0}").format(result.output))
        self.preview.clear()  # the result is what to look at now
        group_name, request = self.group_name(result), self._last_request
        # The tooltip's title: the area with its tiles (a dozen at most: it is one line) and the exact dates.
        area = ", ".join(filter(None, (self._aoi_label, tiles_name((s.tile for s in result.plan.scenes), most=12))))
        title = tr("{0}, {1} .. {2} (end excluded)").format(area or group_name, request.start, request.end)
        try:
            self.composite_panel.load_result(result, group_name, title, self._aoi_text, request.excluded_scenes)
        except Exception as error:  # noqa: BLE001 (the file is written: say where, whatever went wrong)
            self._notify(
                tr("The composite was written to {0} but could not be added to the project: {1}").format(
                    result.output, error
                ),
                Qgis.MessageLevel.Critical,
                error,
            )
            return
        self._read_fetched_scores(result)
        self._notify(
            tr("{0}: %n scene(s), {1:.0%} clear, added to the project.", "", used).format(
                group_name, result.clear_fraction
            ),
            Qgis.MessageLevel.Success,
        )

    def _read_fetched_scores(self, result: CompositeResult) -> None:
        """When the table lacks scores (Earth Engine), read them from what the run just fetched, quietly. After a
        run on Earth Engine's servers nothing was fetched: the table says so and keeps no fractions."""
        search = self.scene_model.search
        if search is None or search.grid is not None or self.is_searching() or self._last_source is None:
            return
        request = self._last_request
        if self.scenes_panel.stale or not self.scenes_panel.matches(request.qa_band, self._last_aoi_key):
            return  # the table is of another AOI or QA band than the run
        if result.plan.engine in (SERVERS, EXPORT):  # computed by Earth Engine: no score was downloaded
            self.scenes_panel.show_servers_composited()
            return
        task = FetchedScoresTask(
            self._last_source,
            result.plan.scenes,
            request.qa_band,
            result.plan.grid,
            request.clip,
            request.aoi_crs,
        )
        task.succeeded.connect(self._on_fetched_scores_read)
        task.failed.connect(self._on_fetched_scores_failed)
        task.cancelled.connect(self._search_ended)
        self._search_task = task
        self._update_buttons()
        QgsApplication.taskManager().addTask(task)

    def _on_fetched_scores_failed(self, error: Exception) -> None:
        """Quietly: the run's outcome stays in the status; the table keeps showing no fractions."""
        self._search_ended()
        log.warning(tr("The scores the run fetched could not be read for the scene table: %s"), error)

    def _on_fetched_scores_read(self, scores: SceneSearch) -> None:
        self._search_ended()
        self.scenes_panel.show_fetched_scores(scores)

    def _on_cancelled(self) -> None:
        self._finish()
        self.ui.progressBar.setValue(0)
        self.ui.statusLabel.setText(tr("Cancelled"))
        self._notify(tr("Composite cancelled: nothing was written."), Qgis.MessageLevel.Info)

    def _on_failed(self, error: Exception) -> None:
        self._finish()
        self._report_failure(error, tr("Composite failed"))

    def _report_failure(self, error: Exception, what: str) -> None:
        """A task's failure in the status and the message bar: bad input (``InputError``, e.g. found while
        planning) as a warning, anything else as a critical message with its traceback in the log."""
        self.ui.progressBar.setValue(0)
        if isinstance(error, InputError):  # its field is marked, as for a refusal
            self._refuse(error)
        else:
            # Expected failures (a damaged scene, a full disk, Earth Engine's refusals) carry their whole story in
            # the message: no traceback in the log for them, only for what the plugin did not foresee. One item:
            # the next failure replaces it, the next search or run that starts takes it away.
            message = tr("{0}: {1}").format(what, error)  # the core's message (English) after what failed
            unforeseen = None if isinstance(error, CloudScoreError) else error
            self.feedback.report(FAILURE, message, Qgis.MessageLevel.Critical, error=unforeseen)

    # ---- results (the CompositePanel's) ---------------------------------------------------------------

    def result_layers(self) -> Optional[CompositeLayers]:
        """The layers of the last result still in the project, or None."""
        return self.composite_panel.result_layers()

    # ---- settings and help --------------------------------------------------------------------------

    def save_settings(self) -> None:
        """Remember every field (and the QA band)."""
        self.settings.save()
        set_setting("qa_band", self.ui.qaBandCombo.currentText())

    def reset_to_defaults(self) -> None:
        """Put every field back to its default, forget the AOI rectangles and empty the scene table."""
        self.scenes_panel.clear()  # first: no table to update for the new fields
        self.settings.reset()
        self.aoi_panel.forget_rectangles()
        set_setting("qa_band", "")
        self.ui.qaBandCombo.setCurrentIndex(-1)
        self.scenes_panel.clear()  # at the threshold's default
        self.source_panel.reset()
        self._source_changed()  # the engine choice of the default source
        self.aoi_panel.output_crs_changed()  # its tooltip too (updates the AOI)
        self.feedback.clear_all()  # the fields they were about are back to their defaults
        self.ui.statusLabel.clear()  # nor is the last outcome (or error) about these fields
        self.ui.statusLabel.setToolTip("")

    def help_url(self, anchor: str = HELP_ANCHOR) -> QUrl:
        """The plugin's help (HTML built from the README) at ``anchor``, a heading's GitHub-style anchor."""
        return help_url(anchor)

    def open_help(self, anchor: str = HELP_ANCHOR) -> None:
        """Show the plugin's help in its own window (no web browser needed) at ``anchor``, by default the dock's
        section."""
        viewer = self.findChild(HelpViewer)
        if viewer is None:
            viewer = HelpViewer(self)
        viewer.show_section(anchor)

    @property
    def feedback(self) -> FieldFeedback:
        """The problems shown: marked fields, the status line, one message bar item each (``FieldFeedback``)."""
        return self._feedback

    def _refuse(self, error: CloudScoreError) -> None:
        """Say why nothing was started (bad input, Earth Engine not set up...): the field is marked, the status line
        says why, and the message bar holds one item for that field (replacing the one of an earlier refusal)."""
        set_up = isinstance(error, SetupError) or getattr(error, "field", None) == AUTHENTICATION
        how_to = (translated(HOW_TO_SET_UP), lambda: self.open_help(SETUP_HELP_ANCHOR)) if set_up else None
        self.feedback.report_error(error, Qgis.MessageLevel.Warning, help_button=how_to)

    def _notify(self, text: str, level, error: Optional[BaseException] = None) -> None:
        """Show ``text`` in the message bar and keep it in the message log (with the traceback of ``error``)."""
        exc_info = (type(error), error, error.__traceback__) if error is not None else None
        log.log(python_level(level), text, exc_info=exc_info)
        duration = 0 if level == Qgis.MessageLevel.Critical else MESSAGE_DURATION_S
        self.iface.messageBar().pushMessage(TAG, text, level, duration)

    # ---- showing and closing ------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Read the folder the first time the panel is shown with a folder not read yet; outline the AOI; the first
        time in a session, widen the panel to its fields' natural width if QGIS gave it less."""
        super().showEvent(event)
        self.source_panel.refresh_soon()
        self.update_aoi()
        if not self._width_fitted:
            self._width_fitted = True
            QTimer.singleShot(0, self.fit_width)  # once QGIS has laid out its dock areas

    def preferred_width(self) -> int:
        """The width the panel opens at (pixels): what its form asks for, and at least ``COMFORTABLE_CHARACTERS``
        of the dock's font, so that choices such as "Rectangle drawn on the map" read whole (the fields shrink
        below that down to the form's minimum when the user narrows the panel)."""
        return max(self.sizeHint().width(), COMFORTABLE_CHARACTERS * self.fontMetrics().averageCharWidth())

    def fit_width(self) -> None:
        """Widen the docked panel to ``preferred_width``, never narrow it: a main window remembers dock widths from
        an older layout, and QGIS opens a new dock narrower than its fields."""
        window = self.parentWidget()
        wanted = self.preferred_width()
        if isinstance(window, QMainWindow) and not self.isFloating() and self.width() < wanted:
            window.resizeDocks([self], [wanted], Qt.Orientation.Horizontal)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """When the panel is closed: remove the mask preview and the AOI outline, stop drawing."""
        super().hideEvent(event)
        # Not when QGIS's window is only minimised, nor when another panel of the dock's tab group is raised
        # (the dock is then covered, not hidden).
        if not event.spontaneous() and self.isHidden():
            self.release_canvas()

    def release_canvas(self) -> None:
        """Remember the fields; take the preview layer, the AOI outline and the drawing tool off the canvas."""
        self.save_settings()
        self.preview.clear()
        self.aoi_panel.release()

    def unload(self) -> None:
        """Before the plugin unloads: cancel what runs (an Earth Engine export task goes on, for the next run to
        pick up), clean the canvas, remove the rubber band for good."""
        self.cancel(cancel_export=False)
        self.release_canvas()
        self.aoi_panel.unload()
