"""Clear masks from per-pixel clear scores, and clip masks from AOI polygons."""

import math
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt
from rasterio.crs import CRS
from rasterio.features import geometry_mask
from rasterio.warp import transform_geom
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from .errors import InputError
from .grid import Grid
from .version import plugin_version

CLEAR_RULE = "clear where score >= threshold"
"""The clear rule, in words, as recorded in the outputs' ``CLOUDSCORE_CLEAR_RULE`` tag (Earth Engine's Cloud Score+
recipe keeps ``score.gte(threshold)``)."""


def check_threshold(threshold: float) -> float:
    """Return ``threshold`` as a float when it is a clear threshold in 0..1.

    Raises:
        InputError: field ``THRESHOLD``, when it is not a number in 0..1.
    """
    if not isinstance(threshold, (int, float)) or not math.isfinite(threshold) or not 0.0 <= threshold <= 1.0:
        raise InputError("THRESHOLD", f"clear threshold {threshold!r} is outside the accepted range 0..1")
    return float(threshold)


def clear_mask(score: npt.NDArray[Any], valid: npt.NDArray[np.bool_], threshold: float) -> npt.NDArray[np.bool_]:
    """Where a pixel is clear: its score is valid and ``score >= threshold``.

    Equality is clear, as in Earth Engine's Cloud Score+ recipe (``score.gte(threshold)``); geedim, by
    contrast, masks ``score <= threshold``. Nodata, NaN and missing scores are never clear, whatever the
    threshold.

    Args:
        score: clear scores 0 (occluded) .. 1 (clear), any float dtype, any shape.
        valid: bool, same shape: False where the score is nodata or outside the scene.
        threshold: clear threshold 0..1.

    Returns:
        bool array of ``score``'s shape.

    Raises:
        InputError: ``THRESHOLD`` outside 0..1.
    """
    threshold = check_threshold(threshold)
    # Compare in the score's own precision: float32(0.7) < 0.7, so a float32 score stored as 0.7 would
    # otherwise fail a 0.7 threshold it equals.
    limit = np.asarray(threshold, dtype=score.dtype) if np.issubdtype(score.dtype, np.floating) else threshold
    with np.errstate(invalid="ignore"):
        return valid & (score >= limit)


def geometries_in_crs(
    geometries: Sequence[Dict[str, Any]], geometries_crs: Union[CRS, str, None], crs: CRS
) -> List[Dict[str, Any]]:
    """GeoJSON geometry dicts reprojected from ``geometries_crs`` (None: already in ``crs``) to ``crs``."""
    if geometries_crs is None or CRS.from_user_input(geometries_crs) == crs:
        return list(geometries)
    return [transform_geom(geometries_crs, crs, g) for g in geometries]


def inside_geometries(
    geometries: Sequence[Dict[str, Any]],
    geometries_crs: Union[CRS, str, None],
    grid: Grid,
    window: Optional[Window] = None,
) -> npt.NDArray[np.bool_]:
    """Which pixels of ``grid`` (or of one ``window`` of it) have their centre inside any of the ``geometries``.

    Args:
        geometries: GeoJSON geometry dicts (Polygon, MultiPolygon) in ``geometries_crs``.
        geometries_crs: their CRS (None: the grid's).
        grid: the grid.
        window: a window of the grid; None = the whole grid.

    Returns:
        bool (rows, cols) of the grid or the window: True inside (GDAL's rasterization rule: pixel centres).
    """
    shape = grid.shape if window is None else (window.height, window.width)
    geometries = geometries_in_crs(geometries, geometries_crs, grid.crs)
    if not geometries:
        return np.zeros(shape, dtype=bool)
    transform = grid.transform if window is None else window_transform(window, grid.transform)
    return np.asarray(geometry_mask(geometries, out_shape=shape, transform=transform, invert=True), dtype=bool)


def clear_rule_tags(qa_band: str, threshold: float) -> Dict[str, str]:
    """The provenance tags of any output masked by a clear score: ``CLOUDSCORE_QA_BAND``,
    ``CLOUDSCORE_CLEAR_THRESHOLD`` (0..1, ``repr`` of the float so it reads back exactly),
    ``CLOUDSCORE_CLEAR_RULE`` (``CLEAR_RULE``) and ``CLOUDSCORE_VERSION`` (the plugin's)."""
    return {
        "CLOUDSCORE_QA_BAND": qa_band,
        "CLOUDSCORE_CLEAR_THRESHOLD": repr(float(threshold)),
        "CLOUDSCORE_CLEAR_RULE": CLEAR_RULE,
        "CLOUDSCORE_VERSION": plugin_version(),
    }
