"""Background tasks behind the scene table: "Find scenes" (search and read each scene's clear scores in the
AOI), and reading the scores a composite run fetched (Earth Engine)."""

from datetime import date
from typing import Optional, Sequence

from .background_task import BackgroundTask
from ..core.grid import Bounds, Grid
from ..core.scene import Scene
from ..core.scene_stats import SceneSearch, find_scenes, read_fetched_scores
from ..core.source import Source
from ..translation import tr


class SceneSearchTask(BackgroundTask):
    """Runs ``scene_stats.find_scenes`` off the main thread; ``succeeded`` carries the ``SceneSearch``.

    With ``estimate`` (a callable ``(scenes) -> {engine: FetchEstimate}`` or None, from the source's
    ``download_estimates``) what each engine would download is computed too and kept as ``SceneSearch.estimate``.
    """

    def __init__(
        self,
        source: Source,
        start: date,
        end: date,
        aoi: Optional[Bounds],
        aoi_crs,
        qa_band: str,
        clip: Optional[Sequence[dict]] = None,
        read_scores: bool = True,
        estimate=None,
    ):
        super().__init__(tr("CloudScore: find scenes {0}..{1}").format(start, end))
        self.source = source
        self.arguments = dict(
            start=start, end=end, aoi=aoi, aoi_crs=aoi_crs, qa_band=qa_band, clip=clip, read_scores=read_scores
        )
        self.estimate = estimate

    def work(self) -> SceneSearch:  # worker thread
        """Search, then read the scores scene by scene (progress per scene)."""
        self.report_stage(tr("search"))
        search = find_scenes(
            self.source,
            progress=lambda done, total: self.report_count(tr("read scores"), done, total),
            is_canceled=self.isCanceled,
            **self.arguments,
        )
        search.estimate = self.estimate(search.scenes) if self.estimate is not None else None
        return search


class FetchedScoresTask(BackgroundTask):
    """Runs ``scene_stats.read_fetched_scores`` off the main thread: the scores of scenes a run fetched on
    ``grid``; ``succeeded`` carries the ``SceneSearch`` (scores on a coarse grid)."""

    def __init__(
        self,
        source: Source,
        scenes: Sequence[Scene],
        qa_band: str,
        grid: Grid,
        clip: Optional[Sequence[dict]] = None,
        clip_crs=None,
    ):
        super().__init__(tr("CloudScore: read the fetched scores"))
        self.source = source
        self.arguments = dict(scenes=list(scenes), qa_band=qa_band, grid=grid, clip=clip, clip_crs=clip_crs)

    def work(self) -> SceneSearch:  # worker thread
        """Read the scores scene by scene from what the run fetched."""
        return read_fetched_scores(
            self.source,
            progress=lambda done, total: self.report_count(tr("read scores"), done, total),
            is_canceled=self.isCanceled,
            **self.arguments,
        )
