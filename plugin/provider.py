"""The ``cloudscore`` Processing provider: it only lists the algorithms."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms.composite_folder import CompositeFolderAlgorithm
from .paths import ICON_PATH


class CloudScoreProvider(QgsProcessingProvider):
    """Processing provider id ``cloudscore``: algorithms ``cloudscore:<name>``."""

    def id(self):  # noqa: A003 (QGIS's name)
        return "cloudscore"

    def name(self):
        return "CloudScore Composite"

    def longName(self):  # noqa: N802
        return "CloudScore Composite: cloud-free Sentinel-2 composites"

    def icon(self):
        return QIcon(str(ICON_PATH))

    def loadAlgorithms(self):  # noqa: N802
        self.addAlgorithm(CompositeFolderAlgorithm())

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        # The writer makes GeoTIFFs only.
        return ["tif"]
