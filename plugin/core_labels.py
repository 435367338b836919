"""Core's option labels the QGIS side shows (engines, orbit modes, seam weights), marked for ``pylupdate5``.

``plugin/core`` stays free of Qt, so its labels cannot mark themselves: they are repeated here, word for word, inside
``QT_TR_NOOP`` (context ``@default`` at module level), and the dock and the algorithms show ``translated(label)``.
A test checks that every label of ``ENGINE_LABELS``, ``ORBIT_LABELS`` and ``SEAM_LABELS`` is in ``CORE_LABELS`` (a
new one would stay English).
"""

from qgis.PyQt.QtCore import QT_TR_NOOP

CORE_LABELS = (
    # core.engines.ENGINE_LABELS
    QT_TR_NOOP("On Earth Engine's servers (only the composite is downloaded)"),
    QT_TR_NOOP("On this computer (downloads every scene; cached, re-threshold offline)"),
    QT_TR_NOOP("Export to Cloud Storage (batch task for large areas; needs a bucket)"),
    # core.orbits.ORBIT_LABELS
    QT_TR_NOOP("All scenes together"),
    QT_TR_NOOP("Per orbit, blended at the seams"),
    # core.orbits.SEAM_LABELS
    QT_TR_NOOP("Distance to the swath edge"),
    QT_TR_NOOP("Inverse distance to the swath centre line (Pan-European mosaic)"),
)
"""The labels, in English as core has them (``translation.translated`` looks each up)."""
