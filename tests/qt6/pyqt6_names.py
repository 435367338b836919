"""Resolve ``qgis.PyQt`` names in PyQt6 and load Qt Designer files with PyQt6's ``uic``.

Only for a process without Qt5: PyQt5 and PyQt6 in one process would load two Qt libraries.
"""

import importlib
import importlib.util
import sys
import types
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from ..qt_names import QT5_ONLY_MODULES, NameUse, qt_submodule

QGIS_QT6_ALIASES = {("QtWidgets", "QAction"): "QtGui", ("QtWidgets", "QShortcut"): "QtGui"}
"""What QGIS's own ``qgis.PyQt`` adds on Qt6: QAction and QShortcut moved to QtGui in Qt6, and QGIS offers them
from ``qgis.PyQt.QtWidgets`` too (qgis/QGIS#55658), so that one import serves QGIS 3 and 4."""


def resolve(use: NameUse) -> Optional[str]:
    """Why ``use`` (a ``qgis.PyQt`` name) does not resolve in PyQt6, or None when it does (or is not Qt's)."""
    sub = qt_submodule(use.binding)
    if sub is None:
        return None
    module_name, path = sub
    if module_name in QT5_ONLY_MODULES:
        return f"{use.where()}: {use.dotted}: qgis.PyQt.{module_name} is Qt5 only"
    names = path + use.attrs
    if names and (module_name, names[0]) in QGIS_QT6_ALIASES:
        module_name = QGIS_QT6_ALIASES[(module_name, names[0])]
    full = f"PyQt6.{module_name}"
    if importlib.util.find_spec(full) is None:
        return f"{use.where()}: {use.dotted}: PyQt6 has no module {module_name}"
    obj: object = importlib.import_module(full)
    for depth, name in enumerate(names):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            known = ".".join((module_name, *names[:depth]))
            return f"{use.where()}: {use.dotted}: PyQt6's {known} has no '{name}'"
    return None


def custom_widgets(ui_file: Path) -> List[Tuple[str, str, str]]:
    """``(class, extends, header)`` of each custom widget a Qt Designer file declares."""
    root = ET.parse(ui_file).getroot()
    return [
        (item.findtext("class", ""), item.findtext("extends", ""), item.findtext("header", ""))
        for item in root.iter("customwidget")
    ]


def custom_widget_enums(ui_file: Path) -> List[str]:
    """``<enum>``/``<set>`` values naming a custom widget's enum (``QgsFileWidget::GetDirectory``): PyQt5's uic
    (QGIS 3.22) reads them only unscoped, PyQt6's needs them resolvable, so they belong in code."""
    classes = {name for name, _extends, _header in custom_widgets(ui_file)}
    root = ET.parse(ui_file).getroot()
    values = [node.text or "" for node in root.iter() if node.tag in ("enum", "set")]
    return [value for value in values if any(part.strip().split("::")[0] in classes for part in value.split("|"))]


class _Stub:
    """Mixin of a stand-in for a QGIS widget: any ``setX(...)`` a form calls is accepted and ignored."""

    def __getattr__(self, name):
        if name.startswith("set") and len(name) > 3:
            return lambda *args, **kwargs: None
        raise AttributeError(name)


@contextmanager
def stubbed_custom_widgets(ui_file: Path) -> Iterator[Dict[str, type]]:
    """Stand-ins for the form's custom (QGIS) widgets, each a subclass of the Qt widget it extends, importable from
    the module its header names (as uic imports them) while the block runs; removed afterwards."""
    from PyQt6 import QtWidgets

    declared = custom_widgets(ui_file)
    stubs: Dict[str, type] = {}
    added: Dict[str, Optional[types.ModuleType]] = {}
    pending = list(declared)
    while pending:  # a custom widget may extend another one
        progressed = False
        for entry in list(pending):
            name, extends, header = entry
            base = stubs.get(extends) or getattr(QtWidgets, extends, None)
            if base is None and any(extends == other for other, _e, _h in pending):
                continue
            if base is None:
                raise AssertionError(f"{ui_file.name}: custom widget {name} extends {extends}, not a PyQt6 widget")
            stubs[name] = type(name, (base,) if issubclass(base, _Stub) else (_Stub, base), {})
            pending.remove(entry)
            progressed = True
        if not progressed:
            raise AssertionError(f"{ui_file.name}: custom widgets extend each other in a cycle: {pending}")
    try:
        for name, _extends, header in declared:
            module_name = header.rsplit(".", 1)[0].replace("/", ".") if header else name.lower()
            if module_name not in added:  # one stand-in module per header, whatever was there before
                added[module_name] = sys.modules.get(module_name)
                sys.modules[module_name] = types.ModuleType(module_name)
            setattr(sys.modules[module_name], name, stubs[name])
        yield stubs
    finally:
        for module_name, previous in added.items():
            if previous is None:
                sys.modules.pop(module_name, None)
            else:
                sys.modules[module_name] = previous
