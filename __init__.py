"""QGIS entry point of the CloudScore Composite plugin."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Create the plugin for QGIS; ``iface`` is the ``QgisInterface``."""
    from .plugin.plugin_main import CloudScoreCompositePlugin

    return CloudScoreCompositePlugin(iface)
