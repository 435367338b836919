"""The main job: scenes -> clear masks -> composite -> GeoTIFF, block by block.

Every entry point (dock, Processing algorithm, ``qgis_process``, a script) builds a ``CompositeRequest`` and
calls ``run_composite`` with a source; progress and cancel come in as plain callables.
"""

import logging
import math
import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.errors import CRSError
from rasterio.windows import Window

from .compositing import COUNT_BAND, DEFAULT_PERCENTILES, METHODS, composite, output_band_names, statistic_names
from .engines import EXPORT, SERVERS, check_bucket, check_engine
from .errors import Cancelled, InputError, NoScenesFound
from .grid import (
    DEFAULT_OUTPUT_CEILING_GB,
    Bounds,
    Grid,
    check_block_size,
    check_output_grid,
    check_resolution,
)
from .masking import check_threshold, clear_mask, clear_rule_tags, geometries_in_crs, inside_geometries
from .orbits import BLENDED, DEFAULT_SEAM_POWER, SWATH_EDGE, TOGETHER, block_compositor, check_orbit_options, orbit_tags
from .output_paths import check_not_input
from .raster_output import (
    BYTE_SCALE,
    DEFAULT_COMPRESSION,
    atomic_geotiff,
    check_compression,
    check_format,
    check_output_path,
    to_byte,
    to_uint16,
)
from .scene import S2_BANDS, Scene, band_sort_key, canonical_band_name, scenes_grid
from .source import ComputedComposite, Source, takes_out

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.60
"""Default clear threshold: Earth Engine's Cloud Score+ example uses 0.60 (0.50..0.65 works well)."""

__all__ = [
    "COUNT_BAND",
    "DEFAULT_PERCENTILES",
    "METHODS",
    "CompositePlan",
    "CompositeRequest",
    "CompositeResult",
    "plan_composite",
    "run_composite",
    "start_export",
]

PROGRESS_INTERVAL_S = 0.1
"""How often progress is reported while the blocks are being composited, in seconds."""

MEMORY_BUDGET_MB = 512
"""Working memory the block buffers of all threads may take together, in MB; sets the automatic block size."""

ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]
StageCallback = Callable[[str], None]


