"""A ``QgsTask`` base that runs core work off the main thread and relays its outcome to the main thread."""

from typing import Any, Optional

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import Cancelled
from ..translation import tr


class BackgroundTask(QgsTask):
    """Runs ``work()`` (a subclass's core call) in the task manager's worker thread.

    ``run()`` touches no widget, layer or project: it keeps ``work()``'s result or exception. ``finished()``
    (main thread) then emits exactly one of:

    - ``succeeded(result)``: ``work()`` returned;
    - ``cancelled()``: the user cancelled (before or during the work);
    - ``failed(Exception)``: bad input (``InputError``) or an unexpected error.

    ``stageChanged(str)`` carries human-readable stage text ("fetch 3/40"); signals emitted from the worker
    thread reach main-thread receivers queued. Progress (0..100) is ``QgsTask.progressChanged``. The task
    manager deletes the task after ``finished()``: keep what you need from the signals' arguments.
    """

    succeeded = pyqtSignal(object)
    cancelled = pyqtSignal()
    failed = pyqtSignal(object)
    stageChanged = pyqtSignal(str)  # noqa: N815 (Qt's naming)

    def __init__(self, description: str):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.result: Any = None
        self.exception: Optional[Exception] = None

    def work(self) -> Any:  # worker thread
        """The core call; subclasses implement it. Poll ``self.isCanceled`` and raise ``Cancelled``."""
        raise NotImplementedError

    def report_stage(self, text: str) -> None:
        """Emit ``stageChanged(text)`` (callable from the worker thread)."""
        self.stageChanged.emit(text)

    def report_count(self, stage: str, done: int, total: int) -> None:
        """Progress as ``done`` of ``total`` units, and the stage text ``"<stage> done/total"``."""
        self.setProgress(100.0 * done / total)
        self.report_stage(f"{stage} {done}/{total}")

    def run(self) -> bool:  # worker thread
        """Call ``work()``; True on success. Any exception is kept for ``finished()``, never raised."""
        try:
            self.result = self.work()
        except Exception as error:  # noqa: BLE001 (an exception escaping run() would be lost by the task manager)
            self.exception = error
            return False
        return True

    def finished(self, ok: bool) -> None:  # main thread
        """Emit ``succeeded``, ``cancelled`` or ``failed`` for the outcome of ``run()``."""
        if ok and self.exception is None:
            self.succeeded.emit(self.result)
        elif isinstance(self.exception, Cancelled) or (self.exception is None and self.isCanceled()):
            # A task cancelled while still queued never ran: no exception, but cancelled all the same.
            self.cancelled.emit()
        else:
            self.failed.emit(
                self.exception or RuntimeError(tr("{0} stopped without a result").format(self.description()))
            )
