"""What the pipeline needs of a place scenes come from: search, fetch, read one block."""

from datetime import date
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from rasterio.crs import CRS
from rasterio.windows import Window

from .errors import InputError
from .grid import Bounds, Grid
from .scene import Scene

FetchProgress = Callable[[int, int], None]
"""Called with (units done, units in all) while a source fetches pixels."""


class Source:
    """The interface every scene source implements (a local folder, Earth Engine, ...).

    A source finds scenes and makes their pixels readable on a target grid; it never composites.
    Subclasses implement ``describe``, ``search``, ``qa_bands`` and ``read_block``; ``fetch`` and
    ``no_scene_error`` have defaults for sources whose pixels are local.
    """

    fetches_pixels = False
    """True for a source whose ``fetch`` downloads: the pipeline then gives fetching half of the progress bar."""

    def describe(self) -> str:
        """A one-line summary for logs, messages and the ``CLOUDSCORE_SOURCE`` tag."""
        raise NotImplementedError

    def search(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None,
        *, is_canceled: Optional[Callable[[], bool]] = None,
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

    def no_scene_error(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None
    ) -> InputError:
        """The error to raise when ``search`` found nothing: it says what was searched, for the user."""
        where = "" if aoi is None else " over the extent"
        return InputError("START_DATE", f"no scene of the {self.describe()} was acquired between {start} and "
                                        f"{end} (end excluded){where}")

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

    def read_block(
        self, scene: Scene, bands: Sequence[str], grid: Grid, window: Window
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read ``bands`` of ``scene`` onto one window of ``grid``.

        Returns:
            (data, valid): float32 and bool arrays of shape (len(bands), window.height, window.width).
            Reflectance is in digital numbers (scale 10000), QA bands in 0..1; ``valid`` is False outside
            the scene and on nodata.
        """
        raise NotImplementedError
