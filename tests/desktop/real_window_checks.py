"""The dock in QGIS's real window at 1280 x 800: a user's journey, checked step by step (issue 16's walk-through).

``tests/desktop/test_real_window.py`` starts QGIS under Xvfb on a 1280 x 800 screen with this file as ``--code``
(``scripts/qgis_desktop.sh``). A timer steps ``journey`` from QGIS's event loop, so tasks run and the window lays
itself out as for a user; each check's outcome goes into the JSON report named by ``$CLOUDSCORE_DESKTOP_REPORT``
({name: {"ok": bool, "detail": str}}), and a picture of the window at each stage into the folder beside it.
QGIS then quits: status 0 when the journey reached its end, 1 when a step raised.
"""

import json
import logging
import os
import time
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QDate, QPoint, QPointF, Qt, QTimer
from qgis.PyQt.QtGui import QWheelEvent
from qgis.PyQt.QtWidgets import QApplication, QComboBox, QWidget
from qgis.utils import iface, plugins

PLUGIN = "cloudscore_composite"
DEMO_AOI = QgsRectangle(465230, 5079290, 466130, 5080210)
"""Most of the demo scenes, in EPSG:32633."""
POLL_MS = 100
TIMEOUT_S = 240
REPORT = Path(os.environ.get("CLOUDSCORE_DESKTOP_REPORT", "build/desktop/report.json")).resolve()

log = logging.getLogger("cloudscore_composite.desktop")
log.addHandler(logging.StreamHandler())
log.setLevel(logging.INFO)

results = {}


def record(name: str, ok: bool, detail: str = "") -> None:
    """Keep a check's outcome for the report (a later record of the same check keeps the first failure)."""
    if name in results and not results[name]["ok"]:
        return
    results[name] = {"ok": bool(ok), "detail": detail}
    (log.info if ok else log.error)("%s: %s %s", name, "ok" if ok else "FAILED", detail)


def picture(name: str) -> None:
    """Save the main window as ``<report folder>/<name>.png``."""
    iface.mainWindow().grab().save(str(REPORT.parent / f"{name}.png"))


def wait(seconds: float):
    """Yield to the event loop for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield


def until(condition, what: str, timeout: float = 90):
    """Yield to the event loop until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        yield


def in_view(widget: QWidget, dock) -> str:
    """Why ``widget`` is not fully visible inside the dock on screen ("" when it is)."""
    if not widget.isVisible():
        return f"{widget.objectName()} is hidden"
    top_left = widget.mapTo(dock, QPoint(0, 0))
    rect = widget.rect().translated(top_left)
    if not dock.rect().contains(rect):
        return f"{widget.objectName()} at {rect.getRect()} is outside the dock {dock.rect().getRect()}"
    window = iface.mainWindow()
    on_window = widget.rect().translated(widget.mapTo(window, QPoint(0, 0)))
    if not window.rect().contains(on_window):
        return f"{widget.objectName()} at {on_window.getRect()} is outside the window {window.rect().getRect()}"
    if widget.visibleRegion().boundingRect() != widget.rect():
        return f"{widget.objectName()} is partly covered or clipped"
    return ""


def check_fits(dock, when: str) -> None:
    """No tab page is squeezed below the width its fields need (the pages never scroll sideways), and every
    visible field of every page lies inside the dock."""
    tabs = dock.ui.stepTabs
    problems = []
    shown = tabs.currentIndex()
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        scroll = tabs.widget(index)
        page = scroll.widget()
        if scroll.horizontalScrollBar().isVisible():
            problems.append(f"{tabs.tabText(index)}: a horizontal scrollbar")
        if page.width() < page.minimumSizeHint().width():
            problems.append(f"{tabs.tabText(index)}: {page.width()} px wide, needs {page.minimumSizeHint().width()}")
        viewport_right = scroll.viewport().mapTo(dock, QPoint(scroll.viewport().width(), 0)).x()
        for widget in page.findChildren(QWidget):
            if widget.objectName() and widget.isVisible() and not widget.objectName().startswith("qt_"):
                right = widget.mapTo(dock, QPoint(widget.width(), 0)).x()
                if right > viewport_right + 1:
                    problems.append(f"{widget.objectName()} ends at {right} px, the page at {viewport_right}")
    tabs.setCurrentIndex(shown)
    record(
        f"fits_{when}",
        not problems,
        f"dock {dock.width()} px (minimum {dock.minimumSizeHint().width()}); " + "; ".join(problems[:6]),
    )


