"""The UTM zone of an AOI: the default CRS of an Earth Engine composite (Sentinel-2 tiles are in UTM)."""

import math
from typing import Union

from rasterio.crs import CRS
from rasterio.warp import transform as transform_points

from ..grid import Bounds


def utm_crs(aoi: Bounds, aoi_crs: Union[CRS, str, None]) -> CRS:
    """WGS 84 / UTM zone of the AOI's centre: EPSG:326zz north of the equator, EPSG:327zz south of it.

    Zones are 6 degrees of longitude wide from 180 W (zone = floor((lon + 180) / 6) + 1, clamped to 1..60);
    the Norway and Svalbard exceptions of the MGRS are not applied (a neighbouring zone is still a valid grid).

    Raises:
        rasterio.errors.CRSError: ``aoi_crs`` is not a CRS rasterio understands.
    """
    left, bottom, right, top = aoi
    x, y = (left + right) / 2.0, (bottom + top) / 2.0
    source = CRS.from_user_input(aoi_crs) if aoi_crs is not None else CRS.from_epsg(4326)
    if source != CRS.from_epsg(4326):
        (x,), (y,) = transform_points(source, CRS.from_epsg(4326), [x], [y])
    zone = min(60, max(1, math.floor((x + 180.0) / 6.0) + 1))
    return CRS.from_epsg((32600 if y >= 0 else 32700) + zone)
