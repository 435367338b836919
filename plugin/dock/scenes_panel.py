"""The dock's scene panel: the clear threshold, the scene table of the last search and the mask preview. It owns
those widgets of the dock's form; the dock runs the searches and gives it their outcome."""

from typing import Dict, Optional

from qgis.PyQt.QtCore import QObject, QT_TR_NOOP, Qt
from qgis.PyQt.QtWidgets import QHeaderView, QWidget

from ..core.engines import format_estimates
from ..core.pipeline import DEFAULT_THRESHOLD
from ..core.scene_stats import SceneSearch, scored_scenes
from ..translation import tr, translated
from .text import show_message
from .scene_table import CLOUDY, DATE, ORBIT, PLATFORM, SCENE_ID_ROLE, SCORE, SceneTableModel, sortable
from .threshold_preview import MaskPreview

SCORES_AFTER_RUN = QT_TR_NOOP(" Clear fractions need the scores, which a run on this computer downloads.")
SCORES_READ = QT_TR_NOOP(" Clear fractions from the scores the run fetched (ticked scenes).")
SCORES_ON_SERVERS = QT_TR_NOOP(
    " Clear fractions unknown: Earth Engine's servers composited, no score was downloaded (a run "
    "on this computer downloads them).",
)
STALE = QT_TR_NOOP(
    "The QA band or the area changed since the scenes were found: find scenes again to update the table."
)


