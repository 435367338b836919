"""One raster file with a clear score band (QA band) or a mask band: open it, find the band, read it on a grid."""

import logging
import os
from pathlib import Path
from typing import Collection, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
import rasterio
from rasterio.enums import MaskFlags, Resampling
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from .errors import InputError
from .grid import Grid

log = logging.getLogger(__name__)

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


def truncation(src: DatasetReader, path: Union[str, Path]) -> Optional[str]:
    """Why a GeoTIFF is cut short, or None: a block that GDAL's TIFF metadata (``BLOCK_OFFSET_x_y`` and
    ``BLOCK_SIZE_x_y`` in the ``TIFF`` domain) places beyond the end of the file, as in a copy cut off
    (``head -c 5000 scene.tif > copy.tif``), which GDAL opens but cannot read.

    Only the blocks of the first and last bands are looked at (a pixel-interleaved file's blocks are band 1's;
    in a band-interleaved one the last band's lie near the end, where a cut reaches first), so a full 10980 px
    scene takes a few hundredths of a second; a damage this misses fails the read that meets it (``folder_source``
    names the file).
    Other formats than GeoTIFF are not checked (None).
    """
    if src.driver != "GTiff" or not src.count:
        return None
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    block_height, block_width = src.block_shapes[0]
    rows, cols = -(-src.height // block_height), -(-src.width // block_width)
    for band in sorted({1, src.count}):
        for row in range(rows):
            for col in range(cols):
                offset = src.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=band)
                length = src.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=band)
                end = int(offset) + int(length) if offset and length else 0
                if end > size:
                    return (
                        f"block {col},{row} of band {band} ends at byte {end}, beyond the end of the {size}-byte "
                        "file (the file is truncated)"
                    )
    return None


def grid_of(src: DatasetReader, field: str) -> Grid:
    """The grid (CRS, transform, shape) of an open raster.

    Raises:
        InputError: ``field`` when the raster has no CRS (it cannot be put on another raster's grid).
    """
    if src.crs is None:
        raise InputError(field, f"raster {src.name!r} has no CRS")
    return Grid(src.crs, src.transform, src.width, src.height)


def band_index(src: DatasetReader, band: Optional[BandRef], field: str) -> int:
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


def lattice_offset(src: DatasetReader, grid: Grid) -> Optional[Tuple[int, int]]:
    """(col, row) of ``grid``'s first pixel in ``src``'s pixels when both share CRS, pixel size and pixel lattice
    (so ``grid`` reads ``src`` without resampling), else None."""
    if src.crs != grid.crs or src.transform.a != grid.transform.a or src.transform.e != grid.transform.e:
        return None
    col = (grid.transform.c - src.transform.c) / grid.transform.a
    row = (grid.transform.f - src.transform.f) / grid.transform.e
    if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
        return None
    return int(round(col)), int(round(row))


def _read_aligned(
    src: DatasetReader, indexes: List[int], window: Window, offset: Tuple[int, int]
) -> Tuple[np.ndarray, np.ndarray]:
    # The grid lies on the raster's own lattice: read the overlapping pixels as they are, no warping.
    data = np.empty((len(indexes), int(window.height), int(window.width)), dtype=np.float32)
    valid = _read_aligned_into(src, indexes, window, offset, data)
    return data, np.ones(data.shape, dtype=bool) if valid is None else valid


def _read_aligned_into(
    src: DatasetReader, indexes: List[int], window: Window, offset: Tuple[int, int], data: np.ndarray
) -> Optional[np.ndarray]:
    # As _read_aligned, straight into ``data`` (float32, the window's shape; 0 outside the raster). Returns where
    # the pixels are inside the raster and unmasked, or None when all of them are (the common case, which then
    # costs one read and nothing else).
    col, row = int(window.col_off) + offset[0], int(window.row_off) + offset[1]
    height, width = int(window.height), int(window.width)
    left, right = max(col, 0), min(col + width, src.width)
    top, bottom = max(row, 0), min(row + height, src.height)
    masked = left < right and top < bottom and _has_mask_band(src, indexes)
    if (left, top, right, bottom) == (col, row, col + width, row + height) and not masked:
        src.read(indexes, window=Window(col, row, width, height), out=data)
        return None
    data.fill(0)
    valid = np.zeros(data.shape, dtype=bool)
    if left < right and top < bottom:
        part = (slice(None), slice(top - row, bottom - row), slice(left - col, right - col))
        inside = Window(left, top, right - left, bottom - top)
        src.read(indexes, window=inside, out=data[part])
        if masked:
            valid[part] = src.read_masks(indexes, window=inside) > 0
        else:  # nodata and NaN are checked by read_bands; reading GDAL's nodata mask would read the data twice
            valid[part] = True
    return valid


