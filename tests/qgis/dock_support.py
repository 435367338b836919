"""Helpers shared by the dock tests (their fixtures, `dock` and `slow_reads`, are in conftest.py)."""

import time

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QDate

DEMO_START, DEMO_END = QDate(2015, 7, 1), QDate(2015, 10, 1)
DEMO_DATES = "Jul–Sep 2015"
"""The demo dates 2015-07-01 .. 2015-10-01 (end excluded) as result group names say them."""
DEMO_CRS = "EPSG:32633"
INSIDE_DEMO = (465300.0, 5079400.0, 465900.0, 5080100.0)
"""An AOI inside the demo scenes, in EPSG:32633."""
TIMEOUT_S = 60


def wait_until(condition, timeout=TIMEOUT_S):
    """Process Qt events until ``condition()`` holds (a task's finished() arrives through the event loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def messages(iface, level):
    """Texts of the message bar's messages of ``level``: those pushed as messages (pytest-qgis's bar records them)
    and the items in the bar (the dock pushes one item per problem and pops it once fixed), as ``title:text``."""
    bar = iface.messageBar()
    return bar.get_messages(level) + [f"{i.title()}:{i.text()}" for i in bar.items() if i.level() == level]


def dock_items(iface):
    """The message bar items the dock pushed (per problem) and that are still in the bar."""
    from cloudscore_composite.plugin.qgis_logging import TAG

    return [item for item in iface.messageBar().items() if item.title() == TAG]


def run_to_end(dock):
    """Press Run, wait for the composite, return the task's request (the task is deleted once finished)."""
    task = dock.run()
    assert task is not None
    request = task.request
    wait_until(lambda: not dock.is_running())
    return request


def find_to_end(dock):
    """Press Find scenes and wait for the table."""
    task = dock.find_scenes()
    assert task is not None
    wait_until(lambda: not dock.is_searching())


def assert_refused(dock, iface, expected, action="run"):
    """``action`` (run / find_scenes) starts no task and warns with ``expected`` in the message."""
    tasks_before = QgsApplication.taskManager().count()
    assert getattr(dock, action)() is None
    assert not dock.is_running() and not dock.is_searching()
    assert QgsApplication.taskManager().count() == tasks_before
    warnings = messages(iface, Qgis.MessageLevel.Warning)
    assert len(warnings) == 1 and expected in warnings[0], warnings
    assert dock.ui.runButton.isEnabled()
