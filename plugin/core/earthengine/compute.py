"""Composites computed on Earth Engine's servers: ``computePixels`` tiles of the output grid, cached, read back.

REST facts (Earth Engine REST reference, ``projects.image.computePixels``; earthengine-api ``python/ee/data.py``
``computePixels``): ``POST v1/projects/{project}/image:computePixels`` with ``{expression, fileFormat: GEO_TIFF,
grid}``; the same limits as getPixels (48 MiB uncompressed by the expression's output type, 32768 px a side).
The expression casts every band to uint16, so a tile costs 2 bytes per band and pixel.

Tiles are cached under the asset id ``computed/<expression key>`` and the grid tile's key: the same request on
the same grid finds its tiles again, so a cancelled or failed run resumes with the missing ones, and any change
(scenes, threshold, method, bands, dates) is a new key.
"""

import functools
import logging
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt
import rasterio
from rasterio.windows import Window

from ..gdal_errors import reading
from ..grid import Grid
from ..source import ComputedComposite
from .cache import TileCache
from .client import EarthEngineClient
from .errors import EarthEngineError
from .expression import expression_key
from .fetch import TileRequest, geotiff_checker, pixel_grid
from .tiling import GridTile, split_grid, tile_side

log = logging.getLogger(__name__)

BYTES_PER_BAND = 2
"""uint16 (``Image.toUint16`` ends the expression)."""
CACHE_ENTRY = "composite"
"""The cache's name for a computed tile: one file holding every band of the composite."""


def computed_asset_id(expression: Dict[str, Any]) -> str:
    """The cache's asset id of a computed image: ``computed/<expression key>``."""
    return f"computed/{expression_key(expression)}"


def computed_tiles(grid: Grid, band_count: int, max_side: int) -> List[GridTile]:
    """The ``computePixels`` tiles of ``grid`` for an image of ``band_count`` uint16 bands: as large as the
    48 MiB / 32768 px limits allow, at most ``max_side`` pixels a side."""
    return split_grid(grid, min(tile_side(BYTES_PER_BAND * band_count), max_side))


def tile_requests(asset_id: str, tiles: Sequence[GridTile], band_count: int) -> List[TileRequest]:
    """One ``computePixels`` request per tile, each answering ``band_count`` uint16 bands."""
    return [TileRequest(asset_id, (CACHE_ENTRY,), tile, BYTES_PER_BAND * band_count) for tile in tiles]


def plan_compute(
    cache: TileCache, asset_id: str, tiles: Sequence[GridTile], band_count: int
) -> Tuple[List[TileRequest], int]:
    """The tiles still to compute (the cache lacks them) and the number already cached."""
    planned = [
        r for r in tile_requests(asset_id, tiles, band_count) if cache.missing(asset_id, r.tile.key, [CACHE_ENTRY])
    ]
    return planned, len(tiles) - len(planned)


def compute_tile(
    client: EarthEngineClient,
    cache: TileCache,
    expression: Dict[str, Any],
    request: TileRequest,
    band_count: int,
    should_stop: Optional[Callable[[], bool]] = None,
) -> None:
    """Compute one tile on Earth Engine's servers as GeoTIFF and store it in the cache (retries are the client's).

    Raises:
        EarthEngineError, AuthError: the request failed for good (Earth Engine's own message, e.g. an unknown
            function or a request over the size limit).
        Cancelled: ``should_stop`` returned True before an attempt or during a retry wait.
        WriteError: the tile could not be written to the cache (its path and the reason, e.g. a full disk).
    """
    body = {"expression": expression, "fileFormat": "GEO_TIFF", "grid": pixel_grid(request.tile)}
    content = client.request(
        "POST",
        f"v1/projects/{client.project}/image:computePixels",
        json=body,
        decode=geotiff_checker(request.tile.grid, band_count),
        should_stop=should_stop,
    )
    cache.put(request.asset_id, request.tile.key, request.bands, content)


def paste_parts(
    window: Window, band_count: int, parts: Iterable[Tuple[Window, Callable[[], Path]]], what: str
) -> npt.NDArray[np.uint16]:
    """The files that tile an output grid, pasted into one ``window`` of it.

    Args:
        window: the window of the output grid to read.
        band_count: bands of every file.
        parts: (where the file lies on the output grid, a callable giving its path; called only for the files
            that overlap ``window``).
        what: the kind of file, for messages (``tile-cache entry``, ``exported file``).

    Returns:
        uint16 (band_count, window.height, window.width); 0 where no file lies.

    Raises:
        ReadError: a file cannot be read (its path and GDAL's reason).
    """
    row0, col0 = int(window.row_off), int(window.col_off)
    height, width = int(window.height), int(window.width)
    out = np.zeros((band_count, height, width), dtype=np.uint16)
    for part, path_of in parts:
        top, left = max(row0, int(part.row_off)), max(col0, int(part.col_off))
        bottom = min(row0 + height, int(part.row_off + part.height))
        right = min(col0 + width, int(part.col_off + part.width))
        if bottom <= top or right <= left:
            continue
        inside = Window(left - int(part.col_off), top - int(part.row_off), right - left, bottom - top)
        path = path_of()
        with reading(path, what), rasterio.open(path) as src:
            out[:, top - row0 : bottom - row0, left - col0 : right - col0] = src.read(window=inside, out_dtype="uint16")
    return out


class CachedComposite(ComputedComposite):
    """A computed composite whose tiles are all in the cache, read back window by window.

    Args:
        cache: the tile cache.
        asset_id: ``computed_asset_id`` of the expression.
        tiles: the tiles covering the output grid.
        band_count: bands per tile.
    """

    def __init__(self, cache: TileCache, asset_id: str, tiles: Sequence[GridTile], band_count: int):
        self.cache, self.asset_id, self.tiles, self.band_count = cache, asset_id, list(tiles), band_count
        self._paths: Dict[str, Path] = {}

    def read(self, window: Window) -> npt.NDArray[np.uint16]:
        """uint16 (band_count, window.height, window.width) of the output grid's ``window``; 0 where masked.

        Raises:
            EarthEngineError: a tile is no longer in the cache (cleared meanwhile).
            ReadError: a cached tile cannot be read (its path and GDAL's reason).
        """
        return paste_parts(
            window,
            self.band_count,
            ((tile.window, functools.partial(self._path, tile)) for tile in self.tiles),
            "tile-cache entry",
        )

    def _path(self, tile: GridTile) -> Path:
        if tile.key not in self._paths:
            found = self.cache.locate(self.asset_id, tile.key, CACHE_ENTRY)
            if found is None:
                raise EarthEngineError(
                    f"a computed tile of {self.asset_id} is not in the tile cache "
                    f"{self.cache.folder}: run again (the cache may have been cleared meanwhile)"
                )
            self._paths[tile.key] = found[0]
        return self._paths[tile.key]
