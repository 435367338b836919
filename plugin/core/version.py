"""The plugin's version, read from metadata.txt at the package root (one source of truth)."""

import configparser
from functools import lru_cache
from pathlib import Path

METADATA = Path(__file__).resolve().parents[2] / "metadata.txt"


@lru_cache(maxsize=1)
def plugin_version() -> str:
    """The ``version`` of ``metadata.txt``, or ``unknown`` when the file cannot be read."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(METADATA, encoding="utf-8")
    return parser.get("general", "version", fallback="unknown")
