"""The dock's "Earth Engine settings" group: the stored secret, the tile cache and the fetch limits.

Every value goes to ``cloudscore_composite/earthengine/<key>`` through ``earthengine_settings`` as soon as it is
changed: the dock and the ``cloudscore:compositeearthengine`` algorithm read the same settings. The secret itself
stays in the QGIS authentication database; only the configuration's id is stored.
"""

from qgis.gui import QgsAuthConfigSelect, QgsCollapsibleGroupBox, QgsFileWidget
from qgis.PyQt.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QMessageBox, QPushButton, QSpinBox, QWidget

from ..translation import tr
from ..core.earthengine.cache import TileCache, default_cache_dir
from ..core.earthengine.fetch import DEFAULT_MAX_WORKERS, MAX_WORKERS
from ..earthengine_settings import DEFAULT_CEILING_MB, ee_setting, set_ee_setting

MAX_CEILING_MB = 1_000_000


def megabytes(size_bytes: int) -> str:
    """``"12.3 MB"``: a size in bytes as megabytes (MiB), one decimal."""
    return tr("{0:,.1f} MB").format(size_bytes / 2**20)


class EarthEngineSettingsBox(QgsCollapsibleGroupBox):
    """Collapsible "Earth Engine settings": authentication configuration, cache folder (and Clear cache), size
    ceiling in MB (0 = none) and requests in flight (1..40)."""

    def __init__(self, parent: QWidget = None):
        """Build the group and show the stored settings."""
        super().__init__(tr("Earth Engine settings"), parent)
        self.setObjectName("earthEngineSettingsGroupBox")
        self.setCollapsed(True)
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above: the dock stays narrow

        self.authConfigSelect = QgsAuthConfigSelect(self)
        self.authConfigSelect.setObjectName("authConfigSelect")
        self.authConfigSelect.setToolTip(
            tr(
                "QGIS authentication configuration holding your Earth Engine secret (e.g. an OAuth2 or a "
                "bearer-token configuration). The secret stays in the QGIS authentication database; only the "
                "configuration's id is remembered. None: CLOUDSCORE_EE_TOKEN, the service-account key named by "
                "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY, the earthengine credentials file or application-default "
                "credentials, in that order."
            )
        )
        for part in self.authConfigSelect.findChildren(QWidget):  # its combo box and message line show it too
            part.setToolTip(self.authConfigSelect.toolTip())
        layout.addRow(tr("Authentication"), self.authConfigSelect)

        self.cacheFolderWidget = QgsFileWidget(self)
        self.cacheFolderWidget.setObjectName("cacheFolderWidget")
        self.cacheFolderWidget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.cacheFolderWidget.lineEdit().setPlaceholderText(f"[{default_cache_dir()}]")
        self.cacheFolderWidget.setToolTip(
            tr(
                "Folder of the tile cache: downloaded pixels (scenes, or composites computed on Earth Engine's "
                "servers) are kept there, so an interrupted run resumes and, on this computer, another threshold, "
                "method or band subset fetches nothing. Empty: the default folder shown."
            )
        )
        self.clearCacheButton = QPushButton(tr("Clear cache"), self)
        self.clearCacheButton.setObjectName("clearCacheButton")
        self.clearCacheButton.setToolTip(tr("Delete every cached tile (asks first); the next run fetches again."))
        cache_row = QHBoxLayout()
        cache_row.addWidget(self.cacheFolderWidget, 1)
        cache_row.addWidget(self.clearCacheButton)
        layout.addRow(tr("Tile cache"), cache_row)

        self.ceilingSpinBox = QDoubleSpinBox(self)
        self.ceilingSpinBox.setObjectName("ceilingSpinBox")
        self.ceilingSpinBox.setRange(0, MAX_CEILING_MB)
        self.ceilingSpinBox.setDecimals(0)
        self.ceilingSpinBox.setSingleStep(256)
        self.ceilingSpinBox.setSuffix(" MB")
        self.ceilingSpinBox.setSpecialValueText(tr("no ceiling"))
        self.ceilingSpinBox.setToolTip(
            tr(
                "Refuse a download larger than this (uncompressed megabytes, as in the download estimate; the "
                "composite's on Earth Engine's servers, every scene's on this computer). 0: no ceiling."
            )
        )
        layout.addRow(tr("Size ceiling"), self.ceilingSpinBox)

        self.requestsSpinBox = QSpinBox(self)
        self.requestsSpinBox.setObjectName("requestsSpinBox")
        self.requestsSpinBox.setRange(1, MAX_WORKERS)
        self.requestsSpinBox.setToolTip(
            tr(
                "Requests in flight at once (getPixels or computePixels; 1..{0}, default {1}). "
                "Fewer if Earth Engine answers 429 (too many requests) often."
            ).format(MAX_WORKERS, DEFAULT_MAX_WORKERS)
        )
        layout.addRow(tr("Requests in flight"), self.requestsSpinBox)

        self.load()
        self.authConfigSelect.selectedConfigIdChanged.connect(lambda value: set_ee_setting("authcfg", value))
        self.cacheFolderWidget.fileChanged.connect(lambda value: set_ee_setting("cache_dir", value.strip()))
        self.ceilingSpinBox.valueChanged.connect(lambda value: set_ee_setting("ceiling_mb", float(value)))
        self.requestsSpinBox.valueChanged.connect(lambda value: set_ee_setting("max_requests", int(value)))
        self.clearCacheButton.clicked.connect(self.clear_cache)

    def load(self) -> None:
        """Show the stored settings (the defaults where none is stored)."""
        widgets = (self.authConfigSelect, self.cacheFolderWidget, self.ceilingSpinBox, self.requestsSpinBox)
        for widget in widgets:
            widget.blockSignals(True)
        self.authConfigSelect.setConfigId(ee_setting("authcfg", "") or "")
        self.cacheFolderWidget.setFilePath(ee_setting("cache_dir", "") or "")
        self.ceilingSpinBox.setValue(ee_setting("ceiling_mb", DEFAULT_CEILING_MB, float))
        self.requestsSpinBox.setValue(ee_setting("max_requests", DEFAULT_MAX_WORKERS, int))
        for widget in widgets:
            widget.blockSignals(False)

    def reset(self) -> None:
        """Put the defaults back (no authentication configuration, default cache folder and limits)."""
        for key, value in (
            ("authcfg", ""),
            ("cache_dir", ""),
            ("ceiling_mb", DEFAULT_CEILING_MB),
            ("max_requests", DEFAULT_MAX_WORKERS),
        ):
            set_ee_setting(key, value)
        self.load()

    def cache(self) -> TileCache:
        """The tile cache of the folder shown (the default folder when empty)."""
        return TileCache(self.cacheFolderWidget.filePath().strip() or None)

    def clear_cache(self) -> bool:
        """Delete every cached tile once the user confirms; True when cleared."""
        cache = self.cache()
        answer = QMessageBox.question(
            self,
            tr("Clear the Earth Engine tile cache"),
            tr("Delete the {0} of tiles cached in {1}? The next run fetches them again.").format(
                megabytes(cache.size_bytes()), cache.folder
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            cache.clear()
        except OSError as error:  # e.g. no permission: say so rather than let it escape the button's slot
            QMessageBox.warning(
                self, tr("Clear the Earth Engine tile cache"), tr("The cache could not be cleared: {0}").format(error)
            )
            return False
        return True
