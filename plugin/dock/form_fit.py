"""How the dock's form fits a laptop screen: tab pages that scroll vertically only, stacked pages sized to the page
shown, a minimum width that holds every field, and a mouse wheel that scrolls the form instead of changing the
value under the pointer.

Qt's own widgets take wheel events whenever the pointer is over them (a combo box even takes focus from the wheel),
so scrolling a long form turns median into mean or 0.30 into 0.27. ``QgsScrollArea`` only shields its children
while a scroll is already under way; ``guard_wheel`` closes the rest: value widgets take focus by click or Tab only
and pass the wheel on to the form while they do not have it.
"""

from typing import Iterable, Sequence

from qgis.gui import QgsScrollArea
from qgis.PyQt.QtCore import QEvent, QObject, Qt
from qgis.PyQt.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLayout,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QWidget,
)

VALUE_WIDGETS = (QComboBox, QAbstractSpinBox, QAbstractSlider)
"""The widgets whose value the wheel changes (QgsDoubleSpinBox, QDateEdit, QgsCheckableComboBox... derive from
these)."""


class WheelGuard(QObject):
    """Event filter: a wheel event over a value widget without focus is left to its parents (the scroll area)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """True (the widget does not see it) for a wheel event while ``watched`` has no focus; the event is ignored
        so Qt hands it on to the parent widgets, and the form scrolls."""
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()
            return True
        return False


def guard_wheel(root: QWidget, guard: WheelGuard) -> int:
    """Give every value widget under ``root`` a click/Tab focus policy and ``guard`` as its wheel filter.

    Returns:
        the number of widgets guarded (a test's check that the form has any).
    """
    widgets = [w for w in root.findChildren(QWidget) if isinstance(w, VALUE_WIDGETS)]
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel never gives focus
        widget.installEventFilter(guard)
    return len(widgets)


def scrolling_pages(tabs: QTabWidget) -> None:
    """Put each page of ``tabs`` in a ``QgsScrollArea`` that scrolls vertically only, at least as wide as the
    page's fields need: the dock then opens wide enough for them and never shows a horizontal scrollbar."""
    scrollbar = tabs.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    tabs.setUsesScrollButtons(False)  # every step's tab in view: the tab bar's width is part of the dock's minimum
    widest = 0
    shown = tabs.currentIndex()
    for index in range(tabs.count()):
        page, title, tooltip = tabs.widget(index), tabs.tabText(index), tabs.tabToolTip(index)
        tabs.removeTab(index)
        scroll = QgsScrollArea()
        scroll.setObjectName(f"{page.objectName()}Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        tabs.insertTab(index, scroll, title)
        tabs.setTabToolTip(index, tooltip)
        widest = max(widest, widest_minimum(page))
    for index in range(tabs.count()):
        tabs.widget(index).setMinimumWidth(widest + scrollbar)
    tabs.setCurrentIndex(shown)  # taking pages out and in moved it


def wrap_long_rows(root: QWidget, stacks: Sequence[QStackedWidget] = ()) -> None:
    """Let every form under ``root`` put a field below its label when both do not fit side by side, so a narrow
    dock needs the widest label or field, not their sum.

    Forms on the pages of ``stacks`` keep their rows: a wrapping form has a height for each width, and a stacked
    widget is as tall as the tallest such page, shown or not (``QStackedLayout::heightForWidth``), which would size
    the folder page for the Earth Engine one.
    """
    for form in root.findChildren(QFormLayout):
        owner = form.parentWidget()
        if not any(stack.isAncestorOf(owner) for stack in stacks):
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)


def widest_minimum(page: QWidget) -> int:
    """The minimum width ``page`` needs whichever page its stacked widgets show (pixels), each page laid out in
    turn (the layouts' cached sizes are dropped: they would keep the page shown first)."""

    def measure() -> int:
        for layout in page.findChildren(QLayout):
            layout.invalidate()
        return page.minimumSizeHint().width()

    widest = measure()
    for stack in page.findChildren(QStackedWidget):
        shown = stack.currentIndex()
        for index in range(stack.count()):
            stack.setCurrentIndex(index)
            widest = max(widest, measure())
        stack.setCurrentIndex(shown)
    measure()
    return widest


def page_sized_stacks(stacks: Iterable[QStackedWidget]) -> None:
    """Size each stacked widget to the page it shows, not to its largest page (the folder page of the source is
    two lines, the Earth Engine page a dozen)."""
    for stack in stacks:

        def fit(_index: int = 0, stack: QStackedWidget = stack) -> None:
            for index in range(stack.count()):
                shown = index == stack.currentIndex()
                policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
                stack.widget(index).setSizePolicy(policy, policy)
            stack.adjustSize()

        stack.currentChanged.connect(fit)
        fit()
