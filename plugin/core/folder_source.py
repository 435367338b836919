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

from .errors import InputError, NoScenesFound
from .gdal_errors import capture, reading
from .grid import Bounds, Grid, intersection
from .scene import ORBIT_TAG, Scene, acquisition_time, band_sort_key, canonical_band_name, parse_orbit, parse_scene_name
from .score_raster import lattice_offset, read_bands, truncation
from .source import Source

log = logging.getLogger(__name__)

GEOTIFF_SUFFIXES = (".tif", ".tiff")


def utc_midnight(day: date) -> datetime:
    """00:00 UTC of ``day``: the bounds of a ``[start, end)`` date range."""
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def read_scene(path: Path) -> Optional[Scene]:
    """The ``Scene`` of one GeoTIFF, or None when the file is not a usable scene.

    See ``scan_scene``, which also says why a file is not one.
    """
    return scan_scene(path)[0]


def scan_scene(path: Path) -> Tuple[Optional[Scene], Optional[str]]:
    """(the ``Scene`` of one GeoTIFF, None) or (None, why the file is not a usable scene).

    A usable scene opens with GDAL, is complete (no block lies beyond the end of the file, see
    ``score_raster.truncation``), has a CRS, band descriptions (Earth Engine names; ``B02`` is read as ``B2``) and an
    acquisition time from a tag (see ``scene.TIME_TAGS``) or from a ``system:index``-style file name. Reasons of
    damaged files are GDAL's (``not recognized as a supported file format``) or name the missing bytes.
    """
    try:
        with capture() as failures, rasterio.open(path) as src:
            names = tuple(canonical_band_name(d) if d else "" for d in src.descriptions)
            tags = src.tags()
            crs, transform, width, height, nodata = src.crs, src.transform, src.width, src.height, src.nodata
            damage = truncation(src, path)
    except (RasterioError, OSError) as error:  # rasterio 1.3 raises RasterioIOError, an OSError
        return _skip(path, f"not a readable raster ({_gdal_reason(error, failures, path)})")
    if damage:
        return _skip(path, f"damaged: {damage}")
    if crs is None:
        return _skip(path, "it has no CRS")
    if not all(names):
        return _skip(path, "every band needs a description naming it (B1..B12, B8A, cs, ...)")
    when = acquisition_time(tags, path.stem)
    if when is None:
        return _skip(path, "no acquisition time in its tags or its name")
    scene_id = tags.get("SYSTEM_INDEX") or path.stem
    tile = tags.get("MGRS_TILE") or parse_scene_name(scene_id)[1]
    return Scene(
        scene_id,
        when,
        tile,
        path,
        Grid(crs, transform, width, height),
        names,
        nodata,
        cloudy_percentage=_float_tag(tags, "CLOUDY_PIXEL_PERCENTAGE"),
        platform=tags.get("SPACECRAFT_NAME"),
        orbit=parse_orbit(tags.get(ORBIT_TAG)),
    ), None


def _gdal_reason(error: BaseException, failures, path: Path) -> str:
    # GDAL's message without the file's own path (the message names the file already).
    text = failures.text() if failures else str(error)
    for quoted in (f"`{path}' ", f"'{path}' ", f"`{path}'", f"'{path}'"):
        text = text.replace(quoted, "")
    return text.replace(str(path), path.name).strip()


def _skip(path: Path, reason: str) -> Tuple[None, str]:
    log.debug("Skipped %s: %s", path.name, reason)  # FolderSource warns once, listing every file skipped
    return None, reason


def _float_tag(tags: Mapping[str, str], key: str) -> Optional[float]:
    try:
        return float(tags[key])
    except (KeyError, ValueError):
        return None


