"""The real ALCD test data (tests/data/alcd, from the team's shared/data/ALCD): ESA's cloud mask and ALCD's
hand-labelled points, as rasters.

The data holds no ALCD reference class map and no clear score, only, for tile T31TCJ on 2024-03-05, the real
full-tile ESA L1C cloud mask ``MSK_CLASSI_B00.jp2`` (60 m, bands: opaque clouds, cirrus, snow; 1 = set) and the
points an ALCD operator labelled on that scene (one shapefile per class). ``reference_class_map`` burns those points
into an ALCD-style class map on the mask's 60 m grid (ALCD class values, 0 = no label), so ESA's mask can be judged
against ALCD's labels. Read with GDAL/OGR only, independently of the plugin.
"""

from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import rasterio

from ..conftest import ROOT

ALCD_DIR = ROOT / "tests" / "data" / "alcd"
ESA_MASK = ALCD_DIR / "MSK_CLASSI_B00.jp2"
POINTS_DIR = ALCD_DIR / "Masks"
# ALCD's class values (ALCD cfg/otb_table.txt) for its point layers.
POINT_CLASSES = {"low_clouds": 2, "high_clouds": 3, "clouds_shadows": 4, "land": 5, "water": 6, "snow": 7}


def labelled_points() -> Dict[str, np.ndarray]:
    """Per ALCD point layer, its points as float64 (n, 2) x, y in EPSG:32631."""
    from osgeo import ogr

    points = {}
    for name in POINT_CLASSES:
        source = ogr.Open(str(POINTS_DIR / f"{name}.shp"))
        layer = source.GetLayer()
        assert layer.GetSpatialRef().GetAuthorityCode(None) == "32631"
        points[name] = np.array([f.GetGeometryRef().GetPoint_2D() for f in layer], dtype=np.float64).reshape(-1, 2)
    return points


def reference_class_map(path: Path) -> Tuple[Path, np.ndarray]:
    """Write the labelled points as a uint8 class map on the ESA mask's grid (later layers win a shared pixel).

    Returns:
        the path and the class array (rows, cols).
    """
    with rasterio.open(ESA_MASK) as mask:
        profile = dict(
            driver="GTiff",
            width=mask.width,
            height=mask.height,
            count=1,
            dtype="uint8",
            crs=mask.crs,
            transform=mask.transform,
        )
        inverse = ~mask.transform
    classes = np.zeros((profile["height"], profile["width"]), dtype=np.uint8)
    for name, points in labelled_points().items():
        for x, y in points:
            col, row = inverse * (x, y)
            classes[int(np.floor(row)), int(np.floor(col))] = POINT_CLASSES[name]
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(classes, 1)
    return path, classes
