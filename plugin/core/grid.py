"""The target grid every scene is read onto: CRS, affine transform and shape."""

import math
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Tuple, Union

from affine import Affine
from rasterio.crs import CRS
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from .errors import InputError


Bounds = Tuple[float, float, float, float]
"""(left, bottom, right, top) in the units of some CRS."""

# Snapping tolerance in pixels: bounds this close to a pixel edge count as on it, so that
# floating-point noise in a reprojected extent does not add a row or column.
_SNAP_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid.

    Attributes:
        crs: the grid's CRS (projected, metres).
        transform: affine transform from (col, row) to (x, y) in ``crs``; ``a`` is the pixel width and ``e``
            the negative pixel height, in metres.
        width, height: number of columns and rows.
    """

    crs: CRS
    transform: Affine
    width: int
    height: int

    @property
    def shape(self) -> Tuple[int, int]:
        """(height, width) in pixels, the shape of one band of the grid as a numpy array."""
        return (self.height, self.width)

    @property
    def resolution(self) -> Tuple[float, float]:
        """(pixel width, pixel height) in metres, both positive."""
        return (self.transform.a, -self.transform.e)

    @property
    def bounds(self) -> Bounds:
        """(left, bottom, right, top) of the grid in its CRS."""
        left, top = self.transform.c, self.transform.f
        return (left, top + self.height * self.transform.e, left + self.width * self.transform.a, top)

    def blocks(self, block_size: int) -> Iterator[Window]:
        """Windows of at most ``block_size`` x ``block_size`` pixels tiling the grid row by row.

        The last row and column of blocks are smaller where ``block_size`` does not divide the grid.
        """
        for row in range(0, self.height, block_size):
            for col in range(0, self.width, block_size):
                yield Window(col, row, min(block_size, self.width - col), min(block_size, self.height - row))


def _snap_down(value: float, origin: float, step: float) -> float:
    return origin + math.floor((value - origin) / step + _SNAP_TOLERANCE) * step


def _snap_up(value: float, origin: float, step: float) -> float:
    return origin + math.ceil((value - origin) / step - _SNAP_TOLERANCE) * step


def check_resolution(resolution: Union[float, Sequence[float]]) -> Tuple[float, float]:
    """Return ``resolution`` as (pixel width, pixel height) in metres.

    Raises:
        InputError: field ``RESOLUTION``, when a value is not a number greater than 0.
    """
    values = (resolution, resolution) if isinstance(resolution, (int, float)) else tuple(resolution)
    if len(values) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in values):
        raise InputError("RESOLUTION", f"resolution {resolution!r} must be a number of metres greater than 0")
    return float(values[0]), float(values[1])


def check_block_size(block_size: object, field: str = "BLOCK_SIZE") -> int:
    """``block_size`` when it is a whole number of pixels of at least 16 (the side of a square block).

    Raises:
        InputError: ``field`` otherwise.
    """
    if not isinstance(block_size, int) or isinstance(block_size, bool) or block_size < 16:
        raise InputError(field, f"block size {block_size!r} must be a whole number of pixels >= 16")
    return block_size


DEFAULT_OUTPUT_CEILING_GB = 20.0
"""Default ceiling of one output raster, in GB (GiB, 2**30 bytes) uncompressed: a season's composite of a whole
109.8 km MGRS tile at 10 m (10980 x 10980 px) with 4 bands x 3 percentiles + count as uint16 is 2.9 GB, all 13
bands' medians + count 3.1 GB; a grid 0.001 m fine (a typo for 10) would be terabytes."""
MIN_GRID_SIDE = 4
"""Fewest pixels a side of an output grid may have: fewer means a resolution far too coarse for the extent."""