def _has_mask_band(src: DatasetReader, indexes: List[int]) -> bool:
    """True when a band's validity comes from a mask or alpha band rather than from its nodata value or nothing."""
    plain = ({MaskFlags.all_valid}, {MaskFlags.nodata})
    return any(set(src.mask_flag_enums[i - 1]) not in plain for i in indexes)


def _read_warped(
    src: DatasetReader, indexes: List[int], window: Window, grid: Grid, out: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, np.ndarray]:
    # The alpha band tells pixels outside the raster from real values equal to the fill value.
    with WarpedVRT(
        src,
        crs=grid.crs,
        transform=grid.transform,
        width=grid.width,
        height=grid.height,
        resampling=Resampling.nearest,
        src_nodata=src.nodata,
        nodata=src.nodata,
        add_alpha=True,
    ) as vrt:
        if out is None:
            data = vrt.read(indexes, window=window, out_dtype="float32")
        else:
            data = vrt.read(indexes, window=window, out=out)
        valid = np.repeat(vrt.read(vrt.count, window=window)[np.newaxis] > 0, len(indexes), axis=0)
    return data, valid


def read_bands(
    src: DatasetReader,
    indexes: Sequence[int],
    window: Window,
    grid: Optional[Grid] = None,
    scaled: Optional[Collection[int]] = None,
    out: Optional[np.ndarray] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Read bands of ``src`` in one window, on its own grid or onto ``grid`` (nearest neighbour).

    When ``grid`` lies on ``src``'s pixel lattice (``lattice_offset``) the pixels are read as they are; otherwise
    they are warped with nearest neighbour, so a score or a class is never a blend of neighbours. Bands with a
    GDAL scale/offset are returned scaled (a uint8 0..100 score with scale 0.01 reads 0..1), all of them or only
    those in ``scaled`` (e.g. the QA bands, so reflectance keeps its digital numbers, scale 10000).

    Args:
        src: an open raster.
        indexes: 1-based band numbers.
        window: the window to read, on ``grid`` when given, else on ``src``'s own grid.
        grid: target grid; None reads ``src`` as it is.
        scaled: 1-based band numbers to scale; None = every band.
        out: a float32 array of shape (len(indexes), window.height, window.width) to read into (a view of a
            larger array is fine), so a caller's block buffer is filled without a copy; None = a new array.

    Returns:
        (data, valid): float32 and bool arrays of shape (len(indexes), window.height, window.width); ``valid`` is
        False outside ``src``, on its nodata value, where its mask says so, and on NaN. ``data`` is ``out`` when
        given.

    Raises:
        ValueError: ``out`` of another shape or dtype.
    """
    indexes = list(indexes)
    shape = (len(indexes), int(window.height), int(window.width))
    if out is not None and (out.shape != shape or out.dtype != np.float32):
        raise ValueError(f"out must be float32 of shape {shape}, not {out.dtype} {out.shape}")
    data = np.empty(shape, dtype=np.float32) if out is None else out
    offset = (0, 0) if grid is None else lattice_offset(src, grid)
    if offset is not None:
        inside = _read_aligned_into(src, indexes, window, offset, data)
        valid = np.isfinite(data) if inside is None else inside & np.isfinite(data)
    else:
        # Without a grid the offset is (0, 0): here there is one.
        data, valid = _read_warped(src, indexes, window, cast(Grid, grid), data)
        valid &= np.isfinite(data)
    if src.nodata is not None and not np.isnan(src.nodata):
        valid &= data != np.float32(src.nodata)
    for position, index in enumerate(indexes):
        scale, offset_value = src.scales[index - 1], src.offsets[index - 1]
        if (scaled is None or index in scaled) and (scale != 1.0 or offset_value != 0.0):
            data[position] = data[position] * scale + offset_value
    return data, valid


class ScoreRange:
    """The highest valid clear score seen while reading a QA band block by block, to warn once at the end when
    the band is not a 0..1 score (a 0..100 score without a GDAL scale would make every threshold pass)."""

    def __init__(self) -> None:
        self.highest = -np.inf

    def add(self, scores: np.ndarray, valid: Optional[np.ndarray] = None) -> None:
        """Take the valid ``scores`` of one block into account (any shape; ``valid`` bool of the same shape)."""
        values = scores if valid is None else scores[valid]
        if values.size:
            self.highest = max(self.highest, float(np.max(values)))

    def warn_if_above_one(self, qa_band: str) -> None:
        """Log a warning when a score above 1.0 was seen."""
        if self.highest > 1.0:
            log.warning(
                "QA band %s reaches %.4g, above the 0..1 clear score range: is it a 0..100 score without a GDAL scale?",
                qa_band,
                self.highest,
            )
