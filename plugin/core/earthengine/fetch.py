"""Download ``getPixels`` tiles into the cache: several in flight, progress, cancel, estimate and ceiling.

REST facts (Earth Engine REST reference, ``projects.assets.getPixels``): ``POST v1/{name}:getPixels`` with
``{fileFormat: GEO_TIFF, bandIds, grid: {dimensions, affineTransform, crsCode}}``; masked or missing pixels come
back as 0. Earth Engine allows about 40 concurrent requests per project: the default of 8 in flight stays well
below it when a few runs share a project.
"""

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional, Sequence, Set, Tuple

import requests
from rasterio.errors import RasterioError
from rasterio.io import MemoryFile

from ..errors import Cancelled, InputError
from ..grid import Grid
from ..source import MEGABYTE, FetchEstimate
from .cache import TileCache
from .client import BodyError, EarthEngineClient
from .search import asset_name
from .tiling import GridTile

log = logging.getLogger(__name__)

DEFAULT_MAX_WORKERS = 8
MAX_WORKERS = 40
"""Most requests in flight: Earth Engine allows about 40 concurrent requests per project (../shared/DESIGN.md)."""
_POLL_SECONDS = 0.2  # how often the cancel callback is polled while requests are in flight


@dataclass(frozen=True)
class TileRequest:
    """Some bands of one asset on one grid tile.

    Attributes:
        asset_id: e.g. ``COPERNICUS/S2_HARMONIZED/<system:index>``.
        bands: band ids in request (and file) order.
        tile: the grid tile.
        bytes_per_pixel: uncompressed bytes of one pixel over ``bands``.
    """

    asset_id: str
    bands: Tuple[str, ...]
    tile: GridTile
    bytes_per_pixel: int

    @property
    def nbytes(self) -> int:
        """Uncompressed size of the answer in bytes."""
        return self.tile.pixels() * self.bytes_per_pixel


def estimate(requests_: Sequence[TileRequest], cached: int = 0) -> FetchEstimate:
    """The size of a list of requests."""
    return FetchEstimate(len(requests_), sum(r.nbytes for r in requests_) / MEGABYTE, cached)


def check_ceiling(planned: FetchEstimate, ceiling_mb: Optional[float]) -> None:
    """Refuse a fetch larger than the ceiling (None, 0 or less = no ceiling).

    Raises:
        InputError: ``EXTENT``, naming the size, the number of requests and the ceiling.
    """
    if ceiling_mb is not None and ceiling_mb > 0 and planned.megabytes > ceiling_mb:
        raise InputError(
            "EXTENT",
            f"this Earth Engine fetch needs about {planned.megabytes:.1f} MB in {planned.requests} request(s), over "
            f"the ceiling of {ceiling_mb:g} MB (setting cloudscore_composite/earthengine/ceiling_mb): choose a "
            "smaller extent, fewer dates or bands, a coarser resolution, or raise the ceiling",
        )


def pixel_grid(tile: GridTile) -> Dict[str, Any]:
    """The ``grid`` (PixelGrid) of a getPixels request for one tile: ``crsCode`` only for a CRS that is exactly
    an EPSG one (``to_epsg(100)``), else ``crsWkt``, so Earth Engine never answers on a look-alike CRS."""
    t = tile.grid.transform
    epsg = tile.grid.crs.to_epsg(100)
    grid: Dict[str, Any] = {
        "dimensions": {"width": tile.grid.width, "height": tile.grid.height},
        "affineTransform": {
            "scaleX": t.a,
            "shearX": t.b,
            "translateX": t.c,
            "shearY": t.d,
            "scaleY": t.e,
            "translateY": t.f,
        },
    }
    if epsg is not None:
        grid["crsCode"] = f"EPSG:{epsg}"
    else:
        grid["crsWkt"] = tile.grid.crs.to_wkt()
    return grid