@dataclass
class CompositeRequest:
    """What to composite.

    Attributes:
        start, end: acquisition dates ``[start, end)``, UTC days.
        qa_band: the band holding the clear score 0..1 (``cs``, ``cs_cdf``, ``clear``, ...).
        output: GeoTIFF to write.
        threshold: clear threshold 0..1; a pixel is clear where ``score >= threshold``.
        aoi: AOI bounds (left, bottom, right, top) in ``aoi_crs``; None = the union of the scenes.
        aoi_crs: CRS of ``aoi`` and ``clip`` (anything rasterio takes); None = the scenes' CRS.
        resolution: pixel size of the output in metres; None = the scenes' own (10 m for Earth Engine).
        bands: Sentinel-2 bands to composite (``B4``, ...); None = every band all the scenes have.
        method: composite method, one of ``METHODS`` (see ``compositing.composite``).
        percentiles: percentiles 0..100 for the ``percentiles`` method.
        output_format: ``GTiff`` or ``COG``.
        compression: ``DEFLATE`` (the default, every reader has it) or ``ZSTD`` (faster; where GDAL has it, see
            ``raster_output.available_compressions``).
        scale_to_byte: write reflectance as bytes (DN / ``BYTE_SCALE``, the scale recorded in the file).
        crs: CRS of the output grid (projected, metres); None = the source's default (``Source.default_crs``:
            the UTM zone of the AOI's centre for Earth Engine), else the CRS most scenes share.
        clip: GeoJSON geometries (dicts) in ``aoi_crs``: pixels outside all of them are nodata; None = no clip.
        excluded_scenes: ``system:index`` of scenes of the search to leave out (the dock's unticked rows); empty =
            none. The one way to pick scenes: every source and engine sees the same choice.
        threads: blocks processed at once; 0 = one per CPU core.
        block_size: side of the square blocks in pixels; None = chosen from ``MEMORY_BUDGET_MB``.
        engine: where the composite is computed (``engines.ENGINES``); None = the source's preferred one
            (Earth Engine's servers for Earth Engine, this computer for a folder).
        bucket: the Cloud Storage bucket an export (``engines.EXPORT``) writes its files to; required then.
        output_ceiling_gb: largest output allowed, in GB (GiB) uncompressed (``grid.check_output_grid``); None,
            0 or less = no ceiling. Entry points pass the setting ``cloudscore_composite/output_ceiling_gb``.
        orbits: ``together`` (one composite of every acquisition) or ``blended`` (one composite per relative
            orbit, blended at the seams; this computer only); see ``orbits``. Tiles of one acquisition count once
            in both.
        seam_weights: ``swath-edge`` (``e**p``, e metres to the orbit's swath edge) or ``centre-line`` (``1/d**p``,
            the Pan-European mosaic's), for ``blended``.
        seam_power: ``p`` of the seam weights, 0.1..10.
    """

    start: date
    end: date
    qa_band: str
    output: Union[str, Path]
    threshold: float = DEFAULT_THRESHOLD
    aoi: Optional[Bounds] = None
    aoi_crs: Optional[Union[CRS, str]] = None
    resolution: Optional[float] = None
    bands: Optional[Sequence[str]] = None
    method: str = "median"
    percentiles: Sequence[float] = DEFAULT_PERCENTILES
    output_format: str = "GTiff"
    compression: str = DEFAULT_COMPRESSION
    scale_to_byte: bool = False
    crs: Optional[Union[CRS, str]] = None
    clip: Optional[Sequence[Dict[str, Any]]] = None
    excluded_scenes: Sequence[str] = ()
    threads: int = 0
    block_size: Optional[int] = None
    engine: Optional[str] = None
    bucket: Optional[str] = None
    output_ceiling_gb: Optional[float] = DEFAULT_OUTPUT_CEILING_GB
    orbits: str = TOGETHER
    seam_weights: str = SWATH_EDGE
    seam_power: float = DEFAULT_SEAM_POWER

    def __post_init__(self) -> None:
        # Normalised once here, so that no reader strips or copies them again.
        if isinstance(self.qa_band, str):
            self.qa_band = self.qa_band.strip()
        self.excluded_scenes = tuple(self.excluded_scenes or ())

    def validate(self) -> None:
        """Check every field on its own (what needs the scenes is checked by ``plan_composite``, the output
        path by ``run_composite``).

        Raises:
            InputError: naming the field (``THRESHOLD``, ``END_DATE``, ``QA_BAND``, ``RESOLUTION``, ``BANDS``,
                ``METHOD``, ``PERCENTILES``, ``FORMAT``, ``COMPRESSION``, ``CRS``, ``EXTENT``, ``THREADS``,
                ``BLOCK_SIZE``, ``BUCKET`` for an export without a valid bucket, ``ORBITS``, ``SEAM_WEIGHTS``,
                ``SEAM_POWER`` as ``orbits.check_orbit_options``) and the accepted values.
        """
        check_threshold(self.threshold)
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise InputError("START_DATE", "start and end must be dates (YYYY-MM-DD)")
        if self.end <= self.start:
            raise InputError("END_DATE", f"end date {self.end} must be after start date {self.start} (end is excluded)")
        if not isinstance(self.qa_band, str) or not self.qa_band:
            raise InputError("QA_BAND", "name the band holding the clear score (e.g. cs, cs_cdf)")
        if self.resolution is not None:
            check_resolution(self.resolution)
        if self.bands is not None:
            unknown = [b for b in self.bands if canonical_band_name(b) not in S2_BANDS]
            if unknown or not self.bands:
                raise InputError("BANDS", f"unknown band(s) {unknown}; Sentinel-2 bands are {', '.join(S2_BANDS)}")
        statistic_names(self.method, self.percentiles)
        check_format(self.output_format)
        check_compression(self.compression)
        if self.crs is not None:
            try:
                crs = CRS.from_user_input(self.crs)
            except CRSError as error:
                raise InputError("CRS", f"{self.crs!r} is not a CRS ({error})") from None
            if not crs.is_projected:
                raise InputError("CRS", f"{crs.to_string()} is not a projected CRS in metres (e.g. a UTM zone)")
        if self.clip is not None and (not self.clip or not all(isinstance(g, dict) and "type" in g for g in self.clip)):
            raise InputError("EXTENT", "the clip polygons must be one or more GeoJSON geometries")
        if not isinstance(self.threads, int) or self.threads < 0:
            raise InputError("THREADS", f"threads {self.threads!r} must be a whole number >= 0 (0 = all cores)")
        if self.block_size is not None:
            check_block_size(self.block_size)
        if self.engine == EXPORT:
            check_bucket(self.bucket)
        check_orbit_options(self.orbits, self.seam_weights, self.seam_power, self.engine)

    @property
    def statistics(self) -> List[str]:
        """Statistics computed per band (``median``, ``p25``, ...)."""
        return statistic_names(self.method, self.percentiles)


