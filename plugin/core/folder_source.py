"""A folder of GeoTIFFs as a scene source: one file per scene, bands named by their descriptions."""

import logging
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from .errors import InputError
from .grid import Bounds, Grid, intersection
from .scene import Scene, acquisition_time, band_sort_key, canonical_band_name, parse_scene_name
from .score_raster import read_bands
from .source import Source

log = logging.getLogger(__name__)

GEOTIFF_SUFFIXES = (".tif", ".tiff")


def utc_midnight(day: date) -> datetime:
    """00:00 UTC of ``day``: the bounds of a ``[start, end)`` date range."""
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def read_scene(path: Path) -> Optional[Scene]:
    """The ``Scene`` of one GeoTIFF, or None (with a logged warning) when the file is not a usable scene.

    A usable scene has a CRS, band descriptions (Earth Engine names; ``B02`` is read as ``B2``) and an
    acquisition time from a tag (see ``scene.TIME_TAGS``) or from a ``system:index``-style file name.
    """
    try:
        with rasterio.open(path) as src:
            names = tuple(canonical_band_name(d) if d else "" for d in src.descriptions)
            tags = src.tags()
            crs, transform, width, height, nodata = src.crs, src.transform, src.width, src.height, src.nodata
    except (RasterioError, OSError) as error:  # rasterio 1.3 raises RasterioIOError, an OSError
        log.warning("Skipped %s: not a readable raster (%s)", path.name, error)
        return None
    if crs is None:
        log.warning("Skipped %s: it has no CRS", path.name)
        return None
    if not all(names):
        log.warning("Skipped %s: every band needs a description naming it (B1..B12, B8A, cs, ...)", path.name)
        return None
    when = acquisition_time(tags, path.stem)
    if when is None:
        log.warning("Skipped %s: no acquisition time in its tags or its name", path.name)
        return None
    scene_id = tags.get("SYSTEM_INDEX") or path.stem
    tile = tags.get("MGRS_TILE") or parse_scene_name(scene_id)[1]
    return Scene(scene_id, when, tile, path, crs, transform, width, height, names, nodata,
                 cloudy_percentage=_float_tag(tags, "CLOUDY_PIXEL_PERCENTAGE"), platform=tags.get("SPACECRAFT_NAME"))


def _float_tag(tags: Mapping[str, str], key: str) -> Optional[float]:
    try:
        return float(tags[key])
    except (KeyError, ValueError):
        return None


class FolderSource(Source):
    """Scenes from the GeoTIFFs directly in one folder (not its subfolders), sorted by acquisition time.

    Raises:
        InputError: ``field`` (default ``INPUT``) when no folder is given, or it does not exist or holds no
            usable scene.
    """

    def __init__(self, folder: Union[str, Path], field: str = "INPUT"):
        if not str(folder).strip():
            raise InputError(field, "choose the folder holding the Sentinel-2 scenes")
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise InputError(field, f"folder {str(self.folder)!r} does not exist")
        # Hidden files are skipped: they include partial files another run is still writing (atomic_file).
        paths = sorted(p for p in self.folder.iterdir()
                       if p.suffix.lower() in GEOTIFF_SUFFIXES and not p.name.startswith("."))
        self.scenes: List[Scene] = sorted(filter(None, map(read_scene, paths)), key=lambda s: (s.time, s.scene_id))
        if not self.scenes:
            raise InputError(
                field, f"folder {str(self.folder)!r} holds no Sentinel-2 scene (GeoTIFFs with named bands and a date)"
            )

    def describe(self) -> str:
        """A one-line summary for logs and messages."""
        return f"folder {self.folder}"

    def qa_bands(self) -> List[str]:
        """Names of the non-spectral bands (QA bands) any scene has, sorted."""
        return sorted({b for s in self.scenes for b in s.qa_bands}, key=band_sort_key)

    def search(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None,
        *, is_canceled: Optional[Callable[[], bool]] = None,
    ) -> List[Scene]:
        """Scenes acquired in ``[start, end)`` (UTC days) whose footprint overlaps the AOI (when one is given).

        ``is_canceled`` is accepted and ignored: the search is local and quick."""
        lo, hi = utc_midnight(start), utc_midnight(end)
        found = [s for s in self.scenes if lo <= s.time < hi]
        if aoi is not None:
            found = [s for s in found if overlaps(s, aoi, aoi_crs)]
        return found

    def no_scene_error(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None
    ) -> InputError:
        """Why ``search`` found nothing: no scene in the dates (with the folder's date range), or the AOI."""
        range_text = f"between {start} and {end} (end excluded)"
        if not self.search(start, end):
            first, last = self.scenes[0].time.date(), self.scenes[-1].time.date()
            return InputError("START_DATE", f"no scene was acquired {range_text}; the {self.describe()} has "
                                            f"scenes from {first} to {last}")
        if aoi is None:  # not reached by the pipeline: search() only finds nothing here through the AOI
            return InputError("START_DATE", f"no scene was acquired {range_text}")
        crs_name = CRS.from_user_input(aoi_crs).to_string() if aoi_crs else "the scenes' CRS"
        return InputError("EXTENT", f"the extent {tuple(round(v, 6) for v in aoi)} in {crs_name} touches no "
                                    f"scene acquired {range_text}")

    def read_block(
        self, scene: Scene, bands: Sequence[str], grid: Grid, window: Window
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read ``bands`` of ``scene`` onto one window of ``grid`` (nearest neighbour where reprojected).

        Reflectance keeps its digital numbers (scale 10000); a QA band with a GDAL scale/offset is returned
        scaled (e.g. uint8 0..100 with scale 0.01 -> 0..1).

        Returns:
            (data, valid): float32 and bool arrays of shape (len(bands), window.height, window.width); ``valid``
            is False outside the scene, on the file's nodata value and on NaN.

        Raises:
            KeyError: the scene has no band of one of these names.
            rasterio.errors.RasterioIOError: the file cannot be read (moved, truncated); an OSError.
        """
        indexes = [scene.band_names.index(b) + 1 for b in bands]
        qa_indexes = [i for i, b in zip(indexes, bands) if b in scene.qa_bands]
        with rasterio.open(scene.path) as src:
            return read_bands(src, indexes, window, grid, scaled=qa_indexes)


def overlaps(scene: Scene, aoi: Bounds, aoi_crs: Union[CRS, str, None]) -> bool:
    """True when the scene's footprint and the AOI (in ``aoi_crs``; the scene's CRS when None) share area."""
    if aoi_crs is not None and CRS.from_user_input(aoi_crs) != scene.crs:
        aoi = transform_bounds(aoi_crs, scene.crs, *aoi, densify_pts=21)
    return intersection(scene.bounds, aoi) is not None