def geotiff_checker(grid: Grid, band_count: int) -> Callable[[requests.Response], bytes]:
    """A ``decode`` for the client: the body must be a whole GeoTIFF of ``band_count`` bands on ``grid`` (shape,
    transform within ``Affine.almost_equals``' precision, and CRS); otherwise ``BodyError`` (retried)."""

    def decode(response: requests.Response) -> bytes:
        content = response.content
        wanted = (band_count, grid.height, grid.width)
        try:
            with MemoryFile(content) as memory, memory.open() as dataset:
                shape = (dataset.count, dataset.height, dataset.width)
                if shape != wanted:
                    raise BodyError(f"GeoTIFF of shape {shape}, expected {wanted}")
                if not dataset.transform.almost_equals(grid.transform):
                    raise BodyError(
                        f"GeoTIFF on transform {tuple(dataset.transform)[:6]}, expected {tuple(grid.transform)[:6]}"
                    )
                if dataset.crs != grid.crs:
                    raise BodyError(f"GeoTIFF in CRS {dataset.crs}, expected {grid.crs}")
                # Decode every block once (a block at a time, to bound memory): a damaged stream fails here.
                for _, window in dataset.block_windows(1):
                    dataset.read(window=window)
        except (RasterioError, OSError, ValueError) as error:
            raise BodyError(f"not a readable GeoTIFF ({error})") from error
        return content

    return decode


def raise_first_failure(futures: Iterable[Future[Any]]) -> None:
    """Raise the first exception of finished ``futures`` that is not ``Cancelled`` (a request stopped because
    another failed must not hide the real error), else the first ``Cancelled``; nothing when none failed."""
    errors = [e for e in (f.exception() for f in futures if not f.cancelled()) if e is not None]
    for error in errors:
        if not isinstance(error, Cancelled):
            raise error
    if errors:
        raise errors[0]


def fetch_tile(
    client: EarthEngineClient, cache: TileCache, request: TileRequest, should_stop: Optional[Callable[[], bool]] = None
) -> None:
    """Download one tile as GeoTIFF and store it in the cache (retries are the client's).

    Raises:
        EarthEngineError, AuthError: the request failed for good (see ``EarthEngineClient.request``).
        Cancelled: ``should_stop`` returned True before an attempt or during a retry wait.
        WriteError: the tile could not be written to the cache (its path and the reason, e.g. a full disk).
    """
    body = {"fileFormat": "GEO_TIFF", "bandIds": list(request.bands), "grid": pixel_grid(request.tile)}
    content = client.request(
        "POST",
        f"v1/{asset_name(request.asset_id)}:getPixels",
        json=body,
        decode=geotiff_checker(request.tile.grid, len(request.bands)),
        should_stop=should_stop,
    )
    cache.put(request.asset_id, request.tile.key, request.bands, content)


def run_requests(
    requests_: Sequence[TileRequest],
    fetch_one: Callable[[TileRequest, Callable[[], bool]], None],
    max_workers: int = DEFAULT_MAX_WORKERS,
    progress: Optional[Callable[[int, int], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> None:
    """Run ``fetch_one`` over the requests with at most ``max_workers`` in flight.

    ``progress(done, total)`` is called as requests finish. On a cancel or a failure, requests not started
    are dropped and those in flight finish or stop at their next check of ``should_stop`` (their tiles are
    kept), then ``Cancelled`` or the failure is raised. A failure wins over the ``Cancelled`` of the requests it
    stopped (see ``raise_first_failure``).

    Raises:
        Cancelled: ``is_canceled`` returned True.
        EarthEngineError: a request failed after its retries.
    """
    total = len(requests_)
    if progress is not None:
        progress(0, total)
    if not total:
        return
    stop = threading.Event()

    def guarded(request: TileRequest) -> None:
        if stop.is_set():
            return
        try:
            fetch_one(request, stop.is_set)
        except BaseException:
            stop.set()  # at once, so no worker starts another request
            raise

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="cloudscore-ee") as pool:
        pending: Set[Future[None]] = {pool.submit(guarded, r) for r in requests_}
        try:
            while pending:
                finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                if any(future.exception() is not None for future in finished):
                    stop.set()
                    for future in pending:
                        future.cancel()
                    stopped, pending = wait(pending)  # the rest stop at their next check of ``stop``
                    raise_first_failure([*finished, *stopped])
                done += len(finished)
                if finished and progress is not None:
                    progress(done, total)
                if pending and is_canceled is not None and is_canceled():
                    log.info(
                        "Earth Engine fetch cancelled after %d of %d request(s); fetched tiles are kept", done, total
                    )
                    raise Cancelled("cancelled by the user")
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise
