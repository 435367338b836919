"""Earth Engine as a scene source: search, fetch into the tile cache, read blocks from cached tiles."""

import logging
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
from rasterio.crs import CRS
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from ..engines import EXPORT, SERVERS, THIS_COMPUTER, check_bucket
from ..errors import CloudScoreError, InputError, NoScenesFound
from ..folder_source import overlaps
from ..grid import Bounds, Grid, intersection
from ..scene import S2_BANDS, Scene
from ..source import MEGABYTE, ComputedComposite, FetchEstimate, FetchProgress, Source
from .auth import Credentials, StaticToken, find_credentials, resolve_project
from .cache import TileCache
from .client import EarthEngineClient, RetryPolicy
from .compute import (
    CachedComposite,
    compute_tile,
    computed_asset_id,
    computed_tiles,
    plan_compute,
    tile_requests,
)
from .errors import EarthEngineError
from .export import ExportJob, PollPolicy, cancel_recorded_task
from .expression import composite_expression, statistic_band_names
from .fetch import (
    DEFAULT_MAX_WORKERS,
    MAX_WORKERS,
    TileRequest,
    check_ceiling,
    estimate,
    fetch_tile,
    run_requests,
)
from .search import COLLECTIONS, SCORE_BANDS, aoi_geometry, score_asset_id, search_scenes
from .storage import StorageClient
from .tiling import GridTile, split_grid, tile_side
from .utm import utm_crs

log = logging.getLogger(__name__)

BYTES_PER_PIXEL = {"reflectance": 2, "score": 4}
"""Bytes per pixel and band in getPixels answers. Sentinel-2 reflectance is uint16 DN (Earth Engine catalogue,
COPERNICUS/S2_HARMONIZED bands). For Cloud Score+ (``cs``, ``cs_cdf``, 0..1) the catalogue gives no data type:
float32 is an assumption, the widest type fractional scores plausibly come in, so the estimate and the tile side
err on the large side (a narrower type only makes requests smaller than planned)."""
DEFAULT_TILE_SIDE = tile_side(
    max(len(S2_BANDS) * BYTES_PER_PIXEL["reflectance"], len(SCORE_BANDS) * BYTES_PER_PIXEL["score"])
)
"""Tile side fitting every band of an asset in one request, so a tile's key never depends on the bands asked
for (a run with fewer bands finds the same tiles in the cache)."""


def covers(scene: Scene, bounds: Bounds, crs: CRS) -> bool:
    """True when the scene may have pixels in ``bounds`` (in ``crs``): its grid overlaps them and so does the box
    of its footprint (an orbit's edge leaves part of an MGRS tile empty; no request is made for such tiles)."""
    if not overlaps(scene, bounds, crs):
        return False
    if not scene.footprint or scene.footprint.get("type") not in ("Polygon", "MultiPolygon"):
        return True
    points = np.array(_flatten(scene.footprint["coordinates"]), dtype=float).reshape(-1, 2)
    box = (points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max())
    return intersection(transform_bounds(CRS.from_epsg(4326), crs, *box, densify_pts=21), bounds) is not None


def _clamped(what: str, value, low: int, high: int, default: int) -> int:
    # Settings may hold anything: clamp into range and say so, rather than refuse a run.
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        log.warning("Earth Engine %s %r is not a whole number: using %d", what, value, default)
        return default
    number = min(high, max(low, wanted))
    if number != wanted:
        log.warning("Earth Engine %s %r is outside %d..%d: using %d", what, value, low, high, number)
    return number


def _flatten(nested) -> list:
    # GeoJSON rings nest 3 (Polygon) or 4 (MultiPolygon) lists deep; keep the numbers.
    if isinstance(nested, (int, float)):
        return [nested]
    return [value for item in nested for value in _flatten(item)]


