"""A source with some of its scenes left out: the scenes the user unticked in the dock's scene table."""

from datetime import date
from typing import Callable, Iterable, List, Optional, Union

from rasterio.crs import CRS

from .errors import InputError
from .grid import Bounds
from .scene import Scene
from .source import Source


class SceneSubset(Source):
    """Wraps a source so that ``search`` never returns the ``excluded`` scenes; everything else is delegated.

    Args:
        source: the source wrapped.
        excluded: ``scene_id``s (``system:index``) to leave out.
    """

    def __init__(self, source: Source, excluded: Iterable[str]):
        self.source = source
        self.excluded = frozenset(excluded)
        # The base class has its own answers: callers must see the wrapped source's capabilities.
        self.fetches_pixels = source.fetches_pixels
        self.needs_aoi = source.needs_aoi
        self.search_is_cheap = source.search_is_cheap
        self.engines = source.engines
        self.skipped_files = source.skipped_files

    def __getattr__(self, name):
        # Source-specific attributes (a folder source's ``scenes``, ``folder``...) stay reachable.
        return getattr(self.source, name)

    def describe(self) -> str:
        """The wrapped source's description."""
        return self.source.describe()

    def search(
        self,
        start: date,
        end: date,
        aoi: Optional[Bounds] = None,
        aoi_crs: Union[CRS, str, None] = None,
        *,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> List[Scene]:
        """The wrapped source's scenes, without the excluded ones (``is_canceled`` is passed on)."""
        found = self.source.search(start, end, aoi, aoi_crs, is_canceled=is_canceled)
        return [s for s in found if s.scene_id not in self.excluded]

    def qa_bands(self) -> List[str]:
        """The wrapped source's QA bands."""
        return self.source.qa_bands()

    def no_scene_error(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None
    ) -> InputError:
        """``SCENES`` when the search found scenes but every one is left out; else the wrapped source's error."""
        found = self.source.search(start, end, aoi, aoi_crs)
        if found:
            return InputError("SCENES", f"all {len(found)} scene(s) found are left out: tick at least one scene")
        return self.source.no_scene_error(start, end, aoi, aoi_crs)

    def files(self):
        """Delegated to the wrapped source: the scenes left out are inputs all the same (an output must not
        replace them)."""
        return self.source.files()

    def default_crs(self, aoi, aoi_crs):
        """Delegated to the wrapped source."""
        return self.source.default_crs(aoi, aoi_crs)

    def download_estimates(self, scenes, bands, qa_band, grid, statistics):
        """Delegated to the wrapped source."""
        return self.source.download_estimates(scenes, bands, qa_band, grid, statistics)

    def compute_composite(self, request, plan, progress=None, is_canceled=None):
        """Delegated to the wrapped source (the plan's scenes already leave the excluded ones out)."""
        return self.source.compute_composite(request, plan, progress, is_canceled)

    def export_composite(self, request, plan, progress=None, is_canceled=None, cancel_remote=None):
        """Delegated to the wrapped source (the plan's scenes already leave the excluded ones out)."""
        return self.source.export_composite(request, plan, progress, is_canceled, cancel_remote)

    def start_export(self, request, plan, is_canceled=None) -> None:
        """Delegated to the wrapped source."""
        self.source.start_export(request, plan, is_canceled)

    def cancel_export(self, request) -> None:
        """Delegated to the wrapped source."""
        self.source.cancel_export(request)

    def fetch(self, scenes, bands, grid, progress=None, is_canceled=None) -> None:
        """Delegated to the wrapped source."""
        self.source.fetch(scenes, bands, grid, progress=progress, is_canceled=is_canceled)

    def read_block(self, scene, bands, grid, window):
        """Delegated to the wrapped source."""
        return self.source.read_block(scene, bands, grid, window)
