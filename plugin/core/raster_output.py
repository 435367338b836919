"""Composite GeoTIFFs, written to a temporary file and renamed into place."""

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Sequence, Union

import numpy as np
import rasterio

from .atomic_file import atomic_path
from .errors import Cancelled, InputError
from .grid import Grid
from .verified_write import copy_verified, verified_raster

NODATA = 0
"""Nodata of every composite band: 0, as in Sentinel-2 L1C/L2A products (reflectance DN 0 is no data)."""

UINT16_MAX = np.iinfo(np.uint16).max


def to_uint16(values: np.ndarray) -> np.ndarray:
    """Reflectance DN (scale 10000) or counts as uint16: rounded (halves to even, ``numpy.rint``), NaN to ``NODATA``.

    Real values are clipped to 1..65535, so a valid value never reads back as nodata.
    """
    out = np.rint(np.nan_to_num(values, nan=NODATA))
    valid = ~np.isnan(values)
    out[valid] = np.clip(out[valid], 1, UINT16_MAX)
    return out.astype(np.uint16)


def check_output_path(path: Union[str, Path], field: str = "OUTPUT") -> Path:
    """``path`` as a Path when it names a GeoTIFF in an existing, writable folder.

    Raises:
        InputError: ``field`` when the suffix is not .tif/.tiff or the folder is missing or read-only.
    """
    path = Path(path)
    if path.suffix.lower() not in (".tif", ".tiff"):
        raise InputError(field, f"output {str(path)!r} must be a GeoTIFF file name ending in .tif")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InputError(field, f"folder {str(folder)!r} of the output does not exist or is not writable")
    return path


FORMATS = ("GTiff", "COG")
"""Output formats: a tiled GeoTIFF, or a Cloud-Optimized GeoTIFF (GDAL's COG driver: internal tiles, overviews)."""

BYTE_SCALE = 40.0
"""Scale of byte output: byte = DN / 40 (reflectance x 250), 1..255, so 255 stands for reflectance 1.02 and above.
Recorded as the bands' GDAL scale, so ``byte * scale + offset`` gives DN (scale 10000) back, as the Pan-European
seasonal mosaic recorded its byte scaling in the files."""

BYTE_MAX = np.iinfo(np.uint8).max
COG_BLOCK_SIZE = 512


def to_byte(values: np.ndarray, scale: float = BYTE_SCALE) -> np.ndarray:
    """Reflectance DN (or counts with ``scale`` 1) as uint8: ``rint(values / scale)`` clipped to 1..255, NaN to
    nodata 0."""
    valid = ~np.isnan(values)
    out = np.zeros(values.shape, dtype=np.uint8)
    out[valid] = np.clip(np.rint(values[valid] / scale), 1, BYTE_MAX)
    return out


def check_format(output_format: str, field: str = "FORMAT") -> str:
    """``output_format`` when it is one of ``FORMATS``.

    Raises:
        InputError: ``field`` naming the accepted formats.
    """
    if output_format not in FORMATS:
        raise InputError(field, f"format {output_format!r} is not one of {', '.join(FORMATS)}")
    return output_format


def geotiff_profile(
    grid: Grid, count: int, dtype: str, nodata: Optional[float], predictor: Optional[int] = None
) -> Dict[str, object]:
    """rasterio creation options of the plugin's GeoTIFFs on ``grid``: 256 px tiles, DEFLATE, BigTIFF when needed.

    Args:
        grid: CRS, transform and shape.
        count: number of bands.
        dtype: numpy/GDAL data type name (``uint16``, ``float32``, ...).
        nodata: the nodata value, or None.
        predictor: GDAL's TIFF predictor (2 horizontal differencing, for integers); None = none.
    """
    profile = dict(
        driver="GTiff",
        width=grid.width,
        height=grid.height,
        count=count,
        dtype=dtype,
        crs=grid.crs,
        transform=grid.transform,
        nodata=nodata,
        compress="deflate",
        tiled=True,
        blockxsize=256,
        blockysize=256,
        BIGTIFF="IF_SAFER",
    )
    if predictor is not None:
        profile["predictor"] = predictor
    return profile


@contextmanager
def atomic_geotiff(
    path: Union[str, Path],
    grid: Grid,
    band_names: Sequence[str],
    tags: Dict[str, str],
    output_format: str = "GTiff",
    dtype: str = "uint16",
    scales: Optional[Sequence[float]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> Iterator[rasterio.io.DatasetWriter]:
    """Open a tiled, DEFLATE-compressed GeoTIFF on ``grid`` for writing, all bands nodata 0.

    The file is written under a temporary name in the target folder (``atomic_file.atomic_path``) and renamed
    onto ``path`` only when the ``with`` block ends without an exception, so ``path`` is never half-written: on
    an exception (including a cancel) the temporary files are removed and an existing ``path`` is left untouched.
    For ``COG`` the finished GeoTIFF is copied through GDAL's COG driver (512 px internal tiles, overviews
    averaged while ignoring nodata) before the rename.

    Args:
        path: target file.
        grid: CRS, transform and shape of the output.
        band_names: one description per band (``B4_median``, ``count``, ...).
        tags: dataset tags (provenance).
        output_format: one of ``FORMATS``.
        dtype: ``uint16`` or ``uint8``.
        scales: per-band GDAL scale (offset 0), e.g. ``BYTE_SCALE`` for byte reflectance; None = 1.
        is_canceled: polled once more after the COG copy, before the rename.

    Raises:
        InputError: ``FORMAT`` when ``output_format`` is not one of ``FORMATS``.
        Cancelled: ``is_canceled`` returned True after the copy; nothing is left.
    """
    check_format(output_format)
    profile = geotiff_profile(grid, len(band_names), dtype, NODATA, predictor=2)
    with atomic_path(path) as partial:
        # A COG is made by copying a finished GeoTIFF (GDAL's COG driver cannot be written block by block); that
        # GeoTIFF is a helper file of the same write (``atomic_file.partial_pattern``).
        written = partial if output_format == "GTiff" else partial.with_name(partial.name + ".gtiff.tif")
        try:
            with verified_raster(written, path, verify=output_format == "GTiff", **profile) as dst:
                for index, name in enumerate(band_names, start=1):
                    dst.set_band_description(index, name)
                if scales is not None:
                    dst.scales = tuple(scales)
                    dst.offsets = (0.0,) * len(band_names)
                dst.update_tags(**tags)
                yield dst
            if output_format == "COG":
                copy_verified(
                    written,
                    partial,
                    path,
                    dst.written,
                    (len(band_names), grid.height, grid.width),
                    driver="COG",
                    COMPRESS="DEFLATE",
                    PREDICTOR="YES",
                    BLOCKSIZE=COG_BLOCK_SIZE,
                    OVERVIEWS="AUTO",
                    RESAMPLING="AVERAGE",
                    BIGTIFF="IF_SAFER",
                )
                if is_canceled is not None and is_canceled():  # the copy of a large file takes a while
                    raise Cancelled("cancelled by the user")
        finally:
            if written != partial:
                written.unlink(missing_ok=True)
