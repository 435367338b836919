"""The main job: scenes -> clear masks -> composite -> GeoTIFF, block by block.

Every entry point (dock, Processing algorithm, ``qgis_process``, a script) builds a ``CompositeRequest`` and
calls ``run_composite`` with a source; progress and cancel come in as plain callables.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from rasterio.crs import CRS
from rasterio.warp import transform_bounds

from .compositing import median_composite
from .errors import Cancelled, InputError
from .folder_source import FolderSource, overlaps
from .grid import Bounds, Grid, check_resolution, grid_from_aoi, union
from .masking import check_threshold, clear_mask
from .raster_output import atomic_geotiff, check_output_path, to_uint16
from .scene import S2_BANDS, Scene, band_sort_key, canonical_band_name
from .version import plugin_version

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.60
"""Default clear threshold: Earth Engine's Cloud Score+ example uses 0.60 (0.50..0.65 works well)."""

METHODS = ("median",)
COUNT_BAND = "count"
DEFAULT_BLOCK_SIZE = 512

ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]


@dataclass
class CompositeRequest:
    """What to composite.

    Attributes:
        start, end: acquisition dates ``[start, end)``, UTC days.
        qa_band: the band holding the clear score 0..1 (``cs``, ``cs_cdf``, ``clear``, ...).
        output: GeoTIFF to write.
        threshold: clear threshold 0..1; a pixel is clear where ``score >= threshold``.
        aoi: AOI bounds (left, bottom, right, top) in ``aoi_crs``; None = the union of the scenes.
        aoi_crs: CRS of ``aoi`` (anything rasterio takes); None = the scenes' CRS.
        resolution: pixel size of the output in metres; None = the scenes' own.
        bands: Sentinel-2 bands to composite (``B4``, ...); None = every band all the scenes have.
        method: composite method; ``median``.
        block_size: side of the square blocks processed at a time, in pixels (bounds memory).
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
    block_size: int = DEFAULT_BLOCK_SIZE

    def validate(self) -> None:
        """Check every field on its own (what needs the scenes is checked by ``plan_composite``, the output
        path by ``run_composite``).

        Raises:
            InputError: naming the field (``THRESHOLD``, ``END_DATE``, ``QA_BAND``, ``RESOLUTION``, ``BANDS``,
                ``METHOD``) and the accepted values.
        """
        check_threshold(self.threshold)
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise InputError("START_DATE", "start and end must be dates (YYYY-MM-DD)")
        if self.end <= self.start:
            raise InputError("END_DATE", f"end date {self.end} must be after start date {self.start} (end is excluded)")
        if not (self.qa_band or "").strip():
            raise InputError("QA_BAND", "name the band holding the clear score (e.g. cs, cs_cdf)")
        if self.resolution is not None:
            check_resolution(self.resolution)
        if self.bands is not None:
            unknown = [b for b in self.bands if canonical_band_name(b) not in S2_BANDS]
            if unknown or not self.bands:
                raise InputError("BANDS", f"unknown band(s) {unknown}; Sentinel-2 bands are {', '.join(S2_BANDS)}")
        if self.method not in METHODS:
            raise InputError("METHOD", f"method {self.method!r} is not one of {', '.join(METHODS)}")
        if not isinstance(self.block_size, int) or self.block_size < 16:
            raise InputError("BLOCK_SIZE", f"block size {self.block_size!r} must be a whole number of pixels >= 16")


@dataclass
class CompositePlan:
    """The scenes, grid and bands a request resolves to, before any pixel is read.

    Attributes:
        scenes: scenes to composite, in time order.
        skipped: scenes in the dates and AOI that lack the QA band (reported, never silently masked).
        grid: the output grid.
        bands: Sentinel-2 bands composited, in wavelength order.
    """

    scenes: List[Scene]
    skipped: List[Scene]
    grid: Grid
    bands: List[str]


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
        output: the GeoTIFF written (bands named ``B2``.., then ``count``; uint16; nodata 0).
        plan: scenes, skipped scenes, grid and bands.
        scenes: per-scene clear statistics, in time order.
        band_names: descriptions of the output bands.
    """

    output: Path
    plan: CompositePlan
    scenes: List[SceneSummary] = field(default_factory=list)
    band_names: List[str] = field(default_factory=list)

    @property
    def clear_fraction(self) -> float:
        """Clear pixels / scored pixels over all scenes, 0..1."""
        valid = sum(s.valid_pixels for s in self.scenes)
        return sum(s.clear_pixels for s in self.scenes) / valid if valid else 0.0


