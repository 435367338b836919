"""Put the plugin on sys.path under its own name (the checkout's folder name is not the plugin's)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_NAME = "cloudscore_composite"
PLUGINS_DIR = ROOT / "build" / "plugins"
DEMO_DIR = ROOT / "resources" / "demo"


def _link_plugin() -> None:
    link = PLUGINS_DIR / PLUGIN_NAME
    if not (link.is_symlink() and link.resolve() == ROOT):
        PLUGINS_DIR.mkdir(parents=True, exist_ok=True)
        if link.is_symlink():
            link.unlink()
        link.symlink_to(ROOT, target_is_directory=True)
    if str(PLUGINS_DIR) not in sys.path:
        sys.path.insert(0, str(PLUGINS_DIR))


_link_plugin()
