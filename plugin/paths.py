"""Files the QGIS side ships: icon, Designer forms, demo data."""

from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parents[1]
ICON_PATH = PLUGIN_ROOT / "resources" / "icon.svg"
UI_DIR = PLUGIN_ROOT / "ui"
DEMO_DIR = PLUGIN_ROOT / "resources" / "demo"
