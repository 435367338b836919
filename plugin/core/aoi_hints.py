"""Sanity hints on typed AOI bounds, before any search: bounds outside every scene of the source, and latitude and
longitude swapped in a geographic CRS. Hints only: the search and the run still decide (``InputError``)."""

import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Union

from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.warp import transform_bounds

from .grid import Bounds, intersection
from .scene import Scene

LATITUDE_RANGE, SWAPPED, OUTSIDE = "latitude_range", "swapped", "outside"
"""What a hint says: a latitude (y) beyond -90..90; latitude and longitude look swapped (the swapped box touches
scenes, the box none); the box touches no scene of the source."""


@dataclass(frozen=True)
class BoundsHint:
    """What looks wrong with typed bounds.

    Attributes:
        kind: ``LATITUDE_RANGE``, ``SWAPPED`` or ``OUTSIDE``.
        suggestion: the bounds with latitude and longitude swapped when they would do (``SWAPPED``, and
            ``LATITUDE_RANGE`` when the swapped latitudes lie within -90..90), else None.
    """

    kind: str
    suggestion: Optional[Bounds] = None


def swapped(bounds: Bounds) -> Bounds:
    """``bounds`` (xmin, ymin, xmax, ymax) with x and y exchanged: (ymin, xmin, ymax, xmax)."""
    xmin, ymin, xmax, ymax = bounds
    return (ymin, xmin, ymax, xmax)


def latitudes_valid(bounds: Bounds) -> bool:
    """True when the y of geographic ``bounds`` (latitudes) lie within -90..90."""
    return bounds[1] >= -90.0 and bounds[3] <= 90.0


def touches_any(scenes: Sequence[Scene], aoi: Bounds, aoi_crs: Union[CRS, str, None]) -> bool:
    """True when the AOI's bounds (in ``aoi_crs``; the scene's CRS when None) share area with some scene's
    rectangle, tested as the folder's search does (the AOI's bounds transformed into each scene's CRS). Bounds
    that cannot be transformed there (e.g. a latitude beyond 90°) touch nothing."""
    source_crs = CRS.from_user_input(aoi_crs) if aoi_crs is not None else None
    transformed: Dict[str, Optional[Bounds]] = {}  # per scene CRS: a folder's scenes mostly share one or two
    for scene in scenes:
        key = scene.crs.to_wkt()
        if key not in transformed:
            transformed[key] = _transformed(aoi, source_crs, scene.crs)
        box = transformed[key]
        if box is not None and intersection(scene.bounds, box) is not None:
            return True
    return False


def _transformed(aoi: Bounds, source_crs: Optional[CRS], crs: CRS) -> Optional[Bounds]:
    if source_crs is None or source_crs == crs:
        return aoi
    try:
        box = transform_bounds(source_crs, crs, *aoi, densify_pts=21)
    except (RasterioError, ValueError):
        return None
    return box if all(math.isfinite(v) for v in box) else None


def bounds_hint(
    aoi: Bounds,
    aoi_crs: Union[CRS, str, None],
    geographic: bool,
    source_scenes: Optional[Sequence[Scene]] = None,
    known_scenes: Optional[Sequence[Scene]] = None,
) -> Optional[BoundsHint]:
    """What looks wrong with typed bounds, or None.

    In a geographic CRS a latitude beyond -90..90 is wrong (``LATITUDE_RANGE``), and bounds touching no scene
    while their swapped box would look swapped (``SWAPPED``). Bounds touching none of ``source_scenes`` are
    ``OUTSIDE``.

    Args:
        aoi: (xmin, ymin, xmax, ymax) in ``aoi_crs`` (x = longitude in a geographic CRS, as QGIS shows it).
        aoi_crs: CRS of ``aoi``.
        geographic: True when ``aoi_crs`` is geographic (degrees).
        source_scenes: every scene of the source when they are all known (a scanned folder); None when the
            source holds more than is known (Earth Engine: the whole world), so that no bounds are "outside".
        known_scenes: other scenes known (e.g. a search's), used only to suggest swapped bounds.
    """
    if geographic and not latitudes_valid(aoi):
        suggestion = swapped(aoi)
        return BoundsHint(LATITUDE_RANGE, suggestion if latitudes_valid(suggestion) else None)
    scenes = source_scenes or known_scenes
    if not scenes or touches_any(scenes, aoi, aoi_crs):
        return None
    if geographic and touches_any(scenes, swapped(aoi), aoi_crs):
        return BoundsHint(SWAPPED, swapped(aoi))
    return BoundsHint(OUTSIDE) if source_scenes else None
