"""The QGIS side asks a source what it can do (``Source.needs_aoi``, ``search_is_cheap``, ``engines``,
``default_crs``, ``download_estimates``), never which class it is (../shared/DESIGN.md)."""

import re

from ..conftest import ROOT

TYPE_CHECK = re.compile(r"\b(isinstance|hasattr)\([^)]*(source|Source)\b")
"""``isinstance(source, ...)``, ``isinstance(x, FolderSource)``, ``hasattr(source, "estimate")``..."""


def test_no_type_check_of_a_source_outside_the_core():
    checks = []
    for path in sorted((ROOT / "plugin").rglob("*.py")):
        if "core" in path.relative_to(ROOT / "plugin").parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TYPE_CHECK.search(line):
                checks.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert checks == []
