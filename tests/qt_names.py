"""The Qt and QGIS names the QGIS side of the plugin uses, read from its source with ``ast`` (nothing is imported).

Shared by the Qt6 check (``tests/qt6``, resolves the names in PyQt6) and the scoped-enum check
(``tests/qgis/test_scoped_enums.py``, resolves them in the QGIS 3.22 that runs the tests). Both walk whatever files
are there when they run, so new code is checked as soon as it lands.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]

QT_PACKAGE = "qgis.PyQt"
QT5_ONLY_PRAGMA = re.compile(r"#\s*qt5-only:\s*\S")
"""``# qt5-only: <reason>`` at the end of a line: the names on that line are for Qt5 only (a branch QGIS 4 never
takes); the Qt6 check leaves them out. Allowed in ``QT5_ONLY_ALLOWED`` only."""
QT5_ONLY_ALLOWED = ("plugin/qgis_compat.py",)
"""The one module that branches on the QGIS version."""

QT5_ONLY_MODULES = {
    "Qt": "PyQt5's all-in-one module: import from QtCore, QtGui, QtWidgets",
    "QtWebKit": "removed in Qt6",
    "QtWebKitWidgets": "removed in Qt6",
    "QtXmlPatterns": "removed in Qt6",
    "QtScript": "removed in Qt6",
    "QtScriptTools": "removed in Qt6",
    "QtX11Extras": "removed in Qt6",
    "QtMacExtras": "removed in Qt6",
    "QtWinExtras": "removed in Qt6",
    "QtAndroidExtras": "removed in Qt6",
    "QtLocation": "not in PyQt6",
}
"""``qgis.PyQt`` submodules a QGIS built on Qt6 cannot offer."""

QT5_ONLY_METHODS = {"exec_": "exec", "print_": "print"}
"""Qt5 spellings PyQt6 dropped (Python 3 has no keyword ``exec``/``print`` to avoid)."""


def qgis_side_files(root: Path = ROOT) -> List[Path]:
    """The QGIS side's modules: the entry point and every module under ``plugin/`` but ``plugin/core`` (which never
    imports Qt or QGIS)."""
    core = root / "plugin" / "core"
    files = [
        root / "__init__.py",
        *(path for path in sorted((root / "plugin").rglob("*.py")) if core not in path.parents),
    ]
    return [path for path in files if path.is_file()]


def core_files(root: Path = ROOT) -> List[Path]:
    """Every module of ``plugin/core`` (pure Python)."""
    return sorted((root / "plugin" / "core").rglob("*.py"))


@dataclass(frozen=True)
class Binding:
    """What a local name stands for: ``module`` imported, then ``path`` looked up in it
    (``from qgis.PyQt.QtCore import Qt`` binds ``Qt`` to ``("qgis.PyQt.QtCore", ("Qt",))``)."""

    module: str
    path: Tuple[str, ...]


@dataclass(frozen=True)
class NameUse:
    """One dotted name rooted at an import: ``Qt.AlignmentFlag.AlignLeft`` is
    ``Binding("qgis.PyQt.QtCore", ("Qt",))`` + ``("AlignmentFlag", "AlignLeft")``."""

    path: Path
    line: int
    binding: Binding
    attrs: Tuple[str, ...]
    qt5_only: bool = False

    @property
    def dotted(self) -> str:
        return ".".join((self.binding.module, *self.binding.path, *self.attrs))

    def where(self, root: Path = ROOT) -> str:
        path = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{path}:{self.line}"


@dataclass
class ModuleScan:
    """What one file imports and uses, and what is wrong in it whatever Qt resolves."""

    path: Path
    imports: List[NameUse] = field(default_factory=list)
    uses: List[NameUse] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)
    qt5_only_lines: List[int] = field(default_factory=list)


def scan_file(path: Path, root: Path = ROOT) -> ModuleScan:
    """Imports, dotted names rooted at imports, and Qt5-only spellings of one file."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    scan = ModuleScan(path)
    scan.qt5_only_lines = [number for number, text in enumerate(lines, 1) if QT5_ONLY_PRAGMA.search(text)]
    rel = path.relative_to(root).as_posix()
    if scan.qt5_only_lines and rel not in QT5_ONLY_ALLOWED:
        scan.problems.extend(
            f"{rel}:{number}: '# qt5-only:' is allowed only in {', '.join(QT5_ONLY_ALLOWED)}"
            for number in scan.qt5_only_lines
        )

    bindings: Dict[str, Binding] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name == "*":
                    if _is_qt(node.module):
                        scan.problems.append(f"{rel}:{node.lineno}: 'from {node.module} import *' cannot be checked")
                    continue
                binding = Binding(node.module, (alias.name,))
                bindings[alias.asname or alias.name] = binding
                scan.imports.append(NameUse(path, node.lineno, binding, (), node.lineno in scan.qt5_only_lines))
            _check_qt_module(node.module, rel, node.lineno, scan.problems)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                _check_qt_module(alias.name, rel, node.lineno, scan.problems)
                if alias.asname:
                    bindings[alias.asname] = Binding(alias.name, ())
                else:  # `import qgis.PyQt.QtCore` binds `qgis`: chains then start with the package's own name
                    top = alias.name.split(".")[0]
                    bindings.setdefault(top, Binding(top, ()))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in QT5_ONLY_METHODS:
            scan.problems.append(
                f"{rel}:{node.lineno}: '.{node.attr}' is Qt5 only: use "
                f"'.{QT5_ONLY_METHODS[node.attr]}' (PyQt5 5.15 has it too)"
            )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in QT5_ONLY_METHODS:
            scan.problems.append(
                f"{rel}:{node.lineno}: 'def {node.name}' is the Qt5 spelling of '{QT5_ONLY_METHODS[node.name]}'"
            )
    for node, attrs, root_name in _outermost_chains(tree):
        binding = bindings.get(root_name)
        if binding is None:
            continue
        if binding == Binding("qgis", ()):  # `import qgis.PyQt.QtCore`, then `qgis.PyQt.QtCore.Qt...`
            if len(attrs) >= 2 and attrs[0] == "PyQt":
                binding, attrs = Binding(f"{QT_PACKAGE}.{attrs[1]}", ()), attrs[2:]
            elif attrs:
                binding, attrs = Binding(f"qgis.{attrs[0]}", ()), attrs[1:]
        scan.uses.append(NameUse(path, node.lineno, binding, attrs, node.lineno in scan.qt5_only_lines))
    return scan


