"""The scene table of the dock: one row per scene found, tickable, sortable, with its clear fraction in the AOI."""

import dataclasses
from typing import Dict, List, Optional, Set

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, QT_TR_NOOP, Qt

from ..core.pipeline import DEFAULT_THRESHOLD
from ..core.scene import Scene
from ..core.scene_stats import SceneSearch

from ..translation import translated

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SCENE_ID_ROLE = Qt.ItemDataRole.UserRole + 2

DATE, TILE, ORBIT, PLATFORM, CLOUDY, CLEAR, SCORE = range(7)
HEADERS = (
    QT_TR_NOOP("Date"),
    QT_TR_NOOP("Tile"),
    QT_TR_NOOP("Orbit"),
    QT_TR_NOOP("Platform"),
    QT_TR_NOOP("Cloud %"),
    QT_TR_NOOP("Clear in AOI"),
    QT_TR_NOOP("Score"),
)
HEADER_TIPS = (
    QT_TR_NOOP(
        "Acquisition date (the time, UTC, in each row's tooltip). Untick a scene to leave it out of the composite."
    ),
    QT_TR_NOOP("MGRS tile."),
    QT_TR_NOOP(
        "Relative orbit (SENSING_ORBIT_NUMBER); empty when unknown. Tiles of one orbit and datatake are one "
        "acquisition, counted once; with Orbits set to per orbit, each orbit is composited on its own and the orbits "
        "are blended at the seams.",
    ),
    QT_TR_NOOP("Satellite (Sentinel-2A, 2B, 2C)."),
    QT_TR_NOOP("The scene's CLOUDY_PIXEL_PERCENTAGE from its product metadata (whole scene, not the AOI)."),
    QT_TR_NOOP(
        "Share of the scene's scored pixels inside the AOI that are clear (score >= threshold) at the current "
        "QA band and threshold; read from the scores, updated as the threshold moves.",
    ),
    QT_TR_NOOP(
        "Whether the scene has the QA band (a clear score). Scenes without one are skipped, never silently masked.",
    ),
)


