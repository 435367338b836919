"""Scene footprints as GeoJSON polygons in a chosen CRS, for footprint layers."""

from typing import Any, Dict, List, Union

from rasterio.crs import CRS
from rasterio.warp import transform_geom

from .scene import Scene

WGS84 = CRS.from_epsg(4326)
EDGE_POINTS = 21
"""Points per edge of a scene's rectangle: reprojected straight edges bend, so they are densified first
(as GDAL's ``transform_bounds`` densifies with 21 points)."""


def densified_ring(left: float, bottom: float, right: float, top: float) -> List[List[float]]:
    """A closed ring around a rectangle, ``EDGE_POINTS`` points per edge, clockwise from the upper-left corner
    ([[x, y], ...], the first point repeated last), so the rectangle stays covered once reprojected."""
    steps = EDGE_POINTS - 1
    ring = []
    for start, end in (
        ((left, top), (right, top)),
        ((right, top), (right, bottom)),
        ((right, bottom), (left, bottom)),
        ((left, bottom), (left, top)),
    ):
        ring += [
            [start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps]
            for i in range(steps)
        ]
    return ring + [ring[0]]


def scene_footprint(scene: Scene, crs: Union[CRS, str]) -> Dict[str, Any]:
    """The scene's footprint as a GeoJSON geometry (Polygon or MultiPolygon) in ``crs``.

    The source's footprint (``Scene.footprint``, EPSG:4326, e.g. Earth Engine's asset geometry) when it has one,
    else the rectangle of the scene's grid (its raster bounds, which include any nodata border).
    """
    crs = CRS.from_user_input(crs)
    if scene.footprint is not None:
        geometry, geometry_crs = scene.footprint, WGS84
    else:
        geometry, geometry_crs = {"type": "Polygon", "coordinates": [densified_ring(*scene.bounds)]}, scene.crs
    return geometry if geometry_crs == crs else transform_geom(geometry_crs, crs, geometry)