def check_output_grid(
    grid: Grid, bands: int, bytes_per_sample: int, ceiling_gb: Optional[float], field: str = "RESOLUTION"
) -> None:
    """Refuse an output grid whose size is out of all proportion, before anything is written.

    Args:
        grid: the output grid.
        bands: bands of the output.
        bytes_per_sample: 2 for uint16, 1 for bytes.
        ceiling_gb: largest uncompressed size in GB (GiB); None, 0 or less = no ceiling.
        field: the parameter to name (``RESOLUTION`` when one was given, else ``EXTENT``).

    Raises:
        InputError: ``field`` when a side has fewer than ``MIN_GRID_SIDE`` pixels, or the grid's uncompressed size
            is over ``ceiling_gb`` (the message gives the grid size, the bytes and the ceiling).
    """
    size = f"{grid.width} x {grid.height} pixels of {grid.resolution[0]:g} m"
    if grid.width < MIN_GRID_SIDE or grid.height < MIN_GRID_SIDE:
        raise InputError(
            field,
            f"the output grid would be only {size}: at least {MIN_GRID_SIDE} x {MIN_GRID_SIDE} "
            "pixels are needed; choose a finer RESOLUTION or a larger EXTENT",
        )
    gigabytes = grid.width * grid.height * bands * bytes_per_sample / 2**30
    if ceiling_gb is not None and ceiling_gb > 0 and gigabytes > ceiling_gb:
        raise InputError(
            field,
            f"the output grid would be {size} x {bands} band(s) = {gigabytes:,.1f} GB "
            f"uncompressed, over the ceiling of {ceiling_gb:g} GB (setting "
            "cloudscore_composite/output_ceiling_gb): choose a coarser RESOLUTION or a smaller "
            "EXTENT, or raise the ceiling",
        )


def grid_from_aoi(
    aoi: Bounds,
    aoi_crs: Union[CRS, str],
    crs: Union[CRS, str],
    resolution: Union[float, Sequence[float]],
    origin: Tuple[float, float] = (0.0, 0.0),
) -> Grid:
    """The grid of ``crs`` pixels of ``resolution`` metres that covers an AOI.

    The AOI's bounds are reprojected to ``crs`` (densified, so curved edges are covered) and widened
    outwards to the pixel lattice through ``origin``; passing a scene's upper-left corner as ``origin``
    keeps that scene's pixels unresampled (GDAL's target-aligned pixels, anchored at the scene).

    Args:
        aoi: AOI bounds (left, bottom, right, top) in ``aoi_crs``.
        aoi_crs: CRS of ``aoi``: anything ``rasterio.crs.CRS.from_user_input`` takes.
        crs: the grid's CRS; must be projected in metres.
        resolution: pixel size in metres, one number (square pixels) or (width, height).
        origin: a point of the pixel lattice, in ``crs``.

    Raises:
        InputError: ``RESOLUTION`` for a non-positive resolution, ``CRS`` for a CRS not in metres,
            ``EXTENT`` for an empty or inverted AOI.
    """
    xres, yres = check_resolution(resolution)
    aoi_crs = CRS.from_user_input(aoi_crs)
    crs = CRS.from_user_input(crs)
    if not crs.is_projected or (crs.linear_units or "").lower() not in ("metre", "meter", "m"):
        raise InputError("CRS", f"the grid CRS {crs.to_string()} is not a projected CRS in metres")
    left, bottom, right, top = aoi
    if not (right > left and top > bottom):
        raise InputError("EXTENT", f"the area of interest {tuple(aoi)} is empty")
    if aoi_crs != crs:
        left, bottom, right, top = transform_bounds(aoi_crs, crs, left, bottom, right, top, densify_pts=21)
    ox, oy = origin
    left, right = _snap_down(left, ox, xres), _snap_up(right, ox, xres)
    bottom, top = _snap_down(bottom, oy, yres), _snap_up(top, oy, yres)
    width, height = round((right - left) / xres), round((top - bottom) / yres)
    if width <= 0 or height <= 0:
        raise InputError("EXTENT", "the area of interest is smaller than one pixel")
    return Grid(crs, Affine(xres, 0.0, left, 0.0, -yres, top), width, height)


def intersection(a: Bounds, b: Bounds) -> Optional[Bounds]:
    """The overlap of two bounds in one CRS, or None when they share no area."""
    left, bottom = max(a[0], b[0]), max(a[1], b[1])
    right, top = min(a[2], b[2]), min(a[3], b[3])
    return (left, bottom, right, top) if right > left and top > bottom else None


def union(bounds: Sequence[Bounds]) -> Bounds:
    """The smallest bounds holding all of ``bounds`` (one CRS); ``bounds`` must not be empty."""
    return (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds))