class SceneTableModel(QAbstractTableModel):
    """Rows of a ``SceneSearch``: ticked rows are used, unticked ones left out (``excluded_ids``).

    ``set_threshold`` recomputes the clear fractions from the cached scores (nothing is read again).
    """

    def __init__(self, parent=None):
        """An empty table (no search yet), threshold ``DEFAULT_THRESHOLD``."""
        super().__init__(parent)
        self.search: Optional[SceneSearch] = None
        self.scenes: List[Scene] = []
        self.fractions: Dict[str, Optional[float]] = {}
        self.excluded: Set[str] = set()
        self.threshold = DEFAULT_THRESHOLD

    # ---- contents -----------------------------------------------------------------------------------

    def set_search(self, search: Optional[SceneSearch], threshold: float) -> None:
        """Show the scenes of ``search`` (None: empty the table), all ticked, fractions at ``threshold``."""
        self.beginResetModel()
        self.search = search
        self.scenes = list(search.scenes) if search else []
        self.excluded = set()
        self.threshold = threshold
        self.fractions = search.clear_fractions(threshold) if search else {}
        self.endResetModel()

    def set_scores(self, scores: SceneSearch) -> None:
        """Take scores read later (from what a run fetched) for the scenes they cover; rows and ticks stay."""
        if self.search is None:
            return
        self.search = dataclasses.replace(self.search, grid=scores.grid, scores=scores.scores, qa_band=scores.qa_band)
        self.set_threshold(self.threshold)

    def set_threshold(self, threshold: float) -> None:
        """Recompute every scene's clear fraction at ``threshold`` from the scores already read."""
        self.threshold = threshold
        if self.search is None or not self.scenes:
            return
        self.fractions = self.search.clear_fractions(threshold)
        self.dataChanged.emit(self.index(0, CLEAR), self.index(len(self.scenes) - 1, CLEAR))

    def set_included(self, scene_id: str, included: bool) -> None:
        """Tick (``included``) or untick the row of ``scene_id``."""
        row = next(i for i, s in enumerate(self.scenes) if s.scene_id == scene_id)
        self.setData(
            self.index(row, DATE),
            Qt.CheckState.Checked if included else Qt.CheckState.Unchecked,
            Qt.ItemDataRole.CheckStateRole,
        )

    def excluded_ids(self) -> Set[str]:
        """``scene_id``s of the unticked rows."""
        return set(self.excluded)

    def included_scenes(self) -> List[Scene]:
        """The ticked scenes, in time order."""
        return [s for s in self.scenes if s.scene_id not in self.excluded]

    def fraction(self, scene_id: str) -> Optional[float]:
        """Clear fraction 0..1 of ``scene_id`` in the AOI at the current threshold, None when unknown."""
        return self.fractions.get(scene_id)

    # ---- Qt model -----------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        """One row per scene found (a table: no children under a valid ``parent``)."""
        return 0 if parent.isValid() else len(self.scenes)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        """The columns of ``HEADERS``: date, tile, orbit, platform, cloud %, clear in AOI, score."""
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        """Column titles (``HEADERS``) and their tooltips (``HEADER_TIPS``); no row headers."""
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return translated(HEADERS[section])
            if role == Qt.ItemDataRole.ToolTipRole:
                return translated(HEADER_TIPS[section])
        return None

    def flags(self, index):
        """Every cell selectable; the date column also tickable (the scene used or left out)."""
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == DATE:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        """A cell's text, tick (date column), alignment, tooltip (the scene id and time), ``SCENE_ID_ROLE`` (the scene's
        ``scene_id``) or ``SORT_ROLE`` (raw value: ISO time, orbit, cloud %, clear fraction 0..1, -1 when
        unknown)."""
        if not index.isValid():
            return None
        scene = self.scenes[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == DATE:
            return Qt.CheckState.Unchecked if scene.scene_id in self.excluded else Qt.CheckState.Checked
        if role == SCENE_ID_ROLE:
            return scene.scene_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{scene.scene_id}\n{scene.time:%Y-%m-%d %H:%M:%S} UTC"
        if role == SORT_ROLE:
            return self._sort_value(scene, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(scene, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ORBIT, CLOUDY, CLEAR):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Tick or untick a row (``CheckStateRole`` on the date column); False for any other edit."""
        if not index.isValid() or index.column() != DATE or role != Qt.ItemDataRole.CheckStateRole:
            return False
        scene_id = self.scenes[index.row()].scene_id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.excluded.discard(scene_id)
        else:
            self.excluded.add(scene_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def _has_score(self, scene: Scene) -> bool:
        return bool(self.search and self.search.qa_band in scene.band_names)

    def _text(self, scene: Scene, column: int) -> str:
        if column == DATE:  # the day: the table fits a narrow dock; the time (UTC) is in the tooltip
            return scene.time.strftime("%Y-%m-%d")
        if column == TILE:
            return scene.tile or ""
        if column == ORBIT:
            return "" if scene.orbit is None else str(scene.orbit)
        if column == PLATFORM:
            return scene.platform or ""
        if column == CLOUDY:
            return "" if scene.cloudy_percentage is None else f"{scene.cloudy_percentage:.0f}"
        if column == CLEAR:
            fraction = self.fractions.get(scene.scene_id)
            return "–" if fraction is None else f"{fraction:.0%}"
        return "yes" if self._has_score(scene) else "no"

    def _sort_value(self, scene: Scene, column: int):
        if column == DATE:
            return scene.time.isoformat()
        if column in (TILE, PLATFORM):
            return self._text(scene, column)
        if column == ORBIT:
            return -1 if scene.orbit is None else scene.orbit
        if column == CLOUDY:
            return -1.0 if scene.cloudy_percentage is None else float(scene.cloudy_percentage)
        if column == CLEAR:
            fraction = self.fractions.get(scene.scene_id)
            return -1.0 if fraction is None else fraction
        return int(self._has_score(scene))


def sortable(model: SceneTableModel, parent=None) -> QSortFilterProxyModel:
    """A proxy that sorts ``model`` by the raw values (dates, numbers), not their text."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setDynamicSortFilter(True)
    return proxy
