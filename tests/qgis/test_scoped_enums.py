"""Every enum value the QGIS side names is scoped (``Qgis.MessageLevel.Info``, ``Qt.AlignmentFlag.AlignLeft``),
checked in the QGIS that runs the tests: scoped names resolve on QGIS 3.22 (Qt5) and on QGIS 4 (Qt6, where PyQt6
has no unscoped Qt enums and QGIS's unscoped ones are compatibility aliases). The Qt side is also checked in PyQt6
itself by the Qt6 check (tests/qt6)."""

import enum
import importlib
import textwrap

import pytest

from ..qt_names import ROOT, NameUse, qgis_side_files, scan_file

CHECKED = ("qgis.core", "qgis.gui", "qgis.analysis", "qgis.PyQt")


def _lookup(obj, name: str, module_name: str):
    try:
        return getattr(obj, name)
    except AttributeError:
        if isinstance(obj, type(enum)):  # a package: the name may be a submodule not imported yet
            return importlib.import_module(f"{module_name}.{name}")
        raise


def _enum_type(value):
    """The enum type of ``value`` if it is an enum member (sip's enums on Qt5, Python's on Qt6), else None."""
    kind = type(value)
    if type(kind).__name__ == "enumtype" or isinstance(value, enum.Enum):
        return kind
    return None


def unscoped(use: NameUse):
    """Why ``use`` names an enum value without its enum's name, or None (also when it does not resolve here)."""
    if not use.binding.module.startswith(CHECKED):
        return None
    try:
        chain = [importlib.import_module(use.binding.module)]
        module_name = use.binding.module
        for name in use.binding.path + use.attrs:
            chain.append(_lookup(chain[-1], name, module_name))
            module_name = f"{module_name}.{name}"
    except (AttributeError, ImportError):
        return None
    names = use.binding.path + use.attrs
    for depth in range(1, len(chain)):
        kind = _enum_type(chain[depth])
        if kind is not None and chain[depth - 1] is not kind:
            scoped = ".".join((*names[: depth - 1], kind.__name__, names[depth - 1]))
            return f"{use.where()}: {'.'.join(names[:depth])} is unscoped: write {scoped}"
    return None


def test_every_enum_value_is_scoped():
    uses = sorted(
        (use for path in qgis_side_files() for use in scan_file(path).uses), key=lambda use: (str(use.path), use.line)
    )
    problems = [message for message in map(unscoped, uses) if message]
    assert not problems, "\n".join(problems)
    enum_uses = [use for use in uses if use.attrs and use.binding.module.startswith(CHECKED)]
    assert len(enum_uses) > 50  # the walk found the QGIS side's names


@pytest.mark.parametrize(
    "line, message",
    [
        ("Qgis.Info", "Qgis.Info is unscoped: write Qgis.MessageLevel.Info"),
        ("QgsProcessing.TypeVectorPolygon", "write QgsProcessing.SourceType.TypeVectorPolygon"),
        ("QgsFeatureSink.FastInsert", "write QgsFeatureSink.Flag.FastInsert"),
        ("Qt.AlignLeft", "write Qt.AlignmentFlag.AlignLeft"),
        ("QtWidgets.QDialog.Accepted", "write QtWidgets.QDialog.DialogCode.Accepted"),
        ("Qgis.MessageLevel.Info", None),
        ("QgsProcessing.SourceType.TypeVectorPolygon", None),
        ("Qt.AlignmentFlag.AlignLeft", None),
        ("QgsProcessing.TEMPORARY_OUTPUT", None),
        ("Qgis.NotThere", None),
    ],
)
def test_checker_finds_unscoped_values(tmp_path, line, message):
    module = tmp_path / "plugin" / "example.py"
    module.parent.mkdir()
    module.write_text(
        textwrap.dedent(f"""
        from qgis.core import Qgis, QgsFeatureSink, QgsProcessing
        from qgis.PyQt import QtWidgets
        from qgis.PyQt.QtCore import Qt
        VALUE = {line}
        """),
        encoding="utf-8",
    )
    found = [text for text in map(unscoped, scan_file(module, tmp_path).uses) if text]
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and message in found[0]


def test_root_is_the_checkout():
    assert (ROOT / "metadata.txt").is_file()
