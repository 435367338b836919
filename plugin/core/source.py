"""What the pipeline needs of a place scenes come from: search, fetch, read one block, and what the source can do
(its capabilities), so callers never ask which class a source is."""

import inspect
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from rasterio.crs import CRS
from rasterio.windows import Window

from .engines import THIS_COMPUTER
from .errors import InputError, NoScenesFound
from .grid import Bounds, Grid
from .open_datasets import KeptOpen
from .scene import Scene

FetchProgress = Callable[[int, int], None]
"""Called with (units done, units in all) while a source fetches pixels."""

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class FetchEstimate:
    """What a download will take: ``requests`` calls, ``megabytes`` uncompressed (MiB), and how many tile
    requests the cache already answers (``cached``)."""

    requests: int
    megabytes: float
    cached: int = 0

    def __str__(self) -> str:
        return f"{self.requests} request(s), about {self.megabytes:.1f} MB uncompressed" + (
            f" ({self.cached} tile(s) already cached)" if self.cached else ""
        )


class ComputedComposite:
    """A composite a source computed itself (Earth Engine's servers, or its batch export): read back block by block
    by the pipeline, which writes it with the same writer as a local composite."""

    band_count = 0
    """Bands of ``read``: the statistics (band by band, then statistic), then the clear count and the count of
    scored observations."""

    def read(self, window: Window) -> np.ndarray:
        """uint16 array of shape (``band_count``, window.height, window.width); 0 where masked."""
        raise NotImplementedError

    def release(self) -> None:
        """Called once the output is written: files kept only to write it (an export's downloaded files and its
        record) may be deleted. The default keeps everything (cached tiles serve later runs)."""