def wheel(widget: QWidget, steps: int = -1) -> None:
    """A mouse wheel turn over the middle of ``widget`` (as Qt delivers it: to the widget under the pointer)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def check_wheel(dock) -> None:
    """A wheel turn over an unfocused combo box or slider leaves its value (the page scrolls instead); over a
    focused one it changes the value, as usual."""
    ui = dock.ui
    problems = []
    for tab, widget, value in (
        (ui.compositeTab, ui.methodCombo, ui.methodCombo.currentIndex),
        (ui.scenesTab, ui.thresholdSlider, ui.thresholdSlider.value),
        (ui.compositeTab, ui.formatCombo, ui.formatCombo.currentIndex),
    ):
        ui.stepTabs.setCurrentWidget(tab.parentWidget().parentWidget())  # the page's scroll area
        QApplication.processEvents()
        ui.stepTabs.tabBar().setFocus()
        before = value()
        wheel(widget, -1)
        wheel(widget, 1)
        wheel(widget, -1)
        if value() != before:
            problems.append(f"{widget.objectName()}: {before} -> {value()} without focus")
        widget.setFocus()
        QApplication.processEvents()
        wheel(widget, -1)
        if value() == before:
            problems.append(f"{widget.objectName()}: the wheel did nothing with focus either")
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(before)
        else:
            widget.setValue(before)
    record("wheel_leaves_unfocused_values", not problems, "; ".join(problems))


def status_fits(dock, when: str) -> None:
    """The status line shows its whole text: as many lines as its width needs fit its height."""
    label = dock.ui.statusLabel
    needed = label.heightForWidth(label.contentsRect().width())
    record(
        f"status_line_shows_all_{when}",
        not in_view(label, dock) and needed <= label.contentsRect().height(),
        f"{label.contentsRect().height()} px high, its text needs {needed}: {label.text()!r}",
    )


def our_groups(output: Path):
    """The layer-tree groups holding a layer of ``output`` (the composite file)."""
    groups = []
    for group in QgsProject.instance().layerTreeRoot().findGroups(True):
        sources = [node.layer().source() for node in group.findLayers() if node.layer() is not None]
        if any(Path(source.split("|")[0]).name.startswith(output.stem) for source in sources):
            groups.append(group.name())
    return groups


def journey():
    """The user's steps, a check after each; a generator stepped by the timer (each ``yield`` lets QGIS run)."""
    from cloudscore_composite.plugin.dock.aoi import AOI_KINDS
    from cloudscore_composite.plugin.dock.composite_panel import KEEP, OVERWRITE
    from cloudscore_composite.plugin.paths import DEMO_DIR

    yield from until(lambda: plugins.get(PLUGIN) is not None and plugins[PLUGIN].dock is not None, "the plugin")
    plugin = plugins[PLUGIN]
    window = iface.mainWindow()
    window.setGeometry(QApplication.primaryScreen().availableGeometry())  # maximised (Xvfb has no window manager)
    window.show()
    window.activateWindow()
    QApplication.setActiveWindow(window)  # focus works as on a desktop
    if not plugin.action.isChecked():
        plugin.action.trigger()  # the menu entry, as a user opens the panel
    dock = plugin.dock
    yield from wait(2)  # the window maximised, the dock laid out at the width QGIS gives it
    ui = dock.ui
    record("window_size", (window.width(), window.height()) == (1280, 800), f"{window.width()}x{window.height()}")
    record(
        "dock_opens_at_its_preferred_width",
        dock.width() >= dock.preferred_width() and window.width() - dock.width() >= 800,
        f"{dock.width()} px, asks for {dock.preferred_width()}; the rest of the window {window.width() - dock.width()}",
    )
    check_fits(dock, "at_default_width")
    picture("1-opened")

    dock.set_source_kind("earthengine")
    yield from wait(0.5)
    check_fits(dock, "with_earth_engine_source")
    dock.set_source_kind("folder")
    ui.stepTabs.setCurrentIndex(0)
    yield from wait(0.5)
    stack, folder_page = ui.sourceStack, ui.folderPage
    record(
        "source_page_sized_to_its_content",
        stack.height() <= folder_page.heightForWidth(stack.width()) + 2,
        f"folder page {stack.height()} px high, its content {folder_page.heightForWidth(stack.width())} px",
    )
    for kind in AOI_KINDS:
        dock.set_aoi_kind(kind)
        yield from wait(0.2)
        check_fits(dock, "with_every_aoi_kind")
    check_wheel(dock)

    def unexpected_question(*_args, **_kwargs):  # a modal box would stop the journey
        record("no_unexpected_overwrite_question", False, "Run asked to overwrite a file of a first run")
        return KEEP

    dock.composite_panel.ask_overwrite = unexpected_question
    # The demo: its folder, dates, a rectangle drawn on the map, Find scenes.
    crs = QgsCoordinateReferenceSystem("EPSG:32633")
    QgsProject.instance().setCrs(crs)
    iface.mapCanvas().setDestinationCrs(crs)
    dock.set_folder(DEMO_DIR)
    ui.startDateEdit.setDate(QDate(2015, 7, 1))
    ui.endDateEdit.setDate(QDate(2015, 10, 1))
    dock.set_drawn_rectangle(DEMO_AOI, crs)
    ui.outputFolderWidget.setFilePath(str(REPORT.parent / "outputs"))
    ui.outputNameLineEdit.setText("journey")
    (REPORT.parent / "outputs").mkdir(parents=True, exist_ok=True)
    yield from wait(0.5)
    if dock.find_scenes() is None:
        raise RuntimeError(f"Find scenes started no task: {ui.statusLabel.text()}")
    yield from until(lambda: not dock.is_searching(), "the scene search")
    ui.stepTabs.setCurrentIndex(1)  # Scenes: the threshold and the table together
    yield from wait(0.3)
    record(
        "threshold_and_table_visible_together",
        not in_view(ui.thresholdSlider, dock) and not in_view(ui.sceneTableView, dock),
        in_view(ui.thresholdSlider, dock) + " " + in_view(ui.sceneTableView, dock),
    )
    record("progress_bar_hidden_after_search", ui.progressBar.isHidden(), f"value {ui.progressBar.value()}")
    table = ui.sceneTableView
    record(
        "scene_table_shows_every_column",
        not table.horizontalScrollBar().isVisible(),
        f"columns {table.horizontalHeader().length()} px in a {table.viewport().width()} px table",
    )
    picture("2-scenes")

    # Run, and look while it runs.
    if dock.run() is None:
        raise RuntimeError(f"Run started no task: {ui.statusLabel.text()}")
    QApplication.processEvents()
    hidden = [why for why in (in_view(w, dock) for w in (ui.runButton, ui.cancelButton, ui.progressBar)) if why]
    record("run_and_cancel_visible_during_run", not hidden and ui.cancelButton.isEnabled(), "; ".join(hidden))
    check_fits(dock, "during_a_run")
    picture("3-running")
    yield from until(lambda: not dock.is_running(), "the composite")
    output = REPORT.parent / "outputs" / "journey.tif"
    success = ui.statusLabel.text()
    record("run_succeeded", output.exists() and dock.result_layers() is not None, success)

    # A refused run: the status line says why, not the last success.
    ui.endDateEdit.setDate(QDate(2015, 6, 1))
    refused = dock.run()
    status = ui.statusLabel.text()
    record(
        "refused_run_replaces_status",
        refused is None and status != success and status.strip() != "",
        f"before: {success!r}; after: {status!r}",
    )
    yield from wait(0.3)
    status_fits(dock, "refused_run")
    picture("4-refused")
    ui.endDateEdit.setDate(QDate(2015, 10, 1))

    # The same run again, overwriting the file when asked: one group in the project, not two.
    dock.composite_panel.ask_overwrite = lambda *args, **kwargs: OVERWRITE
    if dock.run() is None:
        raise RuntimeError(f"the rerun started no task: {ui.statusLabel.text()}")
    yield from until(lambda: not dock.is_running(), "the second composite")
    groups = our_groups(output)
    record("rerun_leaves_one_group", len(groups) == 1, f"groups: {groups}")
    picture("5-rerun")

    # Earth Engine without credentials: a short message, no task.
    dock.set_source_kind("earthengine")
    yield from wait(0.3)
    tasks = QgsApplication.taskManager().count()
    started = (dock.find_scenes(), dock.run())
    status = ui.statusLabel.text()
    record(
        "earth_engine_setup_message_short_no_task",
        started == (None, None)
        and QgsApplication.taskManager().count() == tasks
        and len(status) < 200
        and "Authentication" in status,
        f"{len(status)} characters: {status!r}",
    )
    yield from wait(0.5)  # the unfolded settings laid out
    status_fits(dock, "earth_engine")
    box = dock.earth_engine_settings
    auth = box.authConfigSelect
    record(
        "earth_engine_authentication_in_view",
        not box.isCollapsed() and not in_view(auth, dock),
        f"collapsed {box.isCollapsed()}, box {box.height()} px (max {box.maximumHeight()}); " + in_view(auth, dock),
    )
    picture("6-earth-engine")


class Driver:
    """Steps ``journey`` every ``POLL_MS`` ms; writes the report and quits QGIS at its end."""

    def __init__(self):
        self.started = time.monotonic()
        self.steps = journey()
        self.timer = QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.step)

    def step(self) -> None:
        """One step of the journey; the report and the end of QGIS after the last or a failed one."""
        try:
            if time.monotonic() - self.started > TIMEOUT_S:
                raise RuntimeError("the journey timed out")
            next(self.steps)
        except StopIteration:
            self.finish(0)
        except Exception:  # noqa: BLE001 (any failure ends the journey and goes in the report)
            record("journey", False, traceback.format_exc())
            self.finish(1)

    def finish(self, status: int) -> None:
        """Write the report and leave QGIS with ``status`` (no save-project question)."""
        self.timer.stop()
        results.setdefault("journey", {"ok": status == 0, "detail": ""})
        REPORT.write_text(json.dumps(results, indent=1))
        QgsProject.instance().setDirty(False)
        QgsApplication.instance().exit(status)


REPORT.parent.mkdir(parents=True, exist_ok=True)
_driver = Driver()
_driver.timer.start()
