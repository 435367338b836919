"""The Qt6 check: the QGIS side's Qt names and .ui files in PyQt6 (run by `make lint`, in a process without Qt5)."""
