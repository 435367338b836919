"""An independent reading of the demo scenes, for checking the pipeline: rasterio and numpy only."""

from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import rasterio

from ..conftest import DEMO_DIR

CLOUDY_SCENE = "20150820T100728_20150820T100728_T33TVL"  # fully cloudy (data README)


def demo_files() -> List[Path]:
    return sorted(DEMO_DIR.glob("*.tif"))


def read_demo() -> Tuple[List[str], np.ndarray, np.ndarray, List[str]]:
    """(scene ids, reflectance float32 (scenes, 13, rows, cols), clear score float32 (scenes, rows, cols),
    the 13 band names)."""
    ids, reflectance, scores = [], [], []
    for path in demo_files():
        with rasterio.open(path) as src:
            names = list(src.descriptions)
            data = src.read()
        ids.append(path.stem)
        reflectance.append(data[:13])
        scores.append(data[names.index("clear")])
    return ids, np.stack(reflectance), np.stack(scores), names[:13]


def reference_composite(threshold: float) -> Dict[str, np.ndarray]:
    """numpy's nanmedian of the clear pixels (score >= threshold, reflectance not 0), rounded to uint16."""
    _, reflectance, scores, _ = read_demo()
    clear = (scores >= np.float32(threshold)) & (reflectance != 0).all(axis=1)
    with np.testing.suppress_warnings() as quiet:
        quiet.filter(RuntimeWarning, "All-NaN slice")  # pixels with no clear observation
        median = np.nanmedian(np.where(clear[:, None], reflectance.astype(np.float64), np.nan), axis=0)
    return {
        "median": np.where(np.isnan(median), 0, np.rint(median)).astype(np.uint16),
        "count": clear.sum(axis=0).astype(np.uint16),
        "clear": clear,
    }
