"""The plugin object QGIS creates through ``classFactory``: Processing provider, dock and menu entry."""

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from . import qgis_logging
from .paths import ICON_PATH
from .provider import CloudScoreProvider
from .translation import install_translator, remove_translator, tr

MENU = "&CloudScore Composite"


class CloudScoreCompositePlugin:
    """Registers the ``cloudscore`` Processing provider and the composite dock panel."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.dock = None
        self.action = None
        self.log_handler = None
        # Here, not in initGui: qgis_process creates the plugin and calls initProcessing only, and the
        # algorithms' names and help must be translated there too.
        self.translator = install_translator()

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        """Register the Processing provider; QGIS calls this for ``qgis_process`` too, where there is no GUI."""
        if self.provider is None:
            self.provider = CloudScoreProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802 (QGIS's name)
        """Add the provider, the dock (hidden) and the action that shows it."""
        self.log_handler = qgis_logging.install()
        self.initProcessing()
        from .dock.dock_widget import CompositeDock  # the dock needs a GUI; qgis_process never imports it

        self.dock = CompositeDock(self.iface, self.iface.mainWindow())
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.action = QAction(QIcon(str(ICON_PATH)), tr("CloudScore Composite"), self.iface.mainWindow())
        self.action.setToolTip(tr("Cloud-free Sentinel-2 composites from clear scores"))
        self.action.setCheckable(True)
        # triggered, not toggled: the dock's visibilityChanged (e.g. another dock of its tab group raised) only
        # updates the tick and never hides the dock in turn.
        self.action.triggered.connect(self.dock.setUserVisible)
        self.dock.visibilityChanged.connect(self.action.setChecked)
        self.iface.addPluginToRasterMenu(MENU, self.action)
        self.iface.addRasterToolBarIcon(self.action)

    def unload(self):
        """Remove everything ``initGui`` and ``initProcessing`` added."""
        if self.action is not None:
            self.iface.removePluginRasterMenu(MENU, self.action)
            self.iface.removeRasterToolBarIcon(self.action)
            self.action.deleteLater()
            self.action = None
        if self.dock is not None:
            self.dock.unload()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.log_handler is not None:
            qgis_logging.uninstall(self.log_handler)
            self.log_handler = None
        remove_translator(self.translator)
        self.translator = None
