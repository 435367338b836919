"""CloudScore Composite: the QGIS side lives in this package, the engine in ``core``."""
