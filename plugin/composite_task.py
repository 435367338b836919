"""A ``QgsTask`` that runs one composite in the background and relays the outcome to the main thread."""

from pathlib import Path
from typing import Optional, Union

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from .core.errors import Cancelled
from .core.folder_source import FolderSource
from .core.pipeline import CompositeRequest, CompositeResult, run_composite


class CompositeTask(QgsTask):
    """Runs ``run_composite`` for one request on a folder of scenes, off the main thread.

    ``run()`` (worker thread) touches no widget, layer or project: it only calls the core and keeps the
    result or the exception. ``finished()`` (main thread) then emits exactly one of the signals below, so
    the receiver may update widgets and the project:

    - ``succeeded(CompositeResult)``: the output GeoTIFF was written;
    - ``cancelled()``: the user cancelled (before or during the run); no output was written;
    - ``failed(Exception)``: bad input found while planning (``InputError``) or an unexpected error.

    Progress (0..100) comes through ``QgsTask.progressChanged``; cancel through ``QgsTask.cancel()``.
    The task manager deletes the task after ``finished()``: keep what you need from the signals' arguments.
    """

    succeeded = pyqtSignal(object)
    cancelled = pyqtSignal()
    failed = pyqtSignal(object)

    def __init__(self, request: CompositeRequest, folder: Union[str, Path], description: Optional[str] = None):
        """Prepare a run; nothing is read until the task manager starts the task.

        Args:
            request: what to composite (dates ``[start, end)`` UTC days, threshold 0..1, output GeoTIFF ...).
            folder: folder of Sentinel-2 GeoTIFF scenes, read with ``FolderSource``.
            description: the label shown in QGIS's task manager; default names the dates.
        """
        super().__init__(
            description or f"CloudScore composite {request.start}..{request.end}", QgsTask.Flag.CanCancel
        )
        self.request = request
        self.folder = str(folder)
        self.result: Optional[CompositeResult] = None
        self.exception: Optional[Exception] = None

    def run(self) -> bool:  # worker thread
        """Composite the scenes; True on success. Any exception is kept for ``finished()``, never raised."""
        try:
            source = FolderSource(self.folder)
            self.result = run_composite(
                self.request, source, progress=self.setProgress, is_canceled=self.isCanceled
            )
        except Exception as error:  # noqa: BLE001 (an exception escaping run() would be lost by the task manager)
            self.exception = error
            return False
        return True

    def finished(self, ok: bool) -> None:  # main thread
        """Emit ``succeeded``, ``cancelled`` or ``failed`` for the outcome of ``run()``."""
        if ok and self.result is not None:
            self.succeeded.emit(self.result)
        elif isinstance(self.exception, Cancelled) or (self.exception is None and self.isCanceled()):
            # A task cancelled while still queued never ran: no exception, but cancelled all the same.
            self.cancelled.emit()
        else:
            self.failed.emit(self.exception or RuntimeError("the composite stopped without a result"))
