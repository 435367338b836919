"""The ``cloudscore`` Processing provider: it only lists the algorithms."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms.composite_earthengine import CompositeEarthEngineAlgorithm
from .algorithms.composite_folder import CompositeFolderAlgorithm
from .algorithms.evaluate_mask import EvaluateMaskAlgorithm
from .algorithms.fetch_scenes import FetchScenesAlgorithm
from .algorithms.mask_scene import MaskSceneAlgorithm
from .algorithms.search_scenes import SearchScenesAlgorithm
from .algorithms.seasonal_composites import SeasonalCompositesAlgorithm
from .paths import ICON_PATH
from .translation import tr


class CloudScoreProvider(QgsProcessingProvider):
    """Processing provider id ``cloudscore``: algorithms ``cloudscore:<name>``."""

    def id(self):  # QGIS's name
        return "cloudscore"

    def name(self):
        return "CloudScore Composite"  # the product's name, the same in every language

    def longName(self):  # noqa: N802
        return tr("CloudScore Composite: cloud-free Sentinel-2 composites")

    def icon(self):
        return QIcon(str(ICON_PATH))

    def loadAlgorithms(self):  # noqa: N802
        self.addAlgorithm(CompositeFolderAlgorithm())
        self.addAlgorithm(CompositeEarthEngineAlgorithm())
        self.addAlgorithm(SearchScenesAlgorithm())
        self.addAlgorithm(FetchScenesAlgorithm())
        self.addAlgorithm(SeasonalCompositesAlgorithm())
        self.addAlgorithm(MaskSceneAlgorithm())
        self.addAlgorithm(EvaluateMaskAlgorithm())

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        # The writer makes GeoTIFFs only.
        return ["tif"]