def _is_qt(module: str) -> bool:
    return module == QT_PACKAGE or module.startswith(QT_PACKAGE + ".")


def _check_qt_module(module: str, rel: str, line: int, problems: List[str]) -> None:
    top = module.split(".")[0]
    if top in ("PyQt5", "PyQt6", "sip", "PySide2", "PySide6"):
        problems.append(f"{rel}:{line}: import '{module}': import Qt through qgis.PyQt (QGIS picks the Qt it runs on)")
    if _is_qt(module):
        sub = module[len(QT_PACKAGE) + 1 :].split(".")[0] if module != QT_PACKAGE else ""
        if sub in QT5_ONLY_MODULES:
            problems.append(f"{rel}:{line}: '{module}' is Qt5 only ({QT5_ONLY_MODULES[sub]})")


def _outermost_chains(tree: ast.AST) -> Iterator[Tuple[ast.Attribute, Tuple[str, ...], str]]:
    """Every ``Name.attr.attr...`` chain, longest form only (``Qt.AlignmentFlag.AlignLeft``, not its prefixes)."""
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner.add(id(node.value))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        attrs: List[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            attrs.insert(0, current.attr)
            current = current.value
        if isinstance(current, ast.Name):
            yield node, tuple(attrs), current.id


def qt_submodule(binding: Binding) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """For a ``qgis.PyQt`` binding: the Qt module name (``QtCore``, ``uic``, ``sip``) and the path inside it."""
    if binding.module == QT_PACKAGE:
        if not binding.path:
            return None
        return binding.path[0], binding.path[1:]
    if _is_qt(binding.module):
        parts = binding.module[len(QT_PACKAGE) + 1 :].split(".")
        return parts[0], tuple(parts[1:]) + binding.path
    return None
