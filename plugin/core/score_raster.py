"""One raster file with a clear score band (QA band) or a mask band: open it, find the band, read it on a grid."""

from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from .errors import InputError
from .grid import Grid

BandRef = Union[str, int]
"""A band given by its description (``cs``, ``clear``) or its 1-based number (``14`` or ``"14"``)."""


def open_raster(path: Union[str, Path], field: str) -> DatasetReader:
    """Open a raster file for reading (use it in a ``with`` block).

    Raises:
        InputError: ``field`` when no path is given or GDAL cannot read the file.
    """
    if not str(path or "").strip():
        raise InputError(field, "choose a raster file")
    try:
        return rasterio.open(path)
    except (RasterioError, OSError) as error:  # rasterio 1.3 raises RasterioIOError, an OSError
        raise InputError(field, f"{str(path)!r} is not a raster file GDAL can read ({error})") from error


def grid_of(src: DatasetReader, field: str) -> Grid:
    """The grid (CRS, transform, shape) of an open raster.

    Raises:
        InputError: ``field`` when the raster has no CRS (it cannot be put on another raster's grid).
    """
    if src.crs is None:
        raise InputError(field, f"raster {src.name!r} has no CRS")
    return Grid(src.crs, src.transform, src.width, src.height)


def band_index(src: DatasetReader, band: BandRef, field: str) -> int:
    """The 1-based number of ``band`` in ``src``: a band number, or a band description (exact, else ignoring case).

    Raises:
        InputError: ``field`` when no band is given, the number is outside 1..band count, or no band has
            that description (the message lists the bands there are).
    """
    text = str(band if band is not None else "").strip()
    if not text:
        raise InputError(field, "name the band (its description, e.g. cs, or its number)")
    if text.isdigit():
        number = int(text)
        if not 1 <= number <= src.count:
            raise InputError(field, f"band number {number} is outside 1..{src.count}, the bands of {src.name!r}")
        return number
    descriptions = [d or "" for d in src.descriptions]
    if text in descriptions:
        return descriptions.index(text) + 1
    lowered = [d.lower() for d in descriptions]
    if text.lower() in lowered:
        return lowered.index(text.lower()) + 1
    named = ", ".join(f"{i} {d}" if d else str(i) for i, d in enumerate(descriptions, start=1))
    raise InputError(field, f"raster {src.name!r} has no band {text!r}; its bands are {named}")


def band_label(src: DatasetReader, index: int) -> str:
    """The description of band ``index`` (1-based), or ``band <index>`` when it has none."""
    return src.descriptions[index - 1] or f"band {index}"


def read_bands(
    src: DatasetReader, indexes: Sequence[int], window: Window, grid: Optional[Grid] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Read bands of ``src`` in one window, on its own grid or resampled onto ``grid`` (nearest neighbour).

    Nearest neighbour, so a score or a class is never a blend of neighbours. A band with a GDAL scale/offset is
    returned scaled (a uint8 0..100 score with scale 0.01 reads 0..1).

    Args:
        src: an open raster.
        indexes: 1-based band numbers.
        window: the window to read, on ``grid`` when given, else on ``src``'s own grid.
        grid: target grid; None reads ``src`` as it is.

    Returns:
        (data, valid): float32 and bool arrays of shape (len(indexes), window.height, window.width); ``valid`` is
        False outside ``src``, on its nodata value, where its mask says so, and on NaN.
    """
    indexes = list(indexes)
    if grid is None:
        data = src.read(indexes, window=window, out_dtype="float32")
        valid = src.read_masks(indexes, window=window) > 0
    else:
        # The alpha band tells pixels outside the raster from real values equal to the fill value.
        with WarpedVRT(src, crs=grid.crs, transform=grid.transform, width=grid.width, height=grid.height,
                       resampling=Resampling.nearest, src_nodata=src.nodata, nodata=src.nodata,
                       add_alpha=True) as vrt:
            data = vrt.read(indexes, window=window, out_dtype="float32")
            valid = np.repeat(vrt.read(vrt.count, window=window)[np.newaxis] > 0, len(indexes), axis=0)
    valid &= np.isfinite(data)
    if src.nodata is not None and not np.isnan(src.nodata):
        valid &= data != np.float32(src.nodata)
    for position, index in enumerate(indexes):
        scale, offset = src.scales[index - 1], src.offsets[index - 1]
        if scale != 1.0 or offset != 0.0:
            data[position] = data[position] * scale + offset
    return data, valid
