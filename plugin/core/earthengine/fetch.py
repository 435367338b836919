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
from typing import Any, Callable, Dict, Optional, Sequence, Set, Tuple

import requests
from rasterio.errors import RasterioError
from rasterio.io import MemoryFile

from ..errors import Cancelled, InputError
from .cache import TileCache
from .client import BodyError, EarthEngineClient
from .search import asset_name
from .tiling import GridTile

log = logging.getLogger(__name__)

DEFAULT_MAX_WORKERS = 8
MEGABYTE = 1024 * 1024
_POLL_SECONDS = 0.2  # how often the cancel callback is polled while requests are in flight


@dataclass(frozen=True)
class FetchEstimate:
    """What a fetch will download: ``requests`` getPixels calls, ``megabytes`` uncompressed (MiB), and how many
    tile requests the cache already answers (``cached``)."""

    requests: int
    megabytes: float
    cached: int = 0

    def __str__(self) -> str:
        return (f"{self.requests} request(s), about {self.megabytes:.1f} MB uncompressed"
                + (f" ({self.cached} tile(s) already cached)" if self.cached else ""))


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
    """Refuse a fetch larger than the ceiling (None or 0 = no ceiling).

    Raises:
        InputError: ``EXTENT``, naming the size, the number of requests and the ceiling.
    """
    if ceiling_mb and planned.megabytes > ceiling_mb:
        raise InputError(
            "EXTENT",
            f"this Earth Engine fetch needs about {planned.megabytes:.1f} MB in {planned.requests} request(s), over "
            f"the ceiling of {ceiling_mb:g} MB (setting cloudscore_composite/earthengine/ceiling_mb): choose a "
            "smaller extent, fewer dates or bands, a coarser resolution, or raise the ceiling")


def pixel_grid(tile: GridTile) -> Dict[str, Any]:
    """The ``grid`` (PixelGrid) of a getPixels request for one tile."""
    t = tile.grid.transform
    epsg = tile.grid.crs.to_epsg()
    grid: Dict[str, Any] = {
        "dimensions": {"width": tile.grid.width, "height": tile.grid.height},
        "affineTransform": {"scaleX": t.a, "shearX": t.b, "translateX": t.c,
                            "shearY": t.d, "scaleY": t.e, "translateY": t.f},
    }
    if epsg is not None:
        grid["crsCode"] = f"EPSG:{epsg}"
    else:
        grid["crsWkt"] = tile.grid.crs.to_wkt()
    return grid


def geotiff_checker(request: TileRequest) -> Callable[[requests.Response], bytes]:
    """A ``decode`` for the client: the body must be a whole GeoTIFF of the requested bands and tile size."""

    def decode(response: requests.Response) -> bytes:
        content = response.content
        wanted = (len(request.bands), request.tile.grid.height, request.tile.grid.width)
        try:
            with MemoryFile(content) as memory, memory.open() as dataset:
                shape = (dataset.count, dataset.height, dataset.width)
                if shape != wanted:
                    raise BodyError(f"GeoTIFF of shape {shape}, expected {wanted}")
                # Decode every block once (a block at a time, to bound memory): a damaged stream fails here.
                for _, window in dataset.block_windows(1):
                    dataset.read(window=window)
        except (RasterioError, OSError, ValueError) as error:
            raise BodyError(f"not a readable GeoTIFF ({error})") from error
        return content

    return decode


def fetch_tile(client: EarthEngineClient, cache: TileCache, request: TileRequest,
               should_stop: Optional[Callable[[], bool]] = None) -> None:
    """Download one tile as GeoTIFF and store it in the cache (retries are the client's)."""
    body = {"fileFormat": "GEO_TIFF", "bandIds": list(request.bands), "grid": pixel_grid(request.tile)}
    content = client.request("POST", f"v1/{asset_name(request.asset_id)}:getPixels", json=body,
                             decode=geotiff_checker(request), should_stop=should_stop)
    cache.put(request.asset_id, request.tile.key, request.bands, content)


def run_requests(requests_: Sequence[TileRequest], fetch_one: Callable[[TileRequest, Callable[[], bool]], None],
                 max_workers: int = DEFAULT_MAX_WORKERS, progress: Optional[Callable[[int, int], None]] = None,
                 is_canceled: Optional[Callable[[], bool]] = None) -> None:
    """Run ``fetch_one`` over the requests with at most ``max_workers`` in flight.

    ``progress(done, total)`` is called as requests finish. On a cancel or a failure, requests not started
    are dropped and those in flight finish (their tiles are kept), then ``Cancelled`` or the failure is raised.

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
        pending: Set[Future] = {pool.submit(guarded, r) for r in requests_}
        try:
            while pending:
                finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
                done += len(finished)
                if finished and progress is not None:
                    progress(done, total)
                if pending and is_canceled is not None and is_canceled():
                    log.info("Earth Engine fetch cancelled after %d of %d request(s); fetched tiles are kept",
                             done, total)
                    raise Cancelled("cancelled by the user")
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise

