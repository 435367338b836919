"""Settings of the outputs, shared by the dock and the Processing algorithms.

Key (``QgsSettings``): ``cloudscore_composite/output_ceiling_gb``, the largest composite a run may write, in GB
(GiB, 2**30 bytes) uncompressed; default ``core.grid.DEFAULT_OUTPUT_CEILING_GB`` (20); 0 or less = no ceiling. A run
whose output grid is larger is refused before anything is written, naming ``RESOLUTION`` or ``EXTENT``.
"""

import math
from typing import Optional

from qgis.core import QgsSettings

from .core.grid import DEFAULT_OUTPUT_CEILING_GB

OUTPUT_CEILING_KEY = "cloudscore_composite/output_ceiling_gb"


def output_ceiling_gb() -> Optional[float]:
    """The ceiling set in ``OUTPUT_CEILING_KEY`` (default ``DEFAULT_OUTPUT_CEILING_GB``); None for no ceiling
    (0 or less), the default for a value that is not a number."""
    value = QgsSettings().value(OUTPUT_CEILING_KEY, DEFAULT_OUTPUT_CEILING_GB)
    try:
        ceiling = float(value)
    except (TypeError, ValueError):
        return DEFAULT_OUTPUT_CEILING_GB
    if math.isnan(ceiling):
        return DEFAULT_OUTPUT_CEILING_GB
    return ceiling if ceiling > 0 else None