class EarthEngineSource(Source):
    """Sentinel-2 scenes and their Cloud Score+ clear scores (``cs``, ``cs_cdf``, 0..1) from Earth Engine.

    Nothing touches the network until ``search``; credentials and the Cloud project are resolved then (see
    ``auth``). Composites are computed on Earth Engine's servers (``compute_composite``, only the composite is
    downloaded), by a batch export to a Cloud Storage bucket (``export_composite``, for areas beyond interactive
    requests), or the scenes' pixels are fetched on the target grid into a ``TileCache`` and composited here.

    Args:
        collection: ``COPERNICUS/S2_SR_HARMONIZED`` (L2A) or ``COPERNICUS/S2_HARMONIZED`` (L1C).
        project: Cloud project; None = ``CLOUDSCORE_EE_PROJECT``, then the credentials file's.
        cache_dir: tile cache folder; None = ``cache.default_cache_dir()``.
        api_url: API root; None = ``CLOUDSCORE_EE_API_URL`` or ``https://earthengine.googleapis.com``.
        credentials: a ``Credentials``, an access token, or None for ``auth.find_credentials()``.
        max_workers: getPixels requests in flight, 1..``fetch.MAX_WORKERS`` (40, Earth Engine's concurrency per
            project); a value outside is clamped with a logged warning.
        ceiling_mb: refuse fetches larger than this many MB (uncompressed); None, 0 or less = no ceiling.
        retry: retry policy (tests pass one that does not sleep).
        tile_size: tile side in pixels, 1..``DEFAULT_TILE_SIDE`` (the largest within the request limits;
            smaller values make more, smaller requests); a value outside is clamped with a logged warning.
        storage_url: Cloud Storage root of exports; None = ``CLOUDSCORE_GCS_API_URL`` or
            ``https://storage.googleapis.com``.
        poll: how often an export task is polled (tests pass one that does not sleep).

    Raises:
        InputError: ``COLLECTION`` not one of ``search.COLLECTIONS``.
    """

    fetches_pixels = True
    needs_aoi = True
    search_is_cheap = False
    engines = (SERVERS, THIS_COMPUTER, EXPORT)

    def __init__(
        self,
        collection: str = "COPERNICUS/S2_SR_HARMONIZED",
        project: Optional[str] = None,
        cache_dir: Union[str, Path, None] = None,
        api_url: Optional[str] = None,
        credentials: Union[Credentials, str, None] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
        ceiling_mb: Optional[float] = None,
        *,
        retry: Optional[RetryPolicy] = None,
        tile_size: Optional[int] = None,
        storage_url: Optional[str] = None,
        poll: Optional[PollPolicy] = None,
    ):
        if collection not in COLLECTIONS:
            raise InputError("COLLECTION", f"collection {collection!r} is not one of {', '.join(COLLECTIONS)}")
        self.collection = collection
        self.project = project
        self.cache = TileCache(cache_dir)
        self.api_url = api_url
        self.credentials = StaticToken(credentials, "the given token") if isinstance(credentials, str) else credentials
        self.max_workers = _clamped(
            "requests in flight (max_workers)", max_workers, 1, MAX_WORKERS, DEFAULT_MAX_WORKERS
        )
        self.ceiling_mb = ceiling_mb if ceiling_mb is not None and ceiling_mb > 0 else None
        self.retry = retry
        self.tile_size = _clamped(
            "tile side in pixels", tile_size or DEFAULT_TILE_SIDE, 1, DEFAULT_TILE_SIDE, DEFAULT_TILE_SIDE
        )
        self.storage_url = storage_url
        self.poll = poll
        self.unscored: List[str] = []
        self._client: Optional[EarthEngineClient] = None
        self._tiles: Dict[Grid, List[GridTile]] = {}

    # --- the Source interface -------------------------------------------------------------------------------

    def describe(self) -> str:
        """E.g. ``Earth Engine COPERNICUS/S2_SR_HARMONIZED with GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED``."""
        return f"Earth Engine {self.collection} with GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"

    def qa_bands(self) -> List[str]:
        """``["cs", "cs_cdf"]``: Cloud Score+ scores, 0 (occluded) .. 1 (clear)."""
        return list(SCORE_BANDS)

    def search(
        self,
        start: date,
        end: date,
        aoi: Optional[Bounds] = None,
        aoi_crs: Union[CRS, str, None] = None,
        *,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> List[Scene]:
        """Scenes in ``[start, end)`` over the AOI, in time order; those without a score have no QA band and
        their ids are kept in ``self.unscored``. ``is_canceled`` is polled before each page and during retry
        waits.

        Raises:
            InputError: ``EXTENT`` when no AOI is given.
            AuthError: no credentials or no project (the message says how to set them up).
            EarthEngineError: the listing failed.
            Cancelled: ``is_canceled`` returned True.
        """
        result = search_scenes(self.client(), self.collection, start, end, aoi, aoi_crs, should_stop=is_canceled)
        self.unscored = result.unscored
        return result.scenes

    def check_access(self) -> None:
        """Credentials and a Cloud project are found, from the environment variables and files on this computer only
        (no token is asked for: that is the search's first request). The credentials found are kept, so the search
        does not look for them again.

        Raises:
            NoCredentialsError: no credentials anywhere ``auth.find_credentials`` looks.
            NoProjectError: no project given nor found (``auth.resolve_project``).
            AuthError: the credentials found cannot be used (a file that is not JSON, a named key file missing...).
            InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
        """
        credentials = self.credentials or find_credentials()
        resolve_project(self.project, credentials)
        self.credentials = credentials

    def no_scene_error(
        self, start: date, end: date, aoi: Optional[Bounds] = None, aoi_crs: Union[CRS, str, None] = None
    ) -> NoScenesFound:
        """``START_DATE``: Earth Engine lists no scene of the collection in the dates over the extent."""
        return NoScenesFound(
            "START_DATE",
            f"Earth Engine lists no scene of {self.collection} acquired between {start} "
            f"and {end} (end excluded) over the extent: widen the dates or the extent",
        )

    def default_crs(self, aoi: Optional[Bounds], aoi_crs: Union[CRS, str, None]) -> Optional[CRS]:
        """The UTM zone of the AOI's centre (``utm.utm_crs``): Sentinel-2 tiles are in UTM."""
        return utm_crs(aoi, aoi_crs) if aoi is not None else None

    def estimate(self, scenes: Sequence[Scene], bands: Sequence[str], grid: Grid) -> FetchEstimate:
        """Requests and megabytes (uncompressed) still to fetch for these bands of these scenes on ``grid``."""
        planned, cached = self.plan_requests(scenes, bands, grid)
        return estimate(planned, cached)

    def download_estimates(
        self, scenes: Sequence[Scene], bands: Sequence[str], qa_band: str, grid: Grid, statistics: int
    ) -> Dict[str, FetchEstimate]:
        """Every engine's download: the composite alone (``statistics`` x bands + 2 count bands, uint16, tiles
        already cached not counted), every band of every scene with its score, and an export's files (the
        composite, uncompressed, as one request)."""
        band_count = statistics * len(bands) + 2
        tiles = computed_tiles(grid, band_count, self.tile_size)
        servers = estimate(tile_requests("computed", tiles, band_count))  # the cache is known only at the run
        exported = FetchEstimate(1, servers.megabytes)
        return {SERVERS: servers, THIS_COMPUTER: self.estimate(scenes, list(bands) + [qa_band], grid), EXPORT: exported}

    def compute_composite(
        self, request, plan, progress: Optional[FetchProgress] = None, is_canceled: Optional[Callable[[], bool]] = None
    ) -> ComputedComposite:
        """Compute the composite on Earth Engine's servers (``image:computePixels``, see ``expression``) on the
        plan's grid, tile by tile into the cache, and return it for reading.

        Only the scenes of the plan (the scored ones the search found, less those left out) are composited; the
        tiles already cached for the same expression and grid are not asked for again.

        Raises:
            InputError: ``EXTENT`` when the download is over the ceiling.
            Cancelled: ``is_canceled`` returned True (computed tiles are kept).
            EarthEngineError / AuthError: a request failed for good (Earth Engine's message).
        """
        expression, band_count = self._expression(request, plan)
        asset_id = computed_asset_id(expression)
        tiles = computed_tiles(plan.grid, band_count, self.tile_size)
        planned, cached = plan_compute(self.cache, asset_id, tiles, band_count)
        size = estimate(planned, cached)
        check_ceiling(size, self.ceiling_mb)
        log.info("Earth Engine computes the composite on its servers: %s", size)
        client = self.client() if planned else None  # all cached: no credentials asked for
        run_requests(
            planned,  # fetch_one runs only for planned tiles, so client is set then
            lambda tile, stop: compute_tile(
                cast(EarthEngineClient, client), self.cache, expression, tile, band_count, stop
            ),
            self.max_workers,
            progress,
            is_canceled,
        )
        return CachedComposite(self.cache, asset_id, tiles, band_count)

    def export_composite(
        self,
        request,
        plan,
        progress: Optional[Callable[[str, float], None]] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
        cancel_remote: Optional[Callable[[], bool]] = None,
    ) -> ComputedComposite:
        """Export the composite to ``request.bucket`` as an Earth Engine batch task (``image:export``, see
        ``export``), or find the task a run of the same request started; poll it (state and progress to
        ``progress``), download its files (resuming what an earlier run downloaded) and return them as one image
        on the plan's grid. The task's name is recorded beside the output until the output is written.

        Raises:
            InputError: ``BUCKET`` missing or not a bucket name; ``EXTENT`` when the download is over the ceiling.
            Cancelled: ``is_canceled`` returned True; the task is cancelled too unless ``cancel_remote`` returns
                False (then it goes on, and the next run picks it up); downloaded files are kept.
            EarthEngineError / StorageError / AuthError: a request failed for good, or the task failed (Earth
                Engine's message).
        """
        job = self._export_job(request, plan)
        check_ceiling(
            FetchEstimate(1, plan.grid.width * plan.grid.height * 2 * job.band_count / MEGABYTE), self.ceiling_mb
        )
        try:
            return job.run(progress, is_canceled, cancel_remote)
        finally:
            job.storage.close()

    def start_export(self, request, plan, is_canceled: Optional[Callable[[], bool]] = None) -> None:
        """Start the export task of ``export_composite`` (or find it again) without waiting for it.

        Raises:
            InputError: ``BUCKET``, as ``export_composite``; ``EXTENT`` when the download is over the ceiling.
            EarthEngineError / AuthError: Earth Engine refused the task.
            Cancelled: ``is_canceled`` returned True.
        """
        job = self._export_job(request, plan)
        check_ceiling(
            FetchEstimate(1, plan.grid.width * plan.grid.height * 2 * job.band_count / MEGABYTE), self.ceiling_mb
        )
        try:
            job.start(is_canceled)
        finally:
            job.storage.close()

    def cancel_export(self, request) -> None:
        """Cancel the export task recorded beside ``request.output`` (started by ``start_export``) unless it has
        ended; failures are logged, never raised."""
        try:
            cancel_recorded_task(self.client(), Path(request.output))
        except CloudScoreError as error:  # no credentials or project: nothing could have been started
            log.warning("Could not cancel the export task of %s: %s", request.output, error)

    def _expression(self, request, plan) -> Tuple[Dict, int]:
        """The composite's expression for the plan's scenes and its number of bands."""
        expression = composite_expression(
            self.collection,
            aoi_geometry(request.aoi, request.aoi_crs),
            request.start,
            request.end,
            [s.scene_id for s in plan.scenes],
            request.qa_band,
            request.threshold,
            plan.bands,
            request.method,
            request.percentiles,
        )
        return expression, len(statistic_band_names(plan.bands, request.method, request.percentiles)) + 2

    def _export_job(self, request, plan) -> ExportJob:
        bucket = check_bucket(request.bucket)
        expression, band_count = self._expression(request, plan)
        client = self.client()
        storage = StorageClient(client.credentials, self.storage_url, self.retry)
        return ExportJob(
            client,
            storage,
            expression,
            plan.grid,
            band_count,
            bucket,
            Path(request.output),
            f"{request.start:%Y%m%d}_{request.end:%Y%m%d}",
            self.poll or PollPolicy(),
        )

    def fetch(
        self,
        scenes: Sequence[Scene],
        bands: Sequence[str],
        grid: Grid,
        progress: Optional[FetchProgress] = None,
        is_canceled=None,
    ) -> None:
        """Download the tiles of these bands of these scenes on ``grid`` that the cache lacks.

        ``progress(done, total)`` counts requests. Tiles fetched before a cancel or a failure stay cached,
        so the next run fetches only the rest.

        Raises:
            InputError: ``EXTENT`` when the fetch is over the ceiling (size and ceiling in the message).
            Cancelled: ``is_canceled`` returned True.
            EarthEngineError / AuthError: a request failed for good.
        """
        planned, cached = self.plan_requests(scenes, bands, grid)
        size = estimate(planned, cached)
        check_ceiling(size, self.ceiling_mb)
        log.info("Earth Engine fetch estimate: %s", size)
        client = self.client() if planned else None  # all cached: no credentials asked for
        run_requests(
            planned,  # fetch_one runs only for planned tiles, so client is set then
            lambda request, stop: fetch_tile(cast(EarthEngineClient, client), self.cache, request, stop),
            self.max_workers,
            progress,
            is_canceled,
        )

    def read_block(
        self, scene: Scene, bands: Sequence[str], grid: Grid, window: Window, out: Optional[np.ndarray] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Read ``bands`` of a fetched scene onto one window of ``grid`` from the cached tiles, into ``out`` when
        given (see ``Source.read_block``); inside ``kept_open`` the tile files stay open for the next read.

        Returns:
            (data, valid): float32 and bool, shape (len(bands), window.height, window.width). Reflectance in
            digital numbers (scale 10000), scores 0..1. Earth Engine returns 0 for masked and missing pixels,
            so 0 is never valid (as Sentinel-2's own nodata 0).

        Raises:
            KeyError: a band that is neither a Sentinel-2 band nor ``cs``/``cs_cdf``.
            EarthEngineError: a needed tile is not in the cache (``fetch`` was not run, or the cache was cleared).
        """
        row0, col0 = int(window.row_off), int(window.col_off)
        height, width = int(window.height), int(window.width)
        if out is None:
            data = np.zeros((len(bands), height, width), dtype=np.float32)
        else:
            data = out
            data.fill(0)
        groups = self._asset_bands(scene, bands)
        for tile in self.tiles(grid):
            t = tile.window
            top, left = max(row0, int(t.row_off)), max(col0, int(t.col_off))
            bottom = min(row0 + height, int(t.row_off + t.height))
            right = min(col0 + width, int(t.col_off + t.width))
            if bottom <= top or right <= left or not covers(scene, tile.grid.bounds, grid.crs):
                continue
            inside = Window(left - int(t.col_off), top - int(t.row_off), right - left, bottom - top)
            target = (slice(top - row0, bottom - row0), slice(left - col0, right - col0))
            for asset_id, wanted in groups.items():
                self._read_tile(asset_id, tile, wanted, inside, data, target)
        with np.errstate(invalid="ignore"):
            valid = np.isfinite(data) & (data != 0)
        return data, valid

    # --- the rest -------------------------------------------------------------------------------------------

    def client(self) -> EarthEngineClient:
        """The API client, made on first use (credentials and project are resolved here)."""
        if self._client is None:
            credentials = self.credentials or find_credentials()
            project = resolve_project(self.project, credentials)
            self._client = EarthEngineClient(
                credentials, project, self.api_url, self.retry, max_connections=self.max_workers
            )
        return self._client

    def tiles(self, grid: Grid) -> List[GridTile]:
        """The getPixels tiles of ``grid`` (the same for every band set, see ``DEFAULT_TILE_SIDE``)."""
        if grid not in self._tiles:
            self._tiles[grid] = split_grid(grid, self.tile_size)
        return self._tiles[grid]

    def asset_id(self, scene: Scene) -> str:
        """The scene's Sentinel-2 asset id, ``<collection>/<system:index>``."""
        return f"{self.collection}/{scene.scene_id}"

    def _asset_bands(self, scene: Scene, bands: Sequence[str]) -> Dict[str, List[Tuple[int, str]]]:
        # asset id -> [(position in ``bands``, band)]: reflectance from the scene, scores from Cloud Score+.
        groups: Dict[str, List[Tuple[int, str]]] = defaultdict(list)
        for position, band in enumerate(bands):
            if band in S2_BANDS:
                groups[self.asset_id(scene)].append((position, band))
            elif band in SCORE_BANDS:
                groups[score_asset_id(scene.scene_id)].append((position, band))
            else:
                raise KeyError(f"Earth Engine scenes have no band {band!r}")
        return groups

    def plan_requests(self, scenes: Sequence[Scene], bands: Sequence[str], grid: Grid) -> Tuple[List[TileRequest], int]:
        """The getPixels requests still needed (bands the cache lacks, per asset and tile), and the number of
        asset tiles the cache answers already. Tiles outside a scene's grid are not requested; a scene without
        a score is not asked for scores."""
        planned: List[TileRequest] = []
        cached = 0
        for scene in scenes:
            available = [b for b in bands if b in scene.band_names]
            groups = self._asset_bands(scene, available)
            for tile in self.tiles(grid):
                if not covers(scene, tile.grid.bounds, grid.crs):
                    continue
                for asset_id, wanted in groups.items():
                    missing = tuple(self.cache.missing(asset_id, tile.key, [band for _, band in wanted]))
                    if not missing:
                        cached += 1
                        continue
                    kind = "score" if missing[0] in SCORE_BANDS else "reflectance"
                    planned.append(TileRequest(asset_id, missing, tile, BYTES_PER_PIXEL[kind] * len(missing)))
        return planned, cached

    def _read_tile(
        self,
        asset_id: str,
        tile: GridTile,
        wanted: List[Tuple[int, str]],
        inside: Window,
        data: np.ndarray,
        target: Tuple[slice, slice],
    ) -> None:
        entries = self.cache.entries(asset_id, tile.key)
        by_file: Dict[Path, List[Tuple[int, int]]] = defaultdict(list)
        for position, band in wanted:
            if band not in entries:
                raise EarthEngineError(
                    f"band {band} of {asset_id} is not in the tile cache {self.cache.folder}: "
                    "fetch it first (the cache may have been cleared meanwhile)"
                )
            path, index = entries[band]
            by_file[path].append((position, index))
        for path, items in by_file.items():
            with self.opened(path) as src:
                block = src.read([index for _, index in items], window=inside, out_dtype="float32")
            data[[position for position, _ in items], target[0], target[1]] = block

    def clear_cache(self) -> None:
        """Delete every cached tile."""
        self.cache.clear()
