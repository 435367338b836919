"""The background task that runs one composite."""

from typing import Optional

from .background_task import BackgroundTask
from ..core.pipeline import CompositeRequest, CompositeResult, run_composite
from ..core.source import Source
from ..translation import tr


class CompositeTask(BackgroundTask):
    """Runs ``run_composite(request, source)`` off the main thread.

    ``succeeded`` carries the ``CompositeResult``; ``stageChanged`` the pipeline's stage text ("fetch 3/40",
    "export RUNNING 40%", "composite block 2/9"); ``progressChanged`` the percentage. See ``BackgroundTask``.

    ``cancel_export``: whether a cancel also cancels the Earth Engine export task of the run. False by default, so
    that QGIS closing (which cancels every task) leaves the task running for the next run to pick up; the dock's
    Cancel button sets it True first.
    """

    def __init__(self, request: CompositeRequest, source: Source, description: Optional[str] = None):
        """Prepare a run; nothing is read until the task manager starts the task.

        Args:
            request: what to composite (dates ``[start, end)`` UTC days, threshold 0..1, output GeoTIFF ...).
            source: where the scenes come from (a ``FolderSource``, an ``EarthEngineSource``).
            description: the label shown in QGIS's task manager; default names the dates.
        """
        super().__init__(description or tr("CloudScore composite {0}..{1}").format(request.start, request.end))
        self.request = request
        self.source = source
        self.cancel_export = False

    def work(self) -> CompositeResult:  # worker thread
        """Composite the scenes."""
        return run_composite(
            self.request,
            self.source,
            progress=self.setProgress,
            is_canceled=self.isCanceled,
            stage=self.report_stage,
            cancel_remote=lambda: self.cancel_export,
        )