@dataclass
class CompositePlan:
    """The scenes, grid and bands a request resolves to, before any pixel is read.

    Attributes:
        scenes: scenes to composite, in time order.
        skipped: scenes in the dates and AOI that lack the QA band (reported, never silently masked).
        grid: the output grid.
        bands: Sentinel-2 bands composited, in wavelength order.
        engine: where the composite is computed (``engines.ENGINES``).
    """

    scenes: List[Scene]
    skipped: List[Scene]
    grid: Grid
    bands: List[str]
    engine: str = "this-computer"


@dataclass
class SceneSummary:
    """How clear one scene was on the output grid: ``clear_pixels`` of its ``valid_pixels`` scored pixels."""

    scene_id: str
    time: str
    valid_pixels: int = 0
    clear_pixels: int = 0

    @property
    def clear_fraction(self) -> float:
        """Clear pixels / scored pixels, 0..1 (0 when the scene has no scored pixel on the grid)."""
        return self.clear_pixels / self.valid_pixels if self.valid_pixels else 0.0


@dataclass
class CompositeResult:
    """What ``run_composite`` wrote and used.

    Attributes:
        output: the GeoTIFF written (bands named ``B2_median``.., then ``count``; uint16 or uint8; nodata 0).
        plan: scenes, skipped scenes, grid and bands.
        scenes: per-scene clear statistics, in time order (empty when Earth Engine's servers composited: they
            return per-pixel counts only).
        band_names: descriptions of the output bands.
        clear_observations, scored_observations: over all pixels and scenes, the observations that were clear and
            those that had a score (inside the clip).
    """

    output: Path
    plan: CompositePlan
    scenes: List[SceneSummary] = field(default_factory=list)
    band_names: List[str] = field(default_factory=list)
    clear_observations: int = 0
    scored_observations: int = 0

    @property
    def clear_fraction(self) -> float:
        """Clear observations / scored observations over all scenes, 0..1."""
        return self.clear_observations / self.scored_observations if self.scored_observations else 0.0


