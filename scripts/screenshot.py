"""`make screenshot`: drive the dock in a real QGIS window and save a picture of it with the result on the map.

QGIS runs this file with ``--code`` once its window is up (``make screenshot`` starts it under Xvfb with a
throwaway profile in which the plugin is enabled). The script uses the dock as a user would: demo folder,
dates, a rectangle AOI, Find scenes, Run; it waits for the composite without blocking QGIS's event loop,
zooms to the result, saves the main window as ``$CLOUDSCORE_SCREENSHOT`` (default build/screenshots/dock.png)
and quits QGIS (exit status 1 when something went wrong, so make fails). ``$CLOUDSCORE_DOCK_WIDTH`` widens the
dock to that many pixels; unset, the dock keeps the width it opens at (what a user sees first).
"""

import logging
import os
import time
from pathlib import Path

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QDate, Qt, QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

PLUGIN = "cloudscore_composite"
DEMO_AOI = QgsRectangle(465230, 5079290, 466130, 5080210)
"""Most of the demo scenes (EPSG:32633), drawn as the AOI so its outline shows around the result."""
DOCK_WIDTH = int(os.environ.get("CLOUDSCORE_DOCK_WIDTH", "0"))
TIMEOUT_S = 180
POLL_MS = 250

log = logging.getLogger("cloudscore_composite.screenshot")
log.addHandler(logging.StreamHandler())  # make's output: QGIS's own log is not shown there
log.setLevel(logging.INFO)


class ScreenshotDriver:
    """A small state machine stepped by a timer: each step returns True when it is done."""

    def __init__(self, output: Path):
        """Steps toward a screenshot saved as ``output`` (PNG); nothing runs before ``start``."""
        self.output = output
        self.started = time.monotonic()
        self.dock = None
        self.steps = [
            self.open_dock,
            self.fill_inputs,
            self.scenes_found,
            self.composite_done,
            self.rendered,
            self.save,
        ]
        self.timer = QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.step)

    def start(self) -> None:
        """Start stepping (every ``POLL_MS`` ms, from QGIS's event loop)."""
        self.timer.start()

    def step(self) -> None:
        """Run the current step; move on when it is done; quit with status 1 on a failure or after ``TIMEOUT_S``."""
        if time.monotonic() - self.started > TIMEOUT_S:
            self.quit(1, f"timed out at step {self.steps[0].__name__}")
            return
        try:
            if self.steps[0]():
                self.steps.pop(0)
        except Exception:  # any failure ends the run with a non-zero status
            log.exception("screenshot step %s failed", self.steps[0].__name__)
            self.quit(1, "a step failed")

    def open_dock(self) -> bool:
        """Once the plugin is loaded: maximise the window and open the dock through its menu action."""
        plugin = plugins.get(PLUGIN)
        if plugin is None or plugin.dock is None:
            return False
        window = iface.mainWindow()
        window.setGeometry(QApplication.primaryScreen().availableGeometry())  # maximised: Xvfb has no window manager
        window.show()
        if not plugin.action.isChecked():
            plugin.action.trigger()  # as a click on the menu entry (the dock follows triggered, not toggled)
        self.dock = plugin.dock
        if DOCK_WIDTH:
            window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        return True

    def fill_inputs(self) -> bool:
        """Demo folder, its dates, the default threshold and a drawn AOI in the demo's CRS; press Find scenes."""
        from cloudscore_composite.plugin.core.pipeline import DEFAULT_THRESHOLD
        from cloudscore_composite.plugin.paths import DEMO_DIR

        dock = self.dock
        canvas = iface.mapCanvas()
        crs = QgsCoordinateReferenceSystem("EPSG:32633")
        QgsProject.instance().setCrs(crs)
        canvas.setDestinationCrs(crs)
        dock.set_folder(DEMO_DIR)
        dock.ui.startDateEdit.setDate(QDate(2015, 7, 1))
        dock.ui.endDateEdit.setDate(QDate(2015, 10, 1))
        dock.set_threshold(DEFAULT_THRESHOLD)
        dock.set_drawn_rectangle(DEMO_AOI, crs)
        if dock.find_scenes() is None:
            raise RuntimeError("Find scenes started no task")
        return True

    def scenes_found(self) -> bool:
        """Once the search has ended: check the table is filled and press Run."""
        if self.dock.is_searching():
            return False
        if self.dock.scene_model.rowCount() == 0:
            raise RuntimeError("the scene table is empty")
        if self.dock.run() is None:
            raise RuntimeError("Run started no task")
        return True

    def composite_done(self) -> bool:
        """Once the composite is done: zoom to it, select a table row, show the Scenes page."""
        if self.dock.is_running():
            return False
        layers = self.dock.result_layers()
        if layers is None:
            raise RuntimeError(f"no result layers: {self.dock.ui.statusLabel.text()}")
        canvas = iface.mapCanvas()
        extent = layers.rgb.extent()
        extent.scale(1.15)
        canvas.setExtent(extent)
        canvas.refreshAllLayers()
        self.dock.select_scene(self.dock.scene_model.scenes[0].scene_id)  # the table shows a selected row
        self.dock.preview.clear()  # ...but the map shows the composite, not a mask
        self.dock.ui.stepTabs.setCurrentIndex(1)  # the threshold and the scene table, beside the result
        return True

    def rendered(self) -> bool:
        """Once the canvas has drawn and the window had 3 s to settle."""
        canvas = iface.mapCanvas()
        if canvas.isDrawing():
            return False
        canvas.waitWhileRendering()
        return time.monotonic() - self.started > 3  # let the window settle (dock layout, message bar)

    def save(self) -> bool:
        """Save the main window as the PNG and quit with status 0."""
        self.output.parent.mkdir(parents=True, exist_ok=True)
        if not iface.mainWindow().grab().save(str(self.output)):
            raise RuntimeError(f"could not write {self.output}")
        self.quit(0, f"saved {self.output}")
        return True

    def quit(self, status: int, message: str) -> None:
        """Stop stepping, log ``message`` and leave QGIS with exit ``status`` (no save-project question)."""
        self.timer.stop()
        (log.info if status == 0 else log.error)("screenshot: %s", message)
        QgsProject.instance().setDirty(False)  # no "save the project?" question on the way out
        QgsApplication.instance().exit(status)


_driver = ScreenshotDriver(Path(os.environ.get("CLOUDSCORE_SCREENSHOT", "build/screenshots/dock.png")).resolve())
_driver.start()