def _date_range(request: CompositeRequest) -> str:
    return f"{request.start} and {request.end} (end excluded)"


def plan_composite(request: CompositeRequest, source: FolderSource) -> CompositePlan:
    """Resolve a request against a source: which scenes, on which grid, with which bands.

    Raises:
        InputError: any of ``CompositeRequest.validate``'s, and ``START_DATE`` (no scene in the dates),
            ``QA_BAND`` (no scene has it), ``EXTENT`` (the AOI touches no scene), ``BANDS`` (a band some
            scene lacks).
    """
    request.validate()
    in_dates = source.search(request.start, request.end)
    if not in_dates:
        first, last = source.scenes[0].time.date(), source.scenes[-1].time.date()
        raise InputError(
            "START_DATE",
            f"no scene was acquired between {_date_range(request)}; the {source.describe()} has scenes "
            f"from {first} to {last}",
        )
    qa_band = request.qa_band.strip()
    with_qa = [s for s in in_dates if qa_band in s.band_names]
    if not with_qa:
        known = source.qa_bands()
        where = "no scene" if not any(qa_band in s.band_names for s in source.scenes) else "no scene in the dates"
        raise InputError(
            "QA_BAND", f"{where} has the QA band {qa_band!r}; QA bands found: {', '.join(known) or 'none'}"
        )
    scenes = with_qa
    if request.aoi is not None:
        scenes = [s for s in with_qa if overlaps(s, request.aoi, request.aoi_crs)]
        if not scenes:
            crs_name = CRS.from_user_input(request.aoi_crs).to_string() if request.aoi_crs else "the scenes' CRS"
            raise InputError(
                "EXTENT",
                f"the extent {tuple(round(v, 6) for v in request.aoi)} in {crs_name} "
                f"touches no scene acquired between {_date_range(request)}",
            )
    skipped = [
        s for s in in_dates
        if qa_band not in s.band_names and (request.aoi is None or overlaps(s, request.aoi, request.aoi_crs))
    ]
    for scene in skipped:
        log.warning("Scene %s has no QA band %r: skipped", scene.scene_id, qa_band)

    grid = _target_grid(request, scenes)
    bands = _composite_bands(request, scenes)
    return CompositePlan(scenes, skipped, grid, bands)


def _target_grid(request: CompositeRequest, scenes: List[Scene]) -> Grid:
    # The CRS most scenes share, anchored on the first such scene's pixels, so that at the scenes'
    # own resolution those scenes are read without resampling.
    crs = Counter(s.crs.to_wkt() for s in scenes).most_common(1)[0][0]
    reference = next(s for s in scenes if s.crs.to_wkt() == crs)
    resolution = request.resolution or (reference.transform.a, -reference.transform.e)
    if request.aoi is not None:
        aoi, aoi_crs = request.aoi, request.aoi_crs or reference.crs
    else:
        aoi = union([transform_bounds(s.crs, reference.crs, *s.bounds) if s.crs != reference.crs else s.bounds
                     for s in scenes])
        aoi_crs = reference.crs
    origin = (reference.transform.c, reference.transform.f)
    return grid_from_aoi(aoi, aoi_crs, reference.crs, resolution, origin)


def _composite_bands(request: CompositeRequest, scenes: List[Scene]) -> List[str]:
    common = set.intersection(*(set(s.spectral_bands) for s in scenes))
    if request.bands is None:
        if not common:
            raise InputError("BANDS", "the scenes share no Sentinel-2 band (B1..B12, B8A)")
        return sorted(common, key=band_sort_key)
    wanted = [canonical_band_name(b) for b in request.bands]
    missing = [b for b in wanted if b not in common]
    if missing:
        raise InputError("BANDS", f"band(s) {', '.join(missing)} are missing from some scenes; all have "
                         f"{', '.join(sorted(common, key=band_sort_key)) or 'none'}")
    return sorted(dict.fromkeys(wanted), key=band_sort_key)