def plan_composite(
    request: CompositeRequest, source: Source, is_canceled: Optional[CancelCheck] = None
) -> CompositePlan:
    """Resolve a request against a source: which scenes, on which grid, with which bands.

    ``is_canceled`` is passed to ``source.search`` (a network search stops with ``Cancelled``).

    Raises:
        InputError: any of ``CompositeRequest.validate``'s; ``ENGINE`` (not one the source offers); ``EXTENT``
            (the source needs an AOI); the source's ``no_scene_error`` when the search finds nothing; ``SCENES``
            (every scene found is in ``excluded_scenes``), ``QA_BAND`` (no scene has it), ``BANDS`` (a band some
            scene lacks);
            ``OUTPUT`` (one of the source's files, when the request names an output); ``RESOLUTION`` or ``EXTENT``
            (an output grid under 4 x 4 pixels or over ``output_ceiling_gb``, see ``grid.check_output_grid``);
            ``ORBITS`` (blended on another engine than this computer).
    """
    request.validate()
    engine = check_engine(request.engine, source.engines)
    check_orbit_options(request.orbits, request.seam_weights, request.seam_power, engine)
    if str(request.output or "").strip():
        check_not_input(request.output, source.files())
    if source.skipped_files:
        log.warning(
            "%d file(s) of the %s are not usable scenes and are skipped: %s",
            len(source.skipped_files),
            source.describe(),
            "; ".join(f"{name} ({why})" for name, why in source.skipped_files),
        )
    if source.needs_aoi and request.aoi is None:
        raise source.aoi_needed_error()
    found = source.search(request.start, request.end, request.aoi, request.aoi_crs, is_canceled=is_canceled)
    if not found:
        raise source.no_scene_error(request.start, request.end, request.aoi, request.aoi_crs)
    if request.excluded_scenes:
        left_out = set(request.excluded_scenes)
        kept = [s for s in found if s.scene_id not in left_out]
        if not kept:
            raise InputError("SCENES", f"all {len(found)} scene(s) found are left out: tick at least one scene")
        found = kept
    qa_band = request.qa_band
    scenes = [s for s in found if qa_band in s.band_names]
    skipped = [s for s in found if qa_band not in s.band_names]
    if not scenes:
        known = ", ".join(source.qa_bands()) or "none"
        raise NoScenesFound(
            "QA_BAND", f"no scene has the QA band {qa_band!r} (none of the {len(found)} found); QA bands found: {known}"
        )
    if skipped:
        log.warning(
            "%d scene(s) have no QA band %r and are skipped: %s",
            len(skipped),
            qa_band,
            ", ".join(s.scene_id for s in skipped),
        )
    crs = request.crs if request.crs is not None else source.default_crs(request.aoi, request.aoi_crs)
    grid = scenes_grid(scenes, request.aoi, request.aoi_crs, request.resolution, crs)
    bands = _composite_bands(request, scenes)
    check_output_grid(
        grid,
        len(bands) * len(request.statistics) + 1,
        1 if request.scale_to_byte else 2,
        request.output_ceiling_gb,
        "RESOLUTION" if request.resolution else "EXTENT",
    )
    return CompositePlan(scenes, skipped, grid, bands, engine)


def _composite_bands(request: CompositeRequest, scenes: List[Scene]) -> List[str]:
    common = set.intersection(*(set(s.spectral_bands) for s in scenes))
    if request.bands is None:
        if not common:
            raise InputError("BANDS", "the scenes share no Sentinel-2 band (B1..B12, B8A)")
        dropped = set.union(*(set(s.spectral_bands) for s in scenes)) - common
        if dropped:
            lacking = [s.scene_id for s in scenes if not dropped <= set(s.spectral_bands)]
            log.warning(
                "Band(s) %s are left out: not every scene has them (%d scene(s) lack some: %s); "
                "BANDS chooses the bands",
                ", ".join(sorted(dropped, key=band_sort_key)),
                len(lacking),
                ", ".join(lacking),
            )
        return sorted(common, key=band_sort_key)
    wanted = [canonical_band_name(b) for b in request.bands]
    missing = [b for b in wanted if b not in common]
    if missing:
        raise InputError(
            "BANDS",
            f"band(s) {', '.join(missing)} are missing from some scenes; all have "
            f"{', '.join(sorted(common, key=band_sort_key)) or 'none'}",
        )
    return sorted(dict.fromkeys(wanted), key=band_sort_key)


def provenance_tags(request: CompositeRequest, plan: CompositePlan, source: Source) -> Dict[str, str]:
    """GeoTIFF tags that say how a composite was made (scene ids, QA band, threshold, dates, method, version).

    ``CLOUDSCORE_SKIPPED_SCENES`` lists the scenes without the QA band and the files of the source that are not
    usable scenes with the reason (``copy.tif (damaged: ...)``; commas in a reason become semicolons).
    """
    tags = {
        "CLOUDSCORE_SCENES": ",".join(s.scene_id for s in plan.scenes),
        "CLOUDSCORE_SKIPPED_SCENES": ",".join(
            [s.scene_id for s in plan.skipped]
            + [f"{name} ({why})".replace(",", ";") for name, why in source.skipped_files]
        ),
        **clear_rule_tags(request.qa_band, request.threshold),
        "CLOUDSCORE_START_DATE": request.start.isoformat(),
        "CLOUDSCORE_END_DATE": request.end.isoformat(),
        "CLOUDSCORE_METHOD": request.method,
        "CLOUDSCORE_SOURCE": source.describe(),
        "CLOUDSCORE_ENGINE": plan.engine,
        "CLOUDSCORE_REFLECTANCE_SCALE": "10000",
    }
    if request.method == "percentiles":
        tags["CLOUDSCORE_PERCENTILES"] = ",".join(f"{p:g}" for p in request.percentiles)
    if request.scale_to_byte:
        tags["CLOUDSCORE_BYTE_SCALE"] = f"{BYTE_SCALE:g}"
    tags.update(orbit_tags(request.orbits, request.seam_weights, request.seam_power, plan.scenes))
    return tags


