"""Composite GeoTIFFs, written to a temporary file and renamed into place."""

import os
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
import rasterio.shutil
from affine import Affine
from rasterio.errors import RasterioError

from .atomic_file import atomic_path
from .errors import Cancelled, InputError
from .gdal_errors import capture
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


COMPRESSIONS = ("DEFLATE", "ZSTD")
"""Compressions of the output: DEFLATE (the default: every GeoTIFF reader has it) or ZSTD (faster to write and
read, same size or smaller; GDAL 2.3+ built with libzstd, and not every other tool reads it)."""

DEFAULT_COMPRESSION = "DEFLATE"

ZSTD_LEVEL = 1
"""ZSTD's level: the fastest, since speed is why one chooses ZSTD over DEFLATE (GDAL's default is 9)."""


_PROBE_GRID = dict(crs="EPSG:4326", transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, 1.0))


@cache
def available_compressions() -> Tuple[str, ...]:
    """The ``COMPRESSIONS`` this GDAL can write: each is tried on a 1-pixel GeoTIFF in memory (``/vsimem``) and read
    back, since GDAL falls back to no compression with only a warning when it lacks a codec."""
    available = []
    for name in COMPRESSIONS:
        path = f"/vsimem/cloudscore_compression_probe_{name}.tif"
        try:
            profile = dict(driver="GTiff", width=1, height=1, count=1, dtype="uint8", compress=name, **_PROBE_GRID)
            with capture(), rasterio.open(path, "w", **profile) as dst:
                dst.write(np.ones((1, 1, 1), dtype=np.uint8))
            with capture(), rasterio.open(path) as src:
                if src.compression is not None and src.compression.name.upper() == name:
                    available.append(name)
        except (RasterioError, OSError):
            pass
        finally:
            with capture():
                try:
                    rasterio.shutil.delete(path)
                except (RasterioError, OSError):
                    pass
    return tuple(available)


def check_compression(compression: str, field: str = "COMPRESSION") -> str:
    """``compression`` (upper case) when it is one of ``COMPRESSIONS`` and this GDAL can write it.

    Raises:
        InputError: ``field`` naming the compressions this GDAL offers.
    """
    name = str(compression or "").strip().upper()
    if name == DEFAULT_COMPRESSION:  # DEFLATE is part of every GDAL (zlib): no need to probe
        return name
    available = available_compressions()
    if name not in available:
        known = ", ".join(available) or "none"
        lacking = " (this GDAL was built without it)" if name in COMPRESSIONS else ""
        raise InputError(field, f"compression {compression!r} is not available{lacking}; choose one of {known}")
    return name


def compression_options(compression: str) -> Dict[str, object]:
    """GDAL creation options of a compression for the GTiff and COG drivers (``ZSTD_LEVEL`` is the GTiff name of
    the level, ``LEVEL`` the COG driver's), with compression on all CPU cores (``NUM_THREADS``: GDAL compresses
    tiles on worker threads; the file is byte for byte the one a single thread writes)."""
    options: Dict[str, object] = dict(NUM_THREADS="ALL_CPUS")
    if compression == "ZSTD":
        options.update(ZSTD_LEVEL=ZSTD_LEVEL)
    return options


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
    compression: str = DEFAULT_COMPRESSION,
) -> Iterator[rasterio.io.DatasetWriter]:
    """Open a tiled, compressed GeoTIFF on ``grid`` for writing, all bands nodata 0 (DEFLATE by default, or ZSTD;
    horizontal differencing predictor; tiles compressed on all CPU cores).

    Write whole blocks of all bands at once (``dst.write(array, window=...)``): the file's tiles hold every band
    (pixel interleaving), so a band written alone may make GDAL compress a tile again for each band.

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
        compression: one of ``available_compressions()``.

    Raises:
        InputError: ``FORMAT`` when ``output_format`` is not one of ``FORMATS``; ``COMPRESSION`` when this GDAL cannot
            write ``compression``.
        Cancelled: ``is_canceled`` returned True after the copy; nothing is left.
    """
    check_format(output_format)
    compression = check_compression(compression)
    profile = geotiff_profile(grid, len(band_names), dtype, NODATA, predictor=2)
    profile.update(compress=compression.lower(), **compression_options(compression))
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
                    COMPRESS=compression,
                    PREDICTOR="YES",
                    NUM_THREADS="ALL_CPUS",
                    **(dict(LEVEL=ZSTD_LEVEL) if compression == "ZSTD" else {}),
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