def provenance_tags(request: CompositeRequest, plan: CompositePlan, source: FolderSource) -> Dict[str, str]:
    """GeoTIFF tags that say how a composite was made (scene ids, QA band, threshold, dates, method, version)."""
    return {
        "CLOUDSCORE_SCENES": ",".join(s.scene_id for s in plan.scenes),
        "CLOUDSCORE_SKIPPED_SCENES": ",".join(s.scene_id for s in plan.skipped),
        "CLOUDSCORE_QA_BAND": request.qa_band.strip(),
        "CLOUDSCORE_CLEAR_THRESHOLD": repr(float(request.threshold)),
        "CLOUDSCORE_CLEAR_RULE": "clear where score >= threshold",
        "CLOUDSCORE_START_DATE": request.start.isoformat(),
        "CLOUDSCORE_END_DATE": request.end.isoformat(),
        "CLOUDSCORE_METHOD": request.method,
        "CLOUDSCORE_SOURCE": source.describe(),
        "CLOUDSCORE_VERSION": plugin_version(),
        "CLOUDSCORE_REFLECTANCE_SCALE": "10000",
    }


def run_composite(
    request: CompositeRequest,
    source: FolderSource,
    progress: Optional[ProgressCallback] = None,
    is_canceled: Optional[CancelCheck] = None,
) -> CompositeResult:
    """Composite the request's scenes into its output GeoTIFF.

    Each block of the grid reads only its window of every scene, masks pixels whose QA band is below the
    threshold (or nodata), takes the per-band median of the clear observations and writes it with a
    ``count`` band (clear observations per pixel; 0 and nodata where there is none). Memory is bounded
    by ``block_size`` and the number of scenes, not by the area.

    Args:
        request: what to composite.
        source: where the scenes are.
        progress: called with the percentage done, 0..100.
        is_canceled: polled between reads; when it returns True the run stops.

    Returns:
        the output path and what was used.

    Raises:
        InputError: bad input (see ``plan_composite``), or ``OUTPUT`` not a writable .tif path.
        Cancelled: ``is_canceled`` returned True; no output was written (an existing file is untouched).
    """
    check_output_path(request.output)
    plan = plan_composite(request, source)
    grid, bands, scenes = plan.grid, plan.bands, plan.scenes
    qa_band = request.qa_band.strip()
    log.info(
        "Compositing %d scene(s) on a %d x %d grid (%s, %.4g m): %s",
        len(scenes), grid.width, grid.height, grid.crs.to_string(), grid.resolution[0], ", ".join(bands),
    )
    summaries = [SceneSummary(s.scene_id, s.time.isoformat()) for s in scenes]
    blocks = list(grid.blocks(request.block_size))
    steps, done = len(blocks) * len(scenes), 0
    band_names = bands + [COUNT_BAND]
    tags = provenance_tags(request, plan, source)
    with atomic_geotiff(request.output, grid, band_names, tags) as dst:
        for window in blocks:
            stack = np.zeros((len(scenes), len(bands), window.height, window.width), dtype=np.float32)
            clear = np.zeros((len(scenes), window.height, window.width), dtype=bool)
            for index, scene in enumerate(scenes):
                if is_canceled is not None and is_canceled():
                    raise Cancelled("cancelled by the user")
                data, valid = source.read_block(scene, bands + [qa_band], grid, window)
                scene_clear = clear_mask(data[-1], valid[-1], request.threshold)
                summaries[index].valid_pixels += int(valid[-1].sum())
                summaries[index].clear_pixels += int(scene_clear.sum())
                stack[index] = data[:-1]
                clear[index] = scene_clear & valid[:-1].all(axis=0)
                done += 1
                if progress is not None:
                    progress(100.0 * done / steps)
            median, count = median_composite(stack, clear)
            dst.write(to_uint16(median), indexes=list(range(1, len(bands) + 1)), window=window)
            dst.write(count.astype(np.uint16), indexes=len(band_names), window=window)
        result = CompositeResult(Path(request.output), plan, summaries, band_names)
        dst.update_tags(CLOUDSCORE_CLEAR_FRACTION=f"{result.clear_fraction:.4f}")
    log.info("Wrote %s (clear fraction %.1f%%)", request.output, 100 * result.clear_fraction)
    return result
