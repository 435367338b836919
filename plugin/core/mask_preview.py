"""A scene's clear mask at a threshold, written as a small GeoTIFF to show on the map."""

from pathlib import Path
from typing import Union

import numpy as np
import numpy.typing as npt

from .atomic_file import atomic_raster
from .grid import Grid
from .scene_stats import SceneScores

NO_SCORE, CLEAR, NOT_CLEAR = 0, 1, 2
"""Pixel values of a mask preview: no score or outside the AOI (nodata), clear, not clear."""


def mask_preview_array(scores: SceneScores, threshold: float) -> npt.NDArray[np.uint8]:
    """The preview classes of one scene at ``threshold``: uint8 (rows, cols) of ``NO_SCORE``, ``CLEAR``,
    ``NOT_CLEAR`` (clear where ``score >= threshold``, as ``masking.clear_mask``).

    Raises:
        ValueError: the scene's scores were not read.
        InputError: ``THRESHOLD`` outside 0..1.
    """
    clear = scores.clear(threshold)
    out = np.full(clear.shape, NO_SCORE, dtype=np.uint8)
    out[scores.valid] = NOT_CLEAR
    out[clear] = CLEAR
    return out


def write_mask_preview(path: Union[str, Path], grid: Grid, scores: SceneScores, threshold: float) -> Path:
    """Write ``mask_preview_array`` of a scene on its score ``grid`` as a one-band uint8 GeoTIFF, nodata 0.

    The file is small (the score grid is at most ``scene_stats.MAX_SCORE_PIXELS``) and meant to be
    replaced at every threshold change.

    Raises:
        ValueError: the scene's scores were not read.
        WriteError: the file could not be written completely (``atomic_file.atomic_raster``).
    """
    path = Path(path)
    classes = mask_preview_array(scores, threshold)
    profile = dict(
        driver="GTiff",
        width=grid.width,
        height=grid.height,
        count=1,
        dtype="uint8",
        crs=grid.crs,
        transform=grid.transform,
        nodata=NO_SCORE,
    )
    with atomic_raster(path, **profile) as dst:
        dst.write(classes, 1)
        dst.set_band_description(1, "clear_mask")
        dst.update_tags(
            CLOUDSCORE_SCENE=scores.scene.scene_id,
            CLOUDSCORE_CLEAR_THRESHOLD=repr(float(threshold)),
            CLOUDSCORE_CLASSES=f"{CLEAR}=clear,{NOT_CLEAR}=not clear,{NO_SCORE}=no score",
        )
    return path
