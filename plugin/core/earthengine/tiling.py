"""Split a target grid into ``getPixels`` requests that Earth Engine accepts.

Limits per request (Earth Engine REST reference, ``getPixels``): at most 48 MiB uncompressed
(width x height x bands x bytes per pixel; the error says "must be less than or equal to 50331648 bytes"),
at most 32768 pixels a side. Tiles are whole-pixel windows of the grid, so they join without gaps or overlaps.
"""

import hashlib
import math
from dataclasses import dataclass
from typing import List

from affine import Affine
from rasterio.windows import Window

from ..grid import Grid

MAX_REQUEST_BYTES = 48 * 1024 * 1024
MAX_REQUEST_SIDE = 32768
TILE_MULTIPLE = 256
"""Tile sides are a multiple of this (GeoTIFF blocks, round numbers for the cache) when the limits allow it."""


@dataclass(frozen=True)
class GridTile:
    """One request's worth of the target grid.

    Attributes:
        window: where the tile sits in the target grid (whole pixels).
        grid: the tile's own grid (the target grid's CRS and pixel size, shifted to the window).
    """

    window: Window
    grid: Grid

    @property
    def key(self) -> str:
        """A stable name of this tile of the pixel lattice (CRS, transform, size): same tile, same key."""
        t = self.grid.transform
        text = "|".join(
            [
                self.grid.crs.to_wkt(),
                *(repr(float(v)) for v in (t.a, t.b, t.c, t.d, t.e, t.f)),
                str(self.grid.width),
                str(self.grid.height),
            ]
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def pixels(self) -> int:
        """Pixels in the tile (one band)."""
        return self.grid.width * self.grid.height


def tile_side(bytes_per_pixel: int, max_bytes: int = MAX_REQUEST_BYTES, max_side: int = MAX_REQUEST_SIDE) -> int:
    """The largest square tile side, in pixels, whose request stays within the limits.

    Args:
        bytes_per_pixel: sum over the requested bands of their bytes per pixel (uint16 2, float32 4).

    Raises:
        ValueError: ``bytes_per_pixel`` is not positive, or one pixel alone exceeds ``max_bytes``.
    """
    if bytes_per_pixel <= 0 or bytes_per_pixel > max_bytes:
        raise ValueError(f"{bytes_per_pixel} bytes per pixel cannot fit a request of {max_bytes} bytes")
    side = min(max_side, math.isqrt(max_bytes // bytes_per_pixel))
    return side // TILE_MULTIPLE * TILE_MULTIPLE if side >= TILE_MULTIPLE else side


def split_grid(grid: Grid, side: int) -> List[GridTile]:
    """Tiles of at most ``side`` x ``side`` pixels covering ``grid`` exactly, row by row, from its upper-left."""
    tiles = []
    for window in grid.blocks(side):
        col, row = int(window.col_off), int(window.row_off)
        transform = grid.transform * Affine.translation(col, row)
        tiles.append(GridTile(window, Grid(grid.crs, transform, int(window.width), int(window.height))))
    return tiles


def request_bytes(tile: GridTile, bytes_per_pixel: int) -> int:
    """Uncompressed bytes of one request: pixels x bytes per pixel over its bands."""
    return tile.pixels() * bytes_per_pixel
