"""Sanity hints of the dock's AOI panel: typed bounds outside every scene or with latitude and longitude swapped
(``core.aoi_hints``, worded here), the field marked while they look wrong, and the size of the whole area of the
scenes."""

from typing import Optional, Sequence

from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle
from qgis.PyQt.QtWidgets import QWidget

from ..core.aoi_hints import LATITUDE_RANGE, OUTSIDE, SWAPPED, bounds_hint
from ..core.grid import Bounds
from ..core.scene import Scene, scenes_grid
from ..qgis_crs import crs_for_core
from ..translation import tr, translated
from .aoi import ALL_SCENES, AOI_KINDS, Aoi

HINT_STYLE = "QLineEdit { border: 1px solid #c00000; border-radius: 2px; }"
"""The red outline of a field whose value looks wrong (as ``field_feedback``'s of a refused field), added to the
field's style sheet and taken out again, so that it composes with that mark."""


def format_bounds(bounds: Bounds) -> str:
    """Bounds as the bounds field takes them: "xmin, ymin, xmax, ymax", without needless digits."""
    return ", ".join(f"{v:.10g}" for v in bounds)


def typed_bounds_hint(
    aoi: Aoi, source_scenes: Optional[Sequence[Scene]], known_scenes: Optional[Sequence[Scene]]
) -> Optional[str]:
    """Why typed bounds look wrong (see ``core.aoi_hints.bounds_hint``), as a short message; None when they look
    right or nothing is known to compare them with.

    Args:
        aoi: the typed bounds' AOI.
        source_scenes: every scene of the source when all are known (a scanned folder's), else None.
        known_scenes: other scenes known (a search's), only to suggest swapped latitude and longitude.
    """
    hint = bounds_hint(aoi.bounds(), crs_for_core(aoi.crs), aoi.crs.isGeographic(), source_scenes, known_scenes)
    if hint is None:
        return None
    if hint.kind == LATITUDE_RANGE:
        if hint.suggestion is None:
            return tr("Latitudes (y) must lie within -90..90 in {0}.").format(aoi.crs.userFriendlyIdentifier())
        return tr(
            "Latitudes (y) must lie within -90..90 in {0}: latitude and longitude look swapped: did you mean {1}?"
        ).format(aoi.crs.userFriendlyIdentifier(), format_bounds(hint.suggestion))
    if hint.kind == SWAPPED:
        return tr("The bounds touch no scene; latitude and longitude look swapped: did you mean {0}?").format(
            format_bounds(hint.suggestion)
        )
    if hint.kind == OUTSIDE:
        count = len(source_scenes or ())
        return tr("The bounds touch none of the %n scene(s) of the source: check them and their CRS.", "", count)
    return None


def mark_field(widget: QWidget, why: Optional[str], tip: str) -> None:
    """Outline the line edit ``widget`` in red with ``why`` first in its tooltip; with ``why`` None, its usual
    look and ``tip``. Other rules of its style sheet (a refusal's mark) stay."""
    style = widget.styleSheet().replace(HINT_STYLE, "").strip()
    style = f"{style}\n{HINT_STYLE}".strip() if why else style
    if style != widget.styleSheet():  # a new style sheet polishes the widget again: not at every keystroke
        widget.setStyleSheet(style)
    widget.setToolTip(f"{why}\n\n{tip}" if why else tip)


def is_hinted(widget: QWidget) -> bool:
    """True while ``widget`` carries a sanity hint's outline."""
    return HINT_STYLE in widget.styleSheet()


def whole_area_size(scenes: Sequence[Scene], resolution: Optional[float], crs: Optional[str]) -> str:
    """The size of the whole area of ``scenes`` as a composite covers it: "1 tile: 1.01 km², 10,100 pixels at
    10 m" (the tiles when the scenes know theirs).

    Args:
        scenes: the scenes (at least one).
        resolution: the pixel size chosen (metres), or None for the scenes' own.
        crs: the output CRS chosen, or None for the CRS most scenes share.

    Raises:
        CloudScoreError: as ``scenes_grid`` (e.g. an output CRS not in metres).
    """
    grid = scenes_grid(scenes, None, None, resolution, crs)
    epsg = grid.crs.to_epsg()
    grid_crs = (
        QgsCoordinateReferenceSystem(f"EPSG:{epsg}")
        if epsg
        else QgsCoordinateReferenceSystem.fromWkt(grid.crs.to_wkt())
    )
    area = Aoi(
        ALL_SCENES, translated(AOI_KINDS[ALL_SCENES]), [QgsGeometry.fromRect(QgsRectangle(*grid.bounds))], grid_crs
    )
    size = area.describe_size(grid.width * grid.height, resolution)  # worded as the other AOIs: "at 10 m"
    tiles = len({s.tile for s in scenes if s.tile})
    return tr("%n tile(s): {0}", "", tiles).format(size) if tiles else size