class FolderSource(Source):
    """Scenes from the GeoTIFFs directly in one folder (not its subfolders), sorted by acquisition time.

    GeoTIFFs that are not usable scenes (damaged, not a raster, no CRS, no date...) are skipped with a warning and
    listed in ``skipped_files`` with the reason, which the pipeline reports again in the run's log and records in
    the output's ``CLOUDSCORE_SKIPPED_SCENES`` tag.

    Raises:
        InputError: ``field`` (default ``INPUT``) when no folder is given, it does not exist, is a file, or holds
            no usable scene (the message then lists the files skipped and why).
    """

    def __init__(self, folder: Union[str, Path], field: str = "INPUT"):
        if not str(folder).strip():
            raise InputError(field, "choose the folder holding the Sentinel-2 scenes")
        self.folder = Path(folder)
        if self.folder.is_file():
            raise InputError(
                field,
                f"{str(self.folder)!r} is a file, not a folder: choose the folder holding the "
                "scenes (cloudscore:maskscene takes a single scene)",
            )
        if not self.folder.is_dir():
            raise InputError(field, f"folder {str(self.folder)!r} does not exist")
        # Hidden files are skipped: they include partial files another run is still writing (atomic_file).
        paths = sorted(
            p for p in self.folder.iterdir() if p.suffix.lower() in GEOTIFF_SUFFIXES and not p.name.startswith(".")
        )
        with rasterio.Env():  # one GDAL environment for the whole scan (each file's own would cost ~1.5 ms)
            scanned = [(path, *scan_scene(path)) for path in paths]
        self._paths = paths
        self.scenes: List[Scene] = sorted(
            (s for _, s, _ in scanned if s is not None), key=lambda s: (s.time, s.scene_id)
        )
        # scan_scene gives a reason exactly when it gives no scene.
        unusable = [(p.name, why) for p, s, why in scanned if s is None and why is not None]
        self.skipped_files: List[Tuple[str, str]] = unusable
        if self.skipped_files:
            log.warning(
                "%d file(s) of %s are not usable scenes and are skipped: %s",
                len(self.skipped_files),
                self.folder,
                skipped_text(self.skipped_files),
            )
        if not self.scenes:
            skipped = f"; skipped: {skipped_text(self.skipped_files)}" if self.skipped_files else ""
            raise InputError(
                field,
                f"folder {str(self.folder)!r} holds no Sentinel-2 scene (GeoTIFFs with named bands and a "
                f"date){skipped}",
            )

    def describe(self) -> str:
        """A one-line summary for logs and messages."""
        return f"folder {self.folder}"

    def files(self) -> List[Path]:
        """Every GeoTIFF of the folder read as a scene, usable or skipped."""
        return list(self._paths)

    def qa_bands(self) -> List[str]:
        """Names of the non-spectral bands (QA bands) any scene has, sorted."""
        return sorted({b for s in self.scenes for b in s.qa_bands}, key=band_sort_key)

    def search(
        self,
        start: date,
        end: date,
        aoi: Optional[Bounds] = None,
        aoi_crs: Union[CRS, str, None] = None,
        *,
        is_canceled: Optional[Callable[[], bool]] = None,
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
    ) -> NoScenesFound:
        """Why ``search`` found nothing: no scene in the dates (with the folder's date range), or the AOI."""
        range_text = f"between {start} and {end} (end excluded)"
        if not self.search(start, end):
            first, last = self.scenes[0].time.date(), self.scenes[-1].time.date()
            return NoScenesFound(
                "START_DATE",
                f"no scene was acquired {range_text}; the {self.describe()} has scenes from {first} to {last}",
            )
        if aoi is None:  # not reached by the pipeline: search() only finds nothing here through the AOI
            return NoScenesFound("START_DATE", f"no scene was acquired {range_text}")
        crs_name = CRS.from_user_input(aoi_crs).to_string() if aoi_crs else "the scenes' CRS"
        return NoScenesFound(
            "EXTENT",
            f"the extent {tuple(round(v, 6) for v in aoi)} in {crs_name} touches no scene acquired {range_text}",
        )

    def scene_tile_side(self, scenes: Sequence[Scene], grid: Grid) -> Optional[int]:
        """The scenes' common square tile side when every scene is on ``grid``'s pixel lattice with its tiles
        starting at multiples of that side from the grid's origin (see ``Source.scene_tile_side``), else None."""
        sides = set()
        with rasterio.Env():  # one GDAL environment for all the opens (each capture's own would cost ~1.5 ms)
            for scene in scenes:
                if scene.path is None:
                    return None
                try:
                    with capture(), self.opened(scene.path) as src:
                        rows, cols = src.block_shapes[0]
                        offset = lattice_offset(src, grid)
                except (RasterioError, OSError):
                    return None  # the read will say what is wrong with the file
                if rows != cols or rows >= min(src.width, src.height) or offset is None:
                    return None  # strips, or an untiled file
                if offset[0] % cols or offset[1] % rows:
                    return None
                sides.add(rows)
        return sides.pop() if len(sides) == 1 else None

    def read_block(
        self, scene: Scene, bands: Sequence[str], grid: Grid, window: Window, out: Optional[np.ndarray] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read ``bands`` of ``scene`` onto one window of ``grid`` (nearest neighbour where reprojected), into
        ``out`` when given (see ``Source.read_block``); inside ``kept_open`` the file stays open for the next read.

        Reflectance keeps its digital numbers (scale 10000); a QA band with a GDAL scale/offset is returned
        scaled (e.g. uint8 0..100 with scale 0.01 -> 0..1).

        Returns:
            (data, valid): float32 and bool arrays of shape (len(bands), window.height, window.width); ``valid``
            is False outside the scene, on the file's nodata value and on NaN.

        Raises:
            KeyError: the scene has no band of one of these names.
            ReadError: the file cannot be opened or read (moved, truncated, a block that does not decode): the
                message names the file and GDAL's reason.
            ValueError: a scene that is not a file (not one of this folder's).
        """
        indexes = [scene.band_names.index(b) + 1 for b in bands]
        qa_indexes = [i for i, b in zip(indexes, bands) if b in scene.qa_bands]
        if scene.path is None:
            raise ValueError(f"scene {scene.scene_id} is not a file: not one of this folder's scenes")
        with reading(scene.path, "scene file"), self.opened(scene.path) as src:
            return read_bands(src, indexes, window, grid, scaled=qa_indexes, out=out)


def skipped_text(skipped: Sequence[Tuple[str, str]]) -> str:
    """``a.tif (reason); b.tif (reason)`` of (file name, reason) pairs, for messages."""
    return "; ".join(f"{name} ({why})" for name, why in skipped)


def overlaps(scene: Scene, aoi: Bounds, aoi_crs: Union[CRS, str, None]) -> bool:
    """True when the scene's footprint and the AOI (in ``aoi_crs``; the scene's CRS when None) share area."""
    if aoi_crs is not None and CRS.from_user_input(aoi_crs) != scene.crs:
        aoi = transform_bounds(aoi_crs, scene.crs, *aoi, densify_pts=21)
    return intersection(scene.bounds, aoi) is not None
