"""The threshold preview: the selected scene's clear mask as a temporary layer, replaced at each change."""

import logging
import uuid
from pathlib import Path
from typing import List, Optional

from qgis.core import QgsPalettedRasterRenderer, QgsProcessingUtils, QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QT_TR_NOOP
from qgis.PyQt.QtGui import QColor

from ..translation import tr, translated
from ..core.errors import WriteError
from ..core.mask_preview import CLEAR, NOT_CLEAR, write_mask_preview
from ..core.scene_stats import SceneSearch

log = logging.getLogger(__name__)

PREVIEW_OPACITY = 0.55
CLASSES = (
    (CLEAR, QColor(40, 170, 60), QT_TR_NOOP("clear")),
    (NOT_CLEAR, QColor(220, 40, 40), QT_TR_NOOP("not clear")),
)


class MaskPreview:
    """Shows one scene's clear mask (score >= threshold) from scores already read, as a layer on top.

    Each ``show`` writes a small GeoTIFF in QGIS's temporary folder and replaces the previous layer (and
    file); ``clear`` removes both (a file that cannot be deleted yet, e.g. still open on Windows, is tried again
    at the next ``clear``). Replacing the preview does not mark a clean project modified: QGIS offers no flag
    that keeps a layer out of the saved project, so at least moving the threshold does not ask to save.
    """

    def __init__(self, project: Optional[QgsProject] = None):
        self.project = project or QgsProject.instance()
        self.layer_id: Optional[str] = None
        self.path: Optional[Path] = None
        self._leftover: List[Path] = []  # preview files not deleted yet

    @property
    def layer(self) -> Optional[QgsRasterLayer]:
        """The preview layer on the map, or None."""
        return self.project.mapLayer(self.layer_id) if self.layer_id else None

    def show(self, search: SceneSearch, scene_id: str, threshold: float) -> Optional[QgsRasterLayer]:
        """Show the mask of ``scene_id`` at ``threshold``; None (and no layer) when its scores were not read."""
        scores = search.scores.get(scene_id)
        if scores is None or not scores.has_scores or search.grid is None:
            self.clear()
            return None
        folder = Path(QgsProcessingUtils.tempFolder()) / "cloudscore_preview"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            path = write_mask_preview(folder / f"mask_{uuid.uuid4().hex[:8]}.tif", search.grid, scores, threshold)
        except WriteError as error:  # e.g. a full disk: say so, show no stale mask
            log.warning(tr("The mask preview could not be written: %s"), error)
            self.clear()
            return None
        layer = QgsRasterLayer(str(path), tr("Clear mask preview: {0} at {1:.2f}").format(scene_id, threshold))
        if not layer.isValid():
            log.warning(tr("The mask preview %s did not open as a layer"), path)
            self._leftover.append(path)
            self.clear()  # no stale mask of another scene or threshold stays on the map
            return None
        classes = [
            QgsPalettedRasterRenderer.Class(value, colour, translated(label)) for value, colour, label in CLASSES
        ]
        layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))
        layer.setOpacity(PREVIEW_OPACITY)
        was_clean = not self.project.isDirty()
        self.clear()
        self.project.addMapLayer(layer, False)
        self.project.layerTreeRoot().insertLayer(0, layer)
        self.layer_id, self.path = layer.id(), path
        if was_clean:
            self.project.setDirty(False)
        return layer

    def clear(self) -> None:
        """Remove the preview layer and its file (and the files earlier clears could not delete)."""
        if self.layer_id and self.project.mapLayer(self.layer_id) is not None:
            was_clean = not self.project.isDirty()
            self.project.removeMapLayer(self.layer_id)
            if was_clean:
                self.project.setDirty(False)
        if self.path is not None:
            self._leftover.append(self.path)
        self.layer_id, self.path = None, None
        leftover, self._leftover = self._leftover, []
        for path in leftover:
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                log.debug("Preview file %s not deleted yet (%s): trying again later", path, error)
                self._leftover.append(path)
