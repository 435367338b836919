"""Scenes written to a folder in the folder-source layout: one GeoTIFF per scene, clipped to an AOI.

The folder this writes is what ``FolderSource`` reads (and ``cloudscore:compositefolder`` composites): one
``<system:index>.tif`` per scene, bands named by their descriptions, the acquisition time, ``system:index``,
MGRS tile, cloud percentage and platform in tags. Scenes that are files (the folder source) are copied by
windowed reads of their own pixels (no resampling, same dtype, nodata, scales and tags); other scenes (Earth
Engine) are fetched by their source onto a grid aligned to their own pixels and written as float32.
"""

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.windows import Window
from rasterio.windows import from_bounds as window_from_bounds

from .atomic_file import atomic_raster
from .errors import Cancelled, InputError
from .gdal_errors import reading
from .grid import Bounds, Grid, intersection
from .output_paths import check_folder_not_input, check_not_input
from .raster_output import geotiff_profile
from .scene import ORBIT_TAG, Scene, parse_scene_name, scenes_grid
from .source import Source

log = logging.getLogger(__name__)

BLOCK_SIZE = 1024
"""Side of the square blocks copied at a time, in pixels: memory stays bounded for full 10980 px tiles."""

ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]


@dataclass
class ExportResult:
    """What ``export_scenes`` did.

    Attributes:
        written: files written by this run, in scene order.
        kept: files already in the folder for the same scene and clip (a resumed run), left as they were.
        outside: ids of scenes the AOI does not touch (nothing written).
    """

    written: List[Path] = field(default_factory=list)
    kept: List[Path] = field(default_factory=list)
    outside: List[str] = field(default_factory=list)

    @property
    def files(self) -> List[Path]:
        """Every scene file of the export (written or kept)."""
        return self.kept + self.written