class Source(KeptOpen):
    """The interface every scene source implements (a local folder, Earth Engine, ...).

    A source finds scenes and makes their pixels readable on a target grid; it never composites.
    Subclasses implement ``describe``, ``search``, ``qa_bands`` and ``read_block``; ``fetch`` and
    ``no_scene_error`` have defaults for sources whose pixels are local. Sources that read files open them with
    ``opened`` (``open_datasets.KeptOpen``), so that inside ``kept_open`` (a run's blocks) each file is opened once
    per thread.
    """

    fetches_pixels = False
    """True for a source whose ``fetch`` downloads: the pipeline then gives fetching half of the progress bar."""
    needs_aoi = False
    """True when ``search`` refuses to run without an AOI (Earth Engine holds the whole world)."""
    search_is_cheap = True
    """True when a search reads local files only: callers may search before a run to check the input, and read
    every scene's scores at once for the scene table."""
    engines: Tuple[str, ...] = (THIS_COMPUTER,)
    """Where this source's composites can be computed (``engines.ENGINES``), the preferred first."""
    skipped_files: Sequence[Tuple[str, str]] = ()
    """Files of the source that are not usable scenes and were left out, as (file name, reason): damaged
    (truncated, not a raster: GDAL's reason), no CRS, no date... The pipeline reports them in the run's log and
    records them in the output's ``CLOUDSCORE_SKIPPED_SCENES`` tag."""

    def describe(self) -> str:
        """A one-line summary for logs, messages and the ``CLOUDSCORE_SOURCE`` tag."""
        raise NotImplementedError

    def search(
        self,
        start: date,
        end: date,
        aoi: Optional[Bounds] = None,
        aoi_crs: Union[CRS, str, None] = None,
        *,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> List[Scene]:
        """Scenes acquired in ``[start, end)`` (UTC days) overlapping the AOI, in time order.

        ``aoi`` is (left, bottom, right, top) in ``aoi_crs``. Scenes without a clear score are returned
        without QA bands, so the pipeline reports them as skipped. A source that searches over the network
        polls ``is_canceled`` (a local one may ignore it).

        Raises:
            InputError: ``EXTENT`` when the source needs an AOI and none is given; source-specific input errors.
            Cancelled: ``is_canceled`` returned True.
        """
        raise NotImplementedError

    def qa_bands(self) -> List[str]:
        """Names of the QA bands (clear scores) this source offers, e.g. ``["cs", "cs_cdf"]``."""
        raise NotImplementedError

    def files(self) -> List[Path]:
        """Every file this source reads scenes from (its scene files, and the files it skipped): an output must be
        none of them (``output_paths.check_not_input``). Empty (the default) for a source whose scenes are not
        files the user owns (Earth Engine)."""
        return []

    def check_access(self) -> None:
        """Check, on this computer only (no network, nothing slow), what a search will need to reach the scenes:
        e.g. Earth Engine's credentials and Cloud project. The default: nothing to check (local files).

        Raises:
            CloudScoreError: what is missing, in the source's own terms (e.g. ``AuthError``).
        """

    def aoi_needed_error(self) -> InputError:
        """``EXTENT``: the error for a search without an AOI when ``needs_aoi`` (the same words everywhere)."""
        return InputError("EXTENT", f"the {self.describe()} needs an area of interest: draw or choose an extent")

    def default_crs(self, aoi: Optional[Bounds], aoi_crs: Union[CRS, str, None]) -> Optional[CRS]:
        """The output CRS when the user chose none; None = the CRS most scenes share (the default)."""
        return None

    def download_estimates(
        self, scenes: Sequence[Scene], bands: Sequence[str], qa_band: str, grid: Grid, statistics: int
    ) -> Dict[str, FetchEstimate]:
        """What compositing these scenes on ``grid`` would download, per engine (``engines.ENGINES``), in the
        order of ``engines``; empty for a source whose pixels are local (the default).

        Args:
            scenes: the scenes to composite (those with the QA band).
            bands: Sentinel-2 bands composited.
            qa_band: the clear score band.
            grid: the output grid.
            statistics: statistics per band (1, or the number of percentiles).
        """
        return {}

    def compute_composite(
        self,
        request: Any,
        plan: Any,
        progress: Optional[FetchProgress] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> ComputedComposite:
        """Compute the composite of ``plan`` (a ``pipeline.CompositePlan`` of ``request``) on the source's own
        servers and download it (cached, so a cancelled run resumes). Only sources that list
        ``engines.SERVERS`` in ``engines`` implement it.

        Raises:
            Cancelled: ``is_canceled`` returned True; what was downloaded is kept.
        """
        raise NotImplementedError(f"{self.describe()} cannot compute composites itself")

    def export_composite(
        self,
        request: Any,
        plan: Any,
        progress: Optional[Callable[[str, float], None]] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
        cancel_remote: Optional[Callable[[], bool]] = None,
    ) -> ComputedComposite:
        """Compute the composite of ``plan`` as a batch task of the source's servers (or find the task started
        earlier for the same request), wait for it and download its result. Only sources that list
        ``engines.EXPORT`` in ``engines`` implement it.

        Args:
            progress: called with a stage text (``export RUNNING 40%``, ``download 2/4``) and the fraction 0..1
                of the task and download done.
            is_canceled: polled while waiting and downloading.
            cancel_remote: asked on a cancel: True (or None) also cancels the batch task.

        Raises:
            Cancelled: ``is_canceled`` returned True; what was downloaded is kept for the next run.
        """
        raise NotImplementedError(f"{self.describe()} cannot export composites")

    def start_export(self, request: Any, plan: Any, is_canceled: Optional[Callable[[], bool]] = None) -> None:
        """Start the batch task of ``export_composite`` (or find it again) without waiting for it."""
        raise NotImplementedError(f"{self.describe()} cannot export composites")

    def cancel_export(self, request: Any) -> None:
        """Cancel the batch task ``start_export`` started for ``request`` if it still runs (a run cancelled before
        its turn came). The default does nothing."""

    def no_scene_error(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None
    ) -> NoScenesFound:
        """The error to raise when ``search`` found nothing: it says what was searched, for the user."""
        where = "" if aoi is None else " over the extent"
        return NoScenesFound(
            "START_DATE",
            f"no scene of the {self.describe()} was acquired between {start} and {end} (end excluded){where}",
        )

    def fetch(
        self,
        scenes: Sequence[Scene],
        bands: Sequence[str],
        grid: Grid,
        progress: Optional[FetchProgress] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> None:
        """Make ``bands`` of ``scenes`` readable on ``grid`` by ``read_block`` (download, cache, ...).

        The default does nothing: the pixels are local. A source that downloads keeps what it fetched when
        cancelled, so the next run resumes.

        Raises:
            Cancelled: ``is_canceled`` returned True.
        """

    def scene_tile_side(self, scenes: Sequence[Scene], grid: Grid) -> Optional[int]:
        """The side in pixels of the square internal tiles all ``scenes`` are stored in, when they share one and
        their tiles start on ``grid``'s block boundaries (so blocks a multiple of it decode each tile once); None
        otherwise, and by default."""
        return None

    def read_block(
        self, scene: Scene, bands: Sequence[str], grid: Grid, window: Window, out: Optional[np.ndarray] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read ``bands`` of ``scene`` onto one window of ``grid``.

        Args:
            out: float32 (len(bands), window.height, window.width), possibly a view of a larger array: the data is
                read into it and it is returned as ``data`` (the pipeline's block buffer, filled without a copy).
                Optional for implementations: the pipeline passes it only to a ``read_block`` that takes ``out``
                (``takes_out``) and copies the data when another array comes back.

        Returns:
            (data, valid): float32 and bool arrays of shape (len(bands), window.height, window.width).
            Reflectance is in digital numbers (scale 10000), QA bands in 0..1; ``valid`` is False outside
            the scene and on nodata.
        """
        raise NotImplementedError


def takes_out(read_block: Callable[..., Any]) -> bool:
    """True when a ``read_block`` (bound method or a function put in its place) accepts ``out=``: ours do; a
    wrapper written for the older four arguments does not, and is then called without it."""
    try:
        parameters = inspect.signature(read_block).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "out" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