class ScenesPanel(QObject):
    """The threshold (``thresholdSlider``, ``thresholdSpinBox``), the scene table (``sceneTableView``,
    ``sceneStatusLabel``) and the mask preview (``previewCheckBox``) of the dock's form.

    Moving the threshold recomputes the clear fractions from the scores kept and redraws the preview. A table
    marked stale (its scores are for another QA band or AOI than the widgets') says so and shows no preview.
    """

    def __init__(self, ui, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.ui = ui
        self.preview = MaskPreview()
        self.model = SceneTableModel(self)
        self.proxy = sortable(self.model, self)
        self.summary = ""  # what the last search found, shown under the table
        self.searched_aoi: Optional[tuple] = None  # AoiPanel.key() of the last search
        self.stale = False

    # ---- construction -------------------------------------------------------------------------------

    def fill_widgets(self) -> None:
        """The threshold's default (its clear button) and the table's model, sorting and headers."""
        self.ui.thresholdSpinBox.setClearValue(DEFAULT_THRESHOLD)
        self.ui.thresholdSpinBox.setShowClearButton(True)
        table = self.ui.sceneTableView
        table.setModel(self.proxy)
        table.sortByColumn(DATE, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

    def remembered_widgets(self) -> Dict[str, QWidget]:
        """Settings key -> widget of the threshold and the preview switch."""
        return {"threshold": self.ui.thresholdSpinBox, "preview_mask": self.ui.previewCheckBox}

    def start(self) -> None:
        """After the settings are restored: connect; the slider follows the restored threshold."""
        ui = self.ui
        ui.thresholdSlider.valueChanged.connect(self._slider_moved)
        ui.thresholdSpinBox.valueChanged.connect(self._threshold_changed)
        ui.previewCheckBox.toggled.connect(lambda _on: self.update_preview())
        ui.sceneTableView.selectionModel().selectionChanged.connect(lambda *_: self.update_preview())
        self.model.dataChanged.connect(self._ticks_changed)
        self._threshold_changed(ui.thresholdSpinBox.value())

    # ---- threshold ----------------------------------------------------------------------------------

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
        self.model.set_threshold(self.threshold())
        self.update_preview()

    # ---- the table ----------------------------------------------------------------------------------

    @property
    def search(self) -> Optional[SceneSearch]:
        """The search the table shows, or None."""
        return self.model.search

    def show_search(self, search: SceneSearch, aoi_key: Optional[tuple]) -> None:
        """Fill the table with ``search`` (made over the AOI of ``aoi_key``) and say what it found."""
        self.searched_aoi = aoi_key
        self.preview.clear()
        self.model.set_search(search, self.threshold())
        # A folder's scenes often lack platform and cloud cover: no empty columns.
        self.ui.sceneTableView.setColumnHidden(PLATFORM, not any(s.platform for s in search.scenes))
        self.ui.sceneTableView.setColumnHidden(ORBIT, all(s.orbit is None for s in search.scenes))
        self.ui.sceneTableView.setColumnHidden(CLOUDY, all(s.cloudy_percentage is None for s in search.scenes))
        count = len(search.scenes)
        text = tr("%n scene(s) found.", "", count)
        unscored = count - len(scored_scenes(search.scenes, search.qa_band))
        # "Has a score" says something only when some scene has none (the line below the table says how many).
        self.ui.sceneTableView.setColumnHidden(SCORE, unscored == 0)
        self.ui.sceneTableView.resizeColumnsToContents()
        if unscored:
            text += tr(" {0} without the QA band {1} (they will be skipped).").format(unscored, search.qa_band)
        if search.grid is None:
            text += translated(SCORES_AFTER_RUN)
        if search.estimate:  # engine -> FetchEstimate
            text += tr(" Download: {0}.").format(format_estimates(search.estimate))
        self.summary = text
        self.set_stale(False)
        if count:
            self.ui.sceneTableView.selectRow(0)

    def show_fetched_scores(self, scores: SceneSearch) -> None:
        """Take the scores a run fetched (Earth Engine): fractions and preview for the ticked scenes."""
        self.model.set_scores(scores)
        self.summary = self.summary.replace(translated(SCORES_AFTER_RUN), translated(SCORES_READ))
        self._ticks_changed(self.model.index(0, DATE), None)

    def show_servers_composited(self) -> None:
        """After a run on Earth Engine's servers: nothing was fetched, the table keeps "–" and says why."""
        if translated(SCORES_AFTER_RUN) not in self.summary:
            return
        self.summary = self.summary.replace(translated(SCORES_AFTER_RUN), translated(SCORES_ON_SERVERS))
        if not self.stale:
            self._ticks_changed(self.model.index(0, DATE), None)

    def matches(self, qa_band: str, aoi_key: Optional[tuple]) -> bool:
        """True when the table's scores are for this QA band and AOI."""
        return self.search is not None and self.search.qa_band == qa_band and aoi_key == self.searched_aoi

    def set_stale(self, stale: bool) -> None:
        """Mark the table stale (a message, no preview) or current again."""
        self.stale = stale
        self.ui.previewCheckBox.setEnabled(not stale)
        if stale:
            self.preview.clear()
            show_message(self.ui.sceneStatusLabel, translated(STALE), error=True)
        else:
            show_message(self.ui.sceneStatusLabel, self.summary, error=False)
            self.update_preview()

    def clear(self) -> None:
        """Empty the table, its message and the preview."""
        self.model.set_search(None, self.threshold())
        self.summary = ""
        self.set_stale(False)

    def _ticks_changed(self, top_left, _bottom_right, _roles=()) -> None:
        if top_left.column() != DATE or self.stale:
            return  # only the tick column says which scenes are used; a stale table keeps saying it is stale
        used, found = len(self.model.included_scenes()), len(self.model.scenes)
        ticked = "" if used == found else tr(" {0} of {1} ticked for the composite.").format(used, found)
        show_message(self.ui.sceneStatusLabel, self.summary + ticked, error=used == 0)

    # ---- selection and preview ----------------------------------------------------------------------

    def selected_scene_id(self) -> Optional[str]:
        """The ``scene_id`` of the selected row of the scene table, or None."""
        rows = self.ui.sceneTableView.selectionModel().selectedRows()
        return rows[0].data(SCENE_ID_ROLE) if rows else None

    def select_scene(self, scene_id: str) -> None:
        """Select the row of ``scene_id`` (its mask is previewed)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, DATE).data(SCENE_ID_ROLE) == scene_id:
                self.ui.sceneTableView.selectRow(row)
                return

    def update_preview(self) -> None:
        """Show the selected scene's mask at the current threshold (or remove the preview)."""
        search, scene_id = self.search, self.selected_scene_id()
        shown = self.ui.previewCheckBox.isChecked() and self.ui.previewCheckBox.isEnabled()
        if not shown or search is None or scene_id is None:
            self.preview.clear()
            return
        self.preview.show(search, scene_id, self.threshold())