OUTPUT_TILE = 256
"""Side of the output GeoTIFF's internal tiles (``raster_output.geotiff_profile``)."""


def auto_block_size(
    scenes: int,
    bands: int,
    statistics: int,
    threads: int,
    budget_mb: float = MEMORY_BUDGET_MB,
    tile: Optional[int] = None,
) -> int:
    """Side in pixels of square blocks whose buffers, for ``threads`` blocks at once, fit in ``budget_mb``.

    Per pixel a block holds what ``_BlockCompositor`` allocates: the read buffer of every scene (scenes x bands x
    4 B float32, QA band included in ``bands``), the clear mask (scenes x 1 B), the float64 statistics
    ((bands - 1) x statistics x 8 B) and the count (8 B). The compositing kernel's sorted copy exists for 16 rows
    at a time (``compositing._ROWS_PER_UNIT``), a few MB whatever the block, so it is not counted per pixel.

    The side is a multiple of the scenes' internal ``tile`` side and of 256 (the output's tiles) when it is at least
    that, so every tile of a scene is decoded once (a smaller multiple would read it 4 times or more); else a
    multiple of 256 when at least 256, else of 16; between 16 and 2048 (or one such multiple beyond 2048).
    """
    per_pixel = scenes * (bands * 4 + 1) + max(bands - 1, 1) * statistics * 8 + 8
    side = int(math.sqrt(budget_mb * 2**20 / max(threads, 1) / per_pixel))
    unit = math.lcm(tile, OUTPUT_TILE) if tile else OUTPUT_TILE
    if side >= unit:
        return max(unit, (min(side, 2048) // unit) * unit)
    side = (side // OUTPUT_TILE) * OUTPUT_TILE if side >= OUTPUT_TILE else (side // 16) * 16
    return max(16, min(side, 2048))


@dataclass
class _BlockResult:
    window: Window
    values: np.ndarray  # float64 (bands, statistics, rows, cols)
    count: np.ndarray  # int64 (rows, cols)
    valid_pixels: np.ndarray  # int64 (scenes,): scored pixels per scene in the block (empty: not known)
    clear_pixels: np.ndarray  # int64 (scenes,)
    scored_observations: int = 0  # over the block and its scenes
    clear_observations: int = 0


class _BlockCompositor:
    """Reads one window of every scene, masks it and composites it; run from several threads at once."""

    def __init__(
        self,
        request: CompositeRequest,
        source: Source,
        plan: CompositePlan,
        clip: Optional[list],
        stop: Callable[[], bool],
        on_read: Callable[[], None],
        layout=None,
    ):
        self.request, self.source, self.plan, self.clip = request, source, plan, clip
        self.stop, self.on_read = stop, on_read
        self.qa_band = request.qa_band
        self.layout = layout  # an orbits.LayoutCompositor: tiles of one acquisition merged, orbits blended
        self.reads_into = takes_out(source.read_block)

    def __call__(self, window: Window) -> _BlockResult:
        # One GDAL environment for the block's reads: each read's own (gdal_errors.capture) then nests in it cheaply,
        # where a worker thread without one would set one up and tear it down for every read (~1.5 ms each).
        with rasterio.Env(), self.source.reading_here():  # reads keep the scenes open (Source.kept_open)
            return self._composite(window)

    def _composite(self, window: Window) -> _BlockResult:
        if self.layout is not None:
            return _BlockResult(window, *self.layout(window, self._inside_clip(window), self.stop, self.on_read))
        scenes, bands, grid = self.plan.scenes, self.plan.bands, self.plan.grid
        shape = (len(scenes), window.height, window.width)
        # Every scene's bands, then its QA band, read straight into one buffer: the stack and the scores are views.
        buffer = np.empty((len(scenes), len(bands) + 1) + shape[1:], dtype=np.float32)
        clear = np.empty(shape, dtype=bool)
        inside = self._inside_clip(window)
        valid_pixels = np.zeros(len(scenes), dtype=np.int64)
        clear_pixels = np.zeros(len(scenes), dtype=np.int64)
        for index, scene in enumerate(scenes):
            if self.stop():
                raise Cancelled("cancelled by the user")
            target = buffer[index]
            if self.reads_into:
                data, valid = self.source.read_block(scene, bands + [self.qa_band], grid, window, out=target)
            else:
                data, valid = self.source.read_block(scene, bands + [self.qa_band], grid, window)
            if data is not target:
                target[...] = data
            scene_clear = clear_mask(target[-1], valid[-1], self.request.threshold)
            scored = valid[-1] if inside is None else valid[-1] & inside
            valid_pixels[index] = np.count_nonzero(scored)
            clear_pixels[index] = np.count_nonzero(scene_clear & scored)
            np.logical_and(scene_clear, valid[:-1].all(axis=0), out=clear[index])
            self.on_read()
        if inside is not None:
            clear &= inside
        scores = buffer[:, -1] if self.request.method == "best" else None
        values, count = composite(buffer[:, :-1], clear, self.request.method, self.request.percentiles, scores)
        return _BlockResult(
            window, values, count, valid_pixels, clear_pixels, int(valid_pixels.sum()), int(clear_pixels.sum())
        )

    def _inside_clip(self, window: Window) -> Optional[np.ndarray]:
        return None if self.clip is None else inside_geometries(self.clip, None, self.plan.grid, window)


class _ComputedBlockReader:
    """Reads one window of a composite the source computed (Earth Engine's servers) into the same block form as
    ``_BlockCompositor``: statistics as float64 with NaN where masked (Earth Engine sends 0 there), the clear
    count, and the clear and scored observations for the clear fraction; pixels outside the clip are nodata."""

    def __init__(
        self,
        computed: ComputedComposite,
        plan: CompositePlan,
        statistics: int,
        clip: Optional[list],
        stop: Callable[[], bool],
        on_read: Callable[[], None],
    ):
        self.computed, self.plan, self.statistics, self.clip = computed, plan, statistics, clip
        self.stop, self.on_read = stop, on_read

    def __call__(self, window: Window) -> _BlockResult:
        if self.stop():
            raise Cancelled("cancelled by the user")
        data = self.computed.read(window)
        count, scored = data[-2].astype(np.int64), data[-1].astype(np.int64)
        if self.clip is not None:
            inside = inside_geometries(self.clip, None, self.plan.grid, window)
            count[~inside] = 0
            scored[~inside] = 0
        values = data[:-2].astype(np.float64)
        values[(values == 0) | (count == 0)[np.newaxis]] = np.nan
        values = values.reshape(len(self.plan.bands), self.statistics, window.height, window.width)
        self.on_read()
        none = np.zeros(0, dtype=np.int64)
        return _BlockResult(window, values, count, none, none, int(scored.sum()), int(count.sum()))


def run_composite(
    request: CompositeRequest,
    source: Source,
    progress: Optional[ProgressCallback] = None,
    is_canceled: Optional[CancelCheck] = None,
    stage: Optional[StageCallback] = None,
    cancel_remote: Optional[CancelCheck] = None,
) -> CompositeResult:
    """Composite the request's scenes into its output GeoTIFF (or COG).

    The source first fetches what it needs (Earth Engine downloads; a folder has nothing to do). Then each
    block of the grid reads only its window of every scene, masks pixels whose QA band is below the threshold
    (or nodata, or outside the clip), computes the method's statistics per band and writes them with a
    ``count`` band (clear observations per pixel; 0 and nodata where there is none). Blocks run on
    ``request.threads`` threads; memory is bounded by the block size, the number of scenes and the threads,
    not by the area.

    Args:
        request: what to composite.
        source: where the scenes are.
        progress: called with the percentage done, 0..100, from the calling thread.
        is_canceled: polled between reads (from worker threads too); when it returns True the run stops.
        stage: called with what is being done: ``search <source>``, ``fetch 3/40``, ``composite block 2/9``;
            for an export ``export RUNNING 40%``, ``download 2/4``.
        cancel_remote: asked once when a run is cancelled while the source's batch task runs (an Earth Engine
            export): True cancels that task too; False leaves it running on the servers, so that the next run of
            the same request picks it up (the dock passes False when QGIS closes). None = True.

    Returns:
        the output path and what was used.

    Raises:
        InputError: bad input (see ``plan_composite``), or ``OUTPUT`` not a writable .tif path.
        Cancelled: ``is_canceled`` returned True; no output was written (an existing file is untouched) and
            what the source fetched is kept.
        CloudScoreError: the source's own failures (Earth Engine's messages, e.g. a failed export task).
    """
    check_output_path(request.output)
    if stage is not None:
        stage(f"search {source.describe()}")
    plan = plan_composite(request, source, is_canceled)
    grid, bands, scenes = plan.grid, plan.bands, plan.scenes
    qa_band = request.qa_band
    statistics = request.statistics
    threads = request.threads or os.cpu_count() or 1
    on_servers = plan.engine in (SERVERS, EXPORT)  # the source computed the composite: it is read back
    exported = plan.engine == EXPORT
    # A computed composite's blocks hold one image, not a stack of scenes.
    block_size = request.block_size or auto_block_size(
        1 if on_servers else len(scenes),
        len(bands) + 1,
        len(statistics) * (3 if request.orbits == BLENDED else 1),
        threads,
        tile=None if on_servers else source.scene_tile_side(scenes, grid),
    )  # blending holds 3 statistics arrays
    log.info(
        "Compositing %d scene(s) on a %d x %d grid (%s, %.4g m), %s of %s, %d thread(s), %d px blocks",
        len(scenes),
        grid.width,
        grid.height,
        grid.crs.to_string(),
        grid.resolution[0],
        request.method,
        ", ".join(bands),
        threads,
        block_size,
    )
    canceled = is_canceled or (lambda: False)
    # Downloading is most of the work when the servers composite; compositing here shares it with the fetch.
    fetch_share = 90.0 if on_servers else 50.0 if source.fetches_pixels else 0.0

    def fetch_progress(done: int, total: int) -> None:
        if stage is not None:
            stage(f"{'compute' if on_servers else 'fetch'} {done}/{total}")
        if progress is not None and total:
            progress(fetch_share * done / total)

    def export_progress(text: str, fraction: float) -> None:
        if stage is not None:
            stage(text)
        if progress is not None:
            progress(fetch_share * min(max(fraction, 0.0), 1.0))

    if exported:
        computed = source.export_composite(request, plan, export_progress, canceled, cancel_remote)
    elif on_servers:
        computed = source.compute_composite(request, plan, fetch_progress, canceled)
    else:
        source.fetch(scenes, bands + [qa_band], grid, fetch_progress, canceled)
        if stage is not None and request.orbits == BLENDED:
            stage("swath edges")
        layout = block_compositor(request, plan, source, canceled)  # None: every scene its own acquisition

    summaries = [SceneSummary(s.scene_id, s.time.isoformat()) for s in scenes]
    band_names = output_band_names(bands, request.method, request.percentiles)
    tags = provenance_tags(request, plan, source)
    dtype, scales = (
        ("uint8", [BYTE_SCALE] * (len(band_names) - 1) + [1.0]) if request.scale_to_byte else ("uint16", None)
    )
    windows = list(grid.blocks(block_size))
    failed = threading.Event()
    reads, reads_total, lock = [0], len(windows) * (1 if on_servers else len(scenes)), threading.Lock()

    def on_read() -> None:  # worker threads count their reads; progress is reported by this thread
        with lock:
            reads[0] += 1

    def report_progress() -> None:
        # From the calling thread only: a Processing feedback or QgsTask may live in it, and signals sent from
        # other threads would wait for an event loop that is busy running us.
        if progress is not None:
            progress(fetch_share + (100.0 - fetch_share) * reads[0] / reads_total)

    # The clip polygons are reprojected once; each block rasterizes them on its window.
    clip = None if request.clip is None else geometries_in_crs(request.clip, request.aoi_crs, grid.crs)
    stop = lambda: failed.is_set() or canceled()  # noqa: E731
    worker = (
        _ComputedBlockReader(computed, plan, len(statistics), clip, stop, on_read)
        if on_servers
        else _BlockCompositor(request, source, plan, clip, stop, on_read, layout)
    )
    totals = [0, 0]  # clear, scored observations
    output = atomic_geotiff(
        request.output,
        grid,
        band_names,
        tags,
        request.output_format,
        dtype,
        scales,
        is_canceled=canceled,
        compression=request.compression,
    )
    # Scenes stay open for the whole run, one handle per thread, closed when it ends however it ends.
    with source.kept_open(), output as dst:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            pending: deque = deque()
            written = 0

            def write_oldest() -> None:
                nonlocal written
                while True:
                    try:
                        block = pending[0].result(timeout=PROGRESS_INTERVAL_S)
                        break
                    except FutureTimeout:
                        report_progress()
                pending.popleft()
                _write_block(block, dst, statistics, summaries, request.scale_to_byte)
                totals[0] += block.clear_observations
                totals[1] += block.scored_observations
                written += 1
                report_progress()
                if stage is not None:
                    stage(f"composite block {written}/{len(windows)}")

            try:
                # At most `threads` blocks in memory at once; this thread writes them in order.
                for window in windows:
                    pending.append(pool.submit(worker, window))
                    if len(pending) >= threads:
                        write_oldest()
                while pending:
                    write_oldest()
                if canceled():  # a cancel after the last read still leaves nothing behind
                    raise Cancelled("cancelled by the user")
            except BaseException:
                failed.set()  # the other threads stop at their next read
                raise
        result = CompositeResult(Path(request.output), plan, [] if on_servers else summaries, band_names, *totals)
        if not result.scored_observations:  # raised before the rename: nothing is written
            raise InputError(
                "EXTENT",
                f"none of the {grid.width} x {grid.height} output pixels lies on a scene pixel "
                f"that has a score ({len(scenes)} scene(s)): the composite would be all "
                "nodata; choose an EXTENT over the scenes",
            )
        if not result.clear_observations:
            log.warning(
                "No pixel was clear in any scene at threshold %g: every pixel of %s is nodata",
                request.threshold,
                request.output,
            )
        dst.update_tags(CLOUDSCORE_CLEAR_FRACTION=f"{result.clear_fraction:.4f}")
    log.info("Wrote %s (clear fraction %.1f%%)", request.output, 100 * result.clear_fraction)
    if on_servers:
        computed.release()  # the output is in place: what only served to write it (an export's files) may go
    return result


def start_export(request: CompositeRequest, source: Source, is_canceled: Optional[CancelCheck] = None) -> None:
    """Plan an export request (``engines.EXPORT``) and start its batch task without waiting for it, so that
    several tasks run on the servers at once; ``run_composite`` of the same request later finds the task again
    (recorded beside the output) and waits for it.

    Raises:
        InputError: bad input (see ``plan_composite``), ``OUTPUT`` not a writable .tif path, ``ENGINE`` when the
            request is not an export.
        Cancelled: ``is_canceled`` returned True.
        CloudScoreError: the source's own failures (Earth Engine refusing the task).
    """
    check_output_path(request.output)
    plan = plan_composite(request, source, is_canceled)
    if plan.engine != EXPORT:
        raise InputError("ENGINE", f"start_export needs the export engine, not {plan.engine}")
    source.start_export(request, plan, is_canceled)


def _write_block(
    block: _BlockResult, dst, statistics: List[str], summaries: List[SceneSummary], scale_to_byte: bool
) -> None:
    """Write one block's statistics and count, and add its per-scene pixel counts to the summaries."""
    bands, per_band = block.values.shape[0], len(statistics)
    encode = to_byte if scale_to_byte else to_uint16
    # All bands in one write: the file's tiles hold every band, so GDAL compresses each tile once.
    encoded = np.empty((dst.count,) + block.count.shape, dtype=dst.dtypes[-1])
    for b in range(bands):
        for s in range(per_band):
            encoded[b * per_band + s] = encode(block.values[b, s])
    encoded[-1] = np.minimum(block.count, 255) if scale_to_byte else block.count
    dst.write(encoded, window=block.window)
    for summary, valid, clear in zip(summaries, block.valid_pixels, block.clear_pixels):
        summary.valid_pixels += int(valid)
        summary.clear_pixels += int(clear)
