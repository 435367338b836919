"""Composite GeoTIFFs, written to a temporary file and renamed into place."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Sequence, Union

import numpy as np
import rasterio

from .errors import InputError
from .grid import Grid

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


@contextmanager
def atomic_geotiff(
    path: Union[str, Path], grid: Grid, band_names: Sequence[str], tags: Dict[str, str]
) -> Iterator[rasterio.io.DatasetWriter]:
    """Open a uint16 tiled, DEFLATE-compressed GeoTIFF on ``grid`` for writing, all bands nodata 0.

    The file is written under a temporary name in the target folder and renamed onto ``path`` only when
    the ``with`` block ends without an exception, so ``path`` is never half-written: on an exception
    (including a cancel) the temporary file is removed and an existing ``path`` is left untouched.

    Args:
        path: target file.
        grid: CRS, transform and shape of the output.
        band_names: one description per band (``B4``, ``count``, ...).
        tags: dataset tags (provenance).
    """
    path = Path(path)
    # Same folder, so the final rename is atomic; a hidden name, so nobody opens it half-written.
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial.tif")
    profile = dict(
        driver="GTiff",
        width=grid.width,
        height=grid.height,
        count=len(band_names),
        dtype="uint16",
        crs=grid.crs,
        transform=grid.transform,
        nodata=NODATA,
        compress="deflate",
        predictor=2,
        tiled=True,
        blockxsize=256,
        blockysize=256,
        BIGTIFF="IF_SAFER",
    )
    try:
        with rasterio.open(temporary, "w", **profile) as dst:
            for index, name in enumerate(band_names, start=1):
                dst.set_band_description(index, name)
            dst.update_tags(**tags)
            yield dst
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
