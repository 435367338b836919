"""The Qt6 check (`make lint`): the QGIS side's Qt names resolve in PyQt6 and its .ui files load with PyQt6's uic.

What this proves and what only a run in QGIS 4 would: see the README, *Qt6 and QGIS 4*. It walks whatever files are
there (``tests/qt_names.py``), so new code is checked too. It needs a process without Qt5 (PyQt5 and PyQt6 in one
process would load two Qt libraries): `make lint` runs it as
``pytest tests/qt6 -p no:pytest_qgis``; in a process that has loaded Qt5 already it is skipped.
"""

import sys
from pathlib import Path

import pytest

if "PyQt5.QtCore" in sys.modules:
    pytest.skip("the Qt6 check runs in a process of its own (make lint): Qt5 is loaded here", allow_module_level=True)

from PyQt6 import uic  # PyQt6 from requirements-dev.txt

from ..qt_names import QT5_ONLY_ALLOWED, ROOT, core_files, qgis_side_files, scan_file
from .pyqt6_names import custom_widget_enums, resolve, stubbed_custom_widgets

UI_FILES = sorted((ROOT / "ui").glob("*.ui"))


@pytest.fixture(scope="module")
def scans():
    return [scan_file(path) for path in qgis_side_files()]


def test_walks_the_qgis_side(scans):
    names = {scan.path.relative_to(ROOT).as_posix() for scan in scans}
    assert {"__init__.py", "plugin/plugin_main.py", "plugin/dock/dock_widget.py", "plugin/provider.py"} <= names
    assert any(name.startswith("plugin/algorithms/") for name in names)
    assert not any(name.startswith("plugin/core/") for name in names)


def test_no_qt5_only_spelling_or_import(scans):
    """No ``exec_()``/``print_()``, no Qt5-only module, no PyQt5/PyQt6/sip import around qgis.PyQt, no star import,
    no ``# qt5-only:`` outside the compatibility module."""
    problems = [problem for scan in scans for problem in scan.problems]
    assert not problems, "\n".join(problems)


def test_every_qt_name_resolves_in_pyqt6(scans):
    """Every name imported from ``qgis.PyQt`` and every dotted name rooted at one (``Qt.AlignmentFlag.AlignLeft``,
    ``QSizePolicy.Policy.Expanding``, ``uic.loadUiType``) exists in PyQt6: unscoped enums (``Qt.AlignLeft``),
    ``QVariant.Type`` and classes Qt6 dropped do not."""
    checked = [
        use
        for scan in scans
        for use in scan.imports + scan.uses
        if use.binding.module.startswith("qgis.PyQt") and not use.qt5_only
    ]
    failures = [message for message in map(resolve, checked) if message]
    assert not failures, "Not in PyQt6:\n" + "\n".join(failures)
    assert len(checked) > 50  # the walk found the plugin's Qt names (about a hundred today)


def test_qt5_only_lines_are_needed(scans):
    """A ``# qt5-only:`` line names something PyQt6 lacks: the pragma hides nothing that would pass anyway."""
    marked = [use for scan in scans for use in scan.imports + scan.uses if use.qt5_only]
    lines = {(use.path, use.line) for use in marked}
    failing = {(use.path, use.line) for use in marked if resolve(use)}
    assert lines == failing, f"'# qt5-only:' on lines PyQt6 resolves: {sorted(lines - failing)}"
    allowed = {ROOT / name for name in QT5_ONLY_ALLOWED}
    assert {path for path, _line in lines} <= allowed


def test_core_imports_neither_qt_nor_qgis():
    """plugin/core is pure Python (DESIGN): no Qt or QGIS import anywhere in it."""
    imports = [use for path in core_files() for use in scan_file(path).imports]
    offending = [
        f"{use.where()}: {use.binding.module}"
        for use in imports
        if use.binding.module.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "sip")
    ]
    assert not offending, "\n".join(offending)


def test_ui_files_exist():
    assert UI_FILES, "no ui/*.ui found"


@pytest.mark.parametrize("ui_file", UI_FILES, ids=lambda path: path.name)
def test_ui_file_loads_in_pyqt6(app, ui_file: Path):
    """PyQt6's uic compiles the form (``loadUiType``, what the plugin calls) and builds it (``setupUi``: every
    property and enum evaluated), and its loader reads it too; QGIS's own widgets are stand-ins for the load only."""
    enums = custom_widget_enums(ui_file)
    assert not enums, (
        f"{ui_file.name}: set {enums} in code: QGIS 3.22's uic reads a QGIS widget's enum only "
        "unscoped, which PyQt6 need not resolve"
    )
    with stubbed_custom_widgets(ui_file) as stubs:
        form_class, base_class = uic.loadUiType(str(ui_file))
        widget = base_class()
        form = form_class()
        form.setupUi(widget)
        loaded = uic.loadUi(str(ui_file))
        for name in stubs:
            assert widget.findChildren(stubs[name]), f"{ui_file.name}: no {name} built"
        assert type(loaded).__name__ == base_class.__name__
    for name in stubs:
        assert name.lower() not in sys.modules  # the stand-ins are gone after the load
