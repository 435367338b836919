"""The dock's inline feedback: a refused Find scenes or Run marks the field at fault and says why in the status
line, and QGIS's message bar holds one item per problem, which the dock takes away once the problem is fixed.

A problem is keyed by the field an ``InputError`` names (its Processing parameter name: ``EXTENT``, ``OUTPUT``...;
``AUTHENTICATION`` for the Earth Engine settings' *Authentication*, which no algorithm has). ``field_widgets`` maps
it to the dock's widgets: the ones marked (a red outline, the message as their tooltip) and the ones whose change
means the user is fixing it (the mark and the message bar item go at once; the next refusal says what is still
wrong).
"""

import logging
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from qgis.core import Qgis
from qgis.gui import (
    QgsAuthConfigSelect,
    QgsCheckableComboBox,
    QgsCollapsibleGroupBoxBasic,
    QgsFileWidget,
    QgsMapLayerComboBox,
    QgsMessageBar,
    QgsMessageBarItem,
    QgsProjectionSelectionWidget,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from ..core.errors import CloudScoreError, InputError
from ..qgis_logging import TAG, python_level
from .aoi import ALL_SCENES, CANVAS, DRAWN, LAYER, TYPED
from .text import sentence

try:  # the Earth Engine source is optional (see source_panel)
    from ..core.earthengine.errors import AuthError
except ImportError:  # pragma: no cover
    AuthError = None

log = logging.getLogger(__name__)

AUTHENTICATION = "AUTHENTICATION"
"""The Earth Engine settings' *Authentication* field (the dock's own: the algorithms read the same setting)."""
OTHER = "OTHER"
"""A refusal that names no field (e.g. a scene that cannot be read while planning)."""
FAILURE = "FAILURE"
"""A background task's failure that is not bad input."""
SEARCH_FIELDS = frozenset(
    {"INPUT", "COLLECTION", "PROJECT", AUTHENTICATION, "START_DATE", "END_DATE", "EXTENT", "QA_BAND", OTHER, FAILURE}
)
"""What a search checks: once Find scenes starts, these problems are gone (the others wait for Run)."""

MARK_PROPERTY = "cloudscoreProblem"
MARK_STYLE = f'*[{MARK_PROPERTY}="true"] {{ border: 1px solid #c00000; border-radius: 2px; }}'
"""The red outline of a marked field: only the widget carrying the property, not its children."""
MESSAGE_DURATION_S = 8
"""Seconds a message bar item stays (QGIS's own default); a critical one stays until dismissed."""


@dataclass
class FieldWidgets:
    """The dock's widgets of a field: ``marked`` get the outline and the message; a change of one of ``watched``
    (the marked ones too) means the user is fixing the problem, and so does one of ``signals`` unless ``same()``
    says the value is still the one refused."""

    marked: List[QWidget] = field(default_factory=list)
    watched: List[QWidget] = field(default_factory=list)
    signals: list = field(default_factory=list)
    same: Callable[[], bool] = lambda: False


@dataclass
class _Problem:
    item: Optional[QgsMessageBarItem]
    status: str
    marked: List[Tuple[QWidget, str]]  # (widget, its own tooltip)
    tip: str  # the tooltip the marked widgets were given
    connections: List[tuple]  # (bound signal, slot)


def aoi_widgets(ui, kind: str) -> List[QWidget]:
    """The widgets that give the AOI of ``kind`` (one of ``aoi.AOI_KINDS``)."""
    return {
        ALL_SCENES: [ui.aoiKindCombo],
        CANVAS: [ui.canvasExtentButton],
        DRAWN: [ui.drawButton],
        LAYER: [ui.layerCombo],
        TYPED: [ui.boundsLineEdit, ui.boundsCrsWidget],
    }.get(kind, [ui.aoiKindCombo])


def field_widgets(dock, name: str) -> FieldWidgets:
    """The widgets of ``dock`` (a ``CompositeDock``) that hold the field ``name``; none for a field the dock does not
    show (e.g. ``THREADS``)."""
    ui = dock.ui
    if name == "EXTENT":  # the AOI widgets of the kind chosen; choosing another kind fixes it too
        marked = aoi_widgets(ui, dock.aoi_kind())
        watched = marked + [ui.aoiKindCombo, ui.selectedOnlyCheckBox]
        refused = dock.aoi_panel.key()
        # The AOI is updated at many a change (the resolution, the canvas CRS): only another AOI counts, e.g. the
        # features selected in the layer.
        return FieldWidgets(marked, watched, [dock.aoi_panel.changed], lambda: dock.aoi_panel.key() == refused)
    if name == AUTHENTICATION:
        box = dock.earth_engine_settings
        return FieldWidgets([box.authConfigSelect] if box is not None else [])
    dates = [ui.startDateEdit, ui.endDateEdit]  # either date fixes an order that is wrong
    single = {
        "INPUT": [ui.folderWidget],
        "COLLECTION": [ui.collectionCombo],
        "PROJECT": [ui.projectLineEdit],
        "QA_BAND": [ui.qaBandCombo],
        "THRESHOLD": [ui.thresholdSpinBox],
        "SCENES": [ui.sceneTableView],
        "ENGINE": [ui.engineCombo],
        "BUCKET": [ui.bucketLineEdit],
        "METHOD": [ui.methodCombo],
        "PERCENTILES": [ui.percentilesLineEdit],
        "BANDS": [ui.bandsCombo],
        "FORMAT": [ui.formatCombo],
        "COMPRESSION": [ui.formatCombo],
        "ORBITS": [ui.orbitsCombo],
        "SEAM_WEIGHTS": [ui.orbitsCombo],
        "SEAM_POWER": [ui.orbitsCombo],
        "OUTPUT": [ui.outputFolderWidget, ui.outputNameLineEdit],
        "RESOLUTION": [ui.resolutionSpinBox],  # e.g. an output too large at that resolution
        "CRS": [ui.outputCrsWidget],
    }
    if name in ("START_DATE", "END_DATE"):
        return FieldWidgets([ui.startDateEdit if name == "START_DATE" else ui.endDateEdit], dates)
    watched_too = {"THRESHOLD": [ui.thresholdSlider], "PERCENTILES": [ui.methodCombo], "ENGINE": [ui.sourceCombo]}
    marked = single.get(name, [])
    return FieldWidgets(marked, marked + watched_too.get(name, []))


def changed_signals(widget: QWidget) -> list:
    """The signals of ``widget`` that say its value changed."""
    if isinstance(widget, QgsFileWidget):
        return [widget.fileChanged]
    if isinstance(widget, QgsProjectionSelectionWidget):
        return [widget.crsChanged]
    if isinstance(widget, QgsAuthConfigSelect):
        return [widget.selectedConfigIdChanged]
    if isinstance(widget, QgsCheckableComboBox):
        return [widget.checkedItemsChanged]
    if isinstance(widget, QgsMapLayerComboBox):
        return [widget.layerChanged]
    if isinstance(widget, QComboBox):
        return [widget.currentIndexChanged]
    if isinstance(widget, QLineEdit):
        return [widget.textChanged]
    if isinstance(widget, QDateTimeEdit):
        return [widget.dateTimeChanged]
    if isinstance(widget, (QAbstractSpinBox, QAbstractSlider)) and hasattr(widget, "valueChanged"):
        return [widget.valueChanged]
    if isinstance(widget, QAbstractButton):
        return [widget.toggled if widget.isCheckable() else widget.clicked]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        return [widget.model().dataChanged, widget.model().modelReset]
    return []


def outlined_part(widget: QWidget) -> QWidget:
    """The part of ``widget`` that gets the outline: the line edit or combo box of a compound widget."""
    if isinstance(widget, QgsFileWidget):
        return widget.lineEdit()
    if isinstance(widget, (QgsProjectionSelectionWidget, QgsAuthConfigSelect)):
        return widget.findChild(QComboBox) or widget
    return widget


def reveal(widget: QWidget) -> None:
    """Bring ``widget`` into view: the tab page holding it raised, folded groups around it unfolded, scrolled to."""
    ancestors = []
    parent = widget.parentWidget()
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parentWidget()
    for ancestor in reversed(ancestors):  # outermost first: a tab raised before its scroll area scrolls
        if isinstance(ancestor, QTabWidget):
            for index in range(ancestor.count()):
                if ancestor.widget(index).isAncestorOf(widget):
                    ancestor.setCurrentIndex(index)
        elif isinstance(ancestor, QgsCollapsibleGroupBoxBasic):
            ancestor.setCollapsed(False)
    for ancestor in ancestors:
        if isinstance(ancestor, QScrollArea):
            ancestor.ensureWidgetVisible(widget)


def problem_of(error: CloudScoreError) -> Tuple[str, str, str]:
    """``(field, message, details)`` of an error that stopped a search or a run: an ``InputError``'s field and
    message (``details``: a longer explanation some carry, see ``earthengine_setup.SetupError``), Earth Engine
    credentials that cannot be read as ``AUTHENTICATION``, anything else as ``OTHER``."""
    if isinstance(error, InputError):
        return error.field, error.message, getattr(error, "details", "")
    if AuthError is not None and isinstance(error, AuthError):
        return AUTHENTICATION, str(error), ""
    return OTHER, str(error), ""


class FieldFeedback(QObject):
    """The problems a dock shows: per key (a field, ``OTHER``, ``FAILURE``), the marked widgets, the status line
    and the one message bar item pushed for it.

    Args:
        message_bar: QGIS's message bar (``iface.messageBar()``).
        status_label: the dock's status line.
        widgets: the ``FieldWidgets`` of a field (``lambda name: field_widgets(dock, name)``).
    """

    def __init__(
        self,
        message_bar: QgsMessageBar,
        status_label: QLabel,
        widgets: Callable[[str], FieldWidgets],
        parent: Optional[QObject] = None,
    ):
        super().__init__(parent)
        self.message_bar = message_bar
        self.status_label = status_label
        self.widgets = widgets
        self._problems: Dict[str, _Problem] = {}

    # ---- showing a problem --------------------------------------------------------------------------

    def report_error(
        self,
        error: CloudScoreError,
        level=Qgis.MessageLevel.Warning,
        *,
        help_button: Optional[Tuple[str, Callable[[], None]]] = None,
    ) -> QgsMessageBarItem:
        """Show why ``error`` stopped a search or a run (see ``problem_of`` and ``report``)."""
        name, message, details = problem_of(error)
        return self.report(name, message, level, details=details, help_button=help_button)

    def report(
        self,
        key: str,
        text: str,
        level=Qgis.MessageLevel.Warning,
        *,
        details: str = "",
        help_button: Optional[Tuple[str, Callable[[], None]]] = None,
        error: Optional[BaseException] = None,
    ) -> QgsMessageBarItem:
        """Mark the widgets of ``key``, put ``text`` in the status line and one message bar item (replacing the
        one pushed for ``key`` before); log it with ``details`` (and the traceback of ``error``).

        Args:
            key: a field name, ``OTHER`` or ``FAILURE``.
            text: the short message.
            level: ``Qgis.MessageLevel``; a critical item stays until dismissed or fixed.
            details: a longer explanation: in the log and the tooltips only.
            help_button: ``(label, slot)`` of a button in the message bar item, e.g. *How to set up*.
            error: an unforeseen exception whose traceback goes to the log.
        """
        self.clear(key)
        exc_info = (type(error), error, error.__traceback__) if error is not None else None
        log.log(python_level(level), "%s", f"{text}\n{details}" if details else text, exc_info=exc_info)
        status = sentence(text)
        tip = details or text
        marked = []
        connections = []
        widgets = self.widgets(key) if key not in (OTHER, FAILURE) else FieldWidgets()
        for widget in widgets.marked:
            for other in [k for k, p in self._problems.items() if any(w is widget for w, _tip in p.marked)]:
                self.clear(other)  # the newer problem of that widget says what is wrong now
            marked.append((widget, widget.toolTip()))
            self._mark(widget, tip)
        if widgets.marked:
            reveal(widgets.marked[0])
        watched = list(widgets.watched) + [w for w in widgets.marked if w not in widgets.watched]
        slot = lambda *_args, k=key: self.clear(k)  # noqa: E731 (kept to disconnect it)
        for signal in [s for w in watched for s in changed_signals(w)]:
            signal.connect(slot)
            connections.append((signal, slot))
        if widgets.signals:
            other = lambda *_args, k=key, same=widgets.same: same() or self.clear(k)  # noqa: E731
            for signal in widgets.signals:
                signal.connect(other)
                connections.append((signal, other))
        self.status_label.setText(status)
        self.status_label.setToolTip(tip)
        item = self._push(text, level, tip, help_button)
        self._problems[key] = _Problem(item, status, marked, tip, connections)
        return item

    def _push(self, text, level, tip, help_button) -> QgsMessageBarItem:
        duration = 0 if level == Qgis.MessageLevel.Critical or help_button else MESSAGE_DURATION_S
        if help_button is not None:
            label, slot = help_button
            button = QPushButton(label, self.message_bar)  # owned by Qt (the item takes it), not by Python
            button.clicked.connect(slot)
            item = QgsMessageBarItem(TAG, text, button, level, duration)
        else:
            item = QgsMessageBarItem(TAG, text, level, duration)
        item.setToolTip(tip)
        self.message_bar.pushItem(item)
        return item

    @staticmethod
    def _mark(widget: QWidget, tip: str) -> None:
        part = outlined_part(widget)
        part.setProperty(MARK_PROPERTY, True)
        if MARK_STYLE not in part.styleSheet():
            part.setStyleSheet(f"{part.styleSheet()}\n{MARK_STYLE}".strip())
        widget.setToolTip(tip)
        if part is not widget:
            part.setToolTip(tip)

    @staticmethod
    def _unmark(widget: QWidget, tip: str, shown: str) -> None:
        """Take the outline away; put back the widget's own ``tip`` unless its tooltip was changed since it was
        given ``shown`` (e.g. a sanity hint of the AOI panel, which is newer)."""
        if sip.isdeleted(widget):
            return
        part = outlined_part(widget)
        part.setProperty(MARK_PROPERTY, False)
        part.setStyleSheet(part.styleSheet().replace(MARK_STYLE, "").strip())
        for shown_on in {widget, part}:
            if shown_on.toolTip() == shown:
                shown_on.setToolTip(tip)

    # ---- taking it away -----------------------------------------------------------------------------

    def clear(self, *keys: str) -> None:
        """The problems of ``keys`` are fixed: unmark their widgets, pop their message bar items and empty the
        status line when it still shows one of them."""
        for key in keys:
            problem = self._problems.pop(key, None)
            if problem is None:
                continue
            for signal, slot in problem.connections:
                try:
                    signal.disconnect(slot)
                except (TypeError, RuntimeError):  # its widget is gone
                    pass
            for widget, tip in problem.marked:
                self._unmark(widget, tip, problem.tip)
            item = problem.item
            if item is not None and not sip.isdeleted(item) and item in self.message_bar.items():
                self.message_bar.popWidget(item)
            if not sip.isdeleted(self.status_label) and self.status_label.text() == problem.status:
                self.status_label.setText("")
                self.status_label.setToolTip("")

    def clear_all(self) -> None:
        """Every problem is fixed (or no longer relevant, e.g. after a reset)."""
        self.clear(*list(self._problems))

    def passed(self, keys: Iterable[str]) -> None:
        """A search (``SEARCH_FIELDS``) or a run (every field) got past its checks: those problems are gone."""
        self.clear(*[key for key in list(self._problems) if key in keys])

    # ---- what is shown (for tests and the dock) -----------------------------------------------------

    def problems(self) -> List[str]:
        """The keys of the problems shown, oldest first."""
        return list(self._problems)

    def item(self, key: str) -> Optional[QgsMessageBarItem]:
        """The message bar item of ``key`` while it is in the bar, else None."""
        problem = self._problems.get(key)
        item = problem.item if problem is not None else None
        if item is None or sip.isdeleted(item) or item not in self.message_bar.items():
            return None
        return item


def is_marked(widget: QWidget) -> bool:
    """True while ``widget`` carries a problem's outline."""
    return bool(outlined_part(widget).property(MARK_PROPERTY))