def scene_file_name(scene: Scene) -> str:
    """``<system:index>.tif``; characters a file name cannot safely hold become ``_``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", scene.scene_id) + ".tif"


def scene_tags(scene: Scene) -> Dict[str, str]:
    """The tags ``FolderSource`` reads a scene's identity from (the GDAL spellings of Earth Engine's properties).

    ``ACQUISITION_TIME`` (ISO 8601, UTC), ``SYSTEM_INDEX``, and, when known, ``MGRS_TILE``,
    ``CLOUDY_PIXEL_PERCENTAGE`` (0..100), ``SPACECRAFT_NAME`` and ``SENSING_ORBIT_NUMBER`` (the relative orbit).
    """
    tags = {"ACQUISITION_TIME": scene.time.isoformat(), "SYSTEM_INDEX": scene.scene_id}
    if scene.tile:
        tags["MGRS_TILE"] = scene.tile
    if scene.cloudy_percentage is not None:
        tags["CLOUDY_PIXEL_PERCENTAGE"] = repr(float(scene.cloudy_percentage))
    if scene.platform:
        tags["SPACECRAFT_NAME"] = scene.platform
    if scene.orbit is not None:
        tags[ORBIT_TAG] = str(scene.orbit)
    return tags


def clip_grid(scene: Scene, aoi: Optional[Bounds], aoi_crs: Union[CRS, str, None]) -> Optional[Grid]:
    """The part of the scene's own pixel grid that covers the AOI, or None when the AOI misses the scene.

    The AOI is widened outwards to whole scene pixels exactly as ``grid_from_aoi`` does for a composite
    anchored on the scene, so a composite of the clipped scene over the same AOI has the same grid and
    pixels as one of the whole scene. Without an AOI, the whole scene.

    Args:
        scene: the scene (its ``crs``, ``transform``, ``width``, ``height``).
        aoi: (left, bottom, right, top) in ``aoi_crs``, or None.
        aoi_crs: CRS of ``aoi``; None = the scene's.

    Raises:
        InputError: ``EXTENT`` for an empty AOI.
    """
    own = Grid(scene.crs, scene.transform, scene.width, scene.height)
    if aoi is None:
        return own
    # ``scenes_grid`` of the scene alone is in its CRS, at its resolution, on its pixel lattice.
    overlap = intersection(scenes_grid([scene], aoi, aoi_crs).bounds, own.bounds)
    return None if overlap is None else scenes_grid([scene], overlap, scene.crs)


def _scene_window(scene: Scene, grid: Grid) -> Window:
    # The clip grid lies on the scene's pixel lattice: its window in the scene is whole pixels.
    window = window_from_bounds(*grid.bounds, transform=scene.transform)
    return Window(round(window.col_off), round(window.row_off), grid.width, grid.height)


def _is_exported(path: Path, scene: Scene, grid: Grid, bands: Sequence[str]) -> bool:
    """True when ``path`` already holds this scene on this grid with these bands (a previous run wrote it)."""
    if not path.is_file():
        return False
    try:
        with rasterio.open(path) as src:
            return (
                src.tags().get("SYSTEM_INDEX") == scene.scene_id
                and src.crs == grid.crs
                and src.transform.almost_equals(grid.transform)
                and (src.height, src.width) == grid.shape
                and list(src.descriptions) == list(bands)
            )
    except (rasterio.errors.RasterioError, OSError):
        return False


def _blocks(grid: Grid) -> List[Window]:
    return list(grid.blocks(BLOCK_SIZE))


def copy_scene_file(scene: Scene, grid: Grid, bands: Sequence[str], path: Path, step: Callable[[], None]) -> None:
    """Copy ``bands`` of a scene file inside ``grid`` (a ``clip_grid``) to ``path``, block by block.

    Keeps the dtype, nodata, band descriptions, scales/offsets, band and dataset tags, and adds
    ``scene_tags``. ``step()`` is called after each block (it reports progress and raises ``Cancelled``).
    Blocks are at most ``BLOCK_SIZE`` pixels square; ``path`` is written through ``atomic_file.atomic_raster``.

    Raises:
        Cancelled: from ``step``; nothing is left at ``path``.
        ReadError: the scene file cannot be read (the file and GDAL's reason).
        WriteError: ``path`` could not be written completely (``atomic_file.atomic_raster``); nothing is left.
        ValueError: the scene is not a file (``scene.path`` is None).
    """
    scene_path = scene.path
    if scene_path is None:
        raise ValueError(f"scene {scene.scene_id} is not a file: it cannot be copied")
    source_window = _scene_window(scene, grid)
    with reading(scene_path, "scene file"), rasterio.open(scene_path) as src:
        indexes = [scene.band_names.index(b) + 1 for b in bands]
        profile = geotiff_profile(grid, len(indexes), src.dtypes[indexes[0] - 1], src.nodata)
        with atomic_raster(path, **profile) as dst:
            dst.update_tags(**{**src.tags(), **scene_tags(scene)})
            for out, index in enumerate(indexes, start=1):
                dst.set_band_description(out, bands[out - 1])
                dst.update_tags(out, **src.tags(index))
            dst.scales = [src.scales[i - 1] for i in indexes]
            dst.offsets = [src.offsets[i - 1] for i in indexes]
            for block in _blocks(grid):
                read = Window(
                    source_window.col_off + block.col_off,
                    source_window.row_off + block.row_off,
                    block.width,
                    block.height,
                )
                with reading(scene_path, "scene file"):
                    data = src.read(indexes, window=read)
                dst.write(data, window=block)
                step()


def fetch_scene(
    source: Source,
    scene: Scene,
    grid: Grid,
    bands: Sequence[str],
    path: Path,
    step: Callable[[], None],
    is_canceled: Optional[CancelCheck] = None,
) -> None:
    """Write ``bands`` of a scene that is not a file (e.g. Earth Engine) on ``grid`` to ``path`` as float32.

    The source fetches the pixels first (``Source.fetch``: download into its cache; kept when cancelled),
    then they are read block by block; invalid pixels become nodata 0 (Sentinel-2's own nodata). Reflectance
    stays in digital numbers (scale 10000), scores 0..1.

    Raises:
        Cancelled: from ``Source.fetch`` or ``step``; nothing is left at ``path`` (fetched tiles stay cached).
        CloudScoreError: the source's fetch or read errors (e.g. Earth Engine refusing a request).
    """
    source.fetch([scene], list(bands), grid, is_canceled=is_canceled)
    with atomic_raster(path, **geotiff_profile(grid, len(bands), "float32", 0.0)) as dst:
        dst.update_tags(**scene_tags(scene))
        for out, name in enumerate(bands, start=1):
            dst.set_band_description(out, name)
        for block in _blocks(grid):
            data, valid = source.read_block(scene, list(bands), grid, block)
            dst.write(np.where(valid, data, np.float32(0)), window=block)
            step()


def export_scenes(
    source: Source,
    scenes: Sequence[Scene],
    folder: Union[str, Path],
    aoi: Optional[Bounds] = None,
    aoi_crs: Union[CRS, str, None] = None,
    bands: Optional[Sequence[str]] = None,
    progress: Optional[ProgressCallback] = None,
    is_canceled: Optional[CancelCheck] = None,
) -> ExportResult:
    """Write each scene, clipped to the AOI (see ``clip_grid``), as ``<folder>/<system:index>.tif``.

    Each file is written under a temporary name and renamed into place when complete; a scene file already in
    the folder for the same scene, grid and bands is kept (so a cancelled export resumes where it stopped).

    Args:
        source: where the scenes come from.
        scenes: the scenes to write.
        folder: the output folder (created when missing).
        aoi, aoi_crs: (left, bottom, right, top) in ``aoi_crs``, or None for whole scenes.
        bands: band names to write (spectral and QA); None = every band of each scene.
        progress: called with the percentage done, 0..100.
        is_canceled: polled after each block; when it returns True the export stops.

    Returns:
        the files written and kept, and the scenes the AOI misses.

    Raises:
        InputError: ``OUTPUT`` when the folder cannot be created or written, is the folder of the source's files
            (its scenes would be replaced), or a scene file to write is one of the source's files (e.g. a link to
            it); ``BANDS`` for a band a scene lacks, ``EXTENT`` for an empty AOI. All checked before any file is
            written.
        Cancelled: ``is_canceled`` returned True; completed scene files stay, no partial file is left.
        ReadError, WriteError: a scene file cannot be read, or a file cannot be written (the file and the reason);
            scene files completed before stay.
    """
    folder = Path(folder)
    check_output_folder(source, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError("OUTPUT", f"cannot create the folder {str(folder)!r}: {error.strerror}") from error
    if not os.access(folder, os.W_OK):
        raise InputError("OUTPUT", f"folder {str(folder)!r} is not writable")
    plans: List[Tuple[Scene, Grid, Tuple[str, ...]]] = []
    result = ExportResult()
    for scene in scenes:
        wanted = scene.band_names if bands is None else tuple(bands)
        missing = [b for b in wanted if b not in scene.band_names]
        if missing:
            raise InputError(
                "BANDS",
                f"scene {scene.scene_id} has no band {', '.join(missing)}; it has {', '.join(scene.band_names)}",
            )
        grid = clip_grid(scene, aoi, aoi_crs)
        if grid is None:
            result.outside.append(scene.scene_id)
        else:
            plans.append((scene, grid, wanted))
    total = sum(len(_blocks(grid)) for _, grid, _ in plans) or 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(100.0 * done / total)
        if is_canceled is not None and is_canceled():
            raise Cancelled("cancelled by the user")

    inputs = source.files()
    for scene, _, _ in plans:  # all before the first file is written
        check_not_input(folder / scene_file_name(scene), inputs)
    for scene, grid, wanted in plans:
        path = folder / scene_file_name(scene)
        if _is_exported(path, scene, grid, wanted):
            log.info("Kept %s: it holds scene %s already", path.name, scene.scene_id)
            result.kept.append(path)
            done += len(_blocks(grid))
            continue
        if scene.path is not None:
            copy_scene_file(scene, grid, wanted, path, step)
        else:
            fetch_scene(source, scene, grid, wanted, path, step, is_canceled)
        log.info("Wrote %s (%d x %d pixels)", path.name, grid.width, grid.height)
        result.written.append(path)
    return result


def check_output_folder(source: Source, folder: Union[str, Path]) -> None:
    """Refuse an output ``folder`` of ``export_scenes`` that is the folder of one of ``source``'s files (resolved:
    ``output_paths.same_file``): the scene files written there would replace the scenes read.

    Raises:
        InputError: ``OUTPUT``.
    """
    check_folder_not_input(folder, {Path(p).parent for p in source.files()})


def scenes_by_id(
    source: Source,
    ids: Sequence[str],
    start: Optional[date] = None,
    end: Optional[date] = None,
    aoi: Optional[Bounds] = None,
    aoi_crs: Union[CRS, str, None] = None,
) -> Tuple[List[Scene], List[str]]:
    """The scenes of ``source`` with these ids (e.g. the ``id`` field of a ``searchscenes`` footprint layer).

    The source is searched over ``[start, end)`` and the AOI; without dates, over the days the ids name (an
    Earth Engine ``system:index`` starts with the datatake time), widened by a day each side because a
    scene's acquisition time may differ from its datatake time. Scenes come back in time order, each once.

    Returns:
        (scenes found, ids not found).

    Raises:
        InputError: ``SCENES`` when no id is given; ``START_DATE`` when no dates are given and an id names no
            acquisition time.
    """
    wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
    if not wanted:
        raise InputError("SCENES", "the scene layer has no scene id")
    if start is None or end is None:
        days = []
        for scene_id in wanted:
            when = parse_scene_name(scene_id)[0]
            if when is None:
                raise InputError(
                    "START_DATE",
                    f"scene id {scene_id!r} names no acquisition time (it is not a "
                    "system:index such as 20230105T184749_20230105T184745_T11SKB): "
                    "give the start and end dates",
                )
            days.append(when.date())
        start, end = min(days) - timedelta(days=1), max(days) + timedelta(days=2)
    by_id = {s.scene_id: s for s in source.search(start, end, aoi, aoi_crs)}
    scenes = sorted((by_id[i] for i in wanted if i in by_id), key=lambda s: (s.time, s.scene_id))
    return scenes, [i for i in wanted if i not in by_id]
