"""The Qt6 check itself: it finds what QGIS 4 would reject, on small made-up modules and forms."""

import sys
import textwrap
from pathlib import Path

import pytest

if "PyQt5.QtCore" in sys.modules:
    pytest.skip("the Qt6 check runs in a process of its own (make lint): Qt5 is loaded here", allow_module_level=True)

from ..qt_names import scan_file
from .pyqt6_names import custom_widget_enums, resolve, stubbed_custom_widgets


def _module(root: Path, source: str, name: str = "plugin/example.py") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _failures(root: Path, source: str, name: str = "plugin/example.py"):
    scan = scan_file(_module(root, source, name), root)
    unresolved = [resolve(use) for use in scan.imports + scan.uses if not use.qt5_only]
    return scan.problems, [message for message in unresolved if message]


def test_scoped_names_and_qgis_aliases_pass(tmp_path):
    problems, unresolved = _failures(
        tmp_path,
        """
        from qgis.PyQt import QtWidgets, sip, uic
        from qgis.PyQt.QtCore import QMetaType, Qt, QVariant
        from qgis.PyQt.QtWidgets import QAction, QSizePolicy
        import qgis.PyQt.QtGui

        ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        POLICY = QSizePolicy.Policy.Expanding
        KIND = QMetaType.Type.Double
        BUTTON = QtWidgets.QDialogButtonBox.StandardButton.Ok
        COLOR = qgis.PyQt.QtGui.QColor
        uic.loadUiType, sip.isdeleted, QAction, QVariant
        """,
    )
    assert (problems, unresolved) == ([], [])


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Qt.AlignLeft", "QtCore.Qt has no 'AlignLeft'"),
        ("QVariant.Double", "QtCore.QVariant has no 'Double'"),
        ("QVariant.Type.String", "QtCore.QVariant has no 'Type'"),
        ("QSizePolicy.Expanding", "QtWidgets.QSizePolicy has no 'Expanding'"),
        ("QtWidgets.QDialog.Accepted", "QtWidgets.QDialog has no 'Accepted'"),
    ],
)
def test_unscoped_enums_and_qvariant_types_fail(tmp_path, line, expected):
    _problems, unresolved = _failures(
        tmp_path,
        f"""
        from qgis.PyQt import QtWidgets
        from qgis.PyQt.QtCore import Qt, QVariant
        from qgis.PyQt.QtWidgets import QSizePolicy
        VALUE = {line}
        """,
    )
    assert len(unresolved) == 1 and expected in unresolved[0] and "example.py:5" in unresolved[0]


def test_names_qt6_dropped_fail(tmp_path):
    _problems, unresolved = _failures(
        tmp_path,
        """
        from qgis.PyQt.QtCore import QRegExp
        from qgis.PyQt.QtWidgets import QDesktopWidget
        """,
    )
    assert len(unresolved) == 2 and "no 'QRegExp'" in unresolved[0] and "no 'QDesktopWidget'" in unresolved[1]


def test_qt5_spellings_and_imports_are_problems(tmp_path):
    problems, _unresolved = _failures(
        tmp_path,
        """
        from PyQt5.QtCore import Qt
        from qgis.PyQt.QtWebKitWidgets import QWebView
        from qgis.PyQt.QtGui import *

        def run(dialog, app):
            dialog.exec_()
            app.exec()
        """,
    )
    assert len(problems) == 4
    assert "import Qt through qgis.PyQt" in problems[0]
    assert "QtWebKitWidgets' is Qt5 only" in problems[1]
    assert "import *" in problems[2]
    assert "'.exec_' is Qt5 only" in problems[3] and "example.py:7" in problems[3]


def test_qt5_only_pragma_only_in_the_compatibility_module(tmp_path):
    source = """
        from qgis.PyQt.QtCore import QVariant
        KIND = QVariant.Type.Double  # qt5-only: QGIS 3.22 .. 3.36
        """
    problems, unresolved = _failures(tmp_path, source, "plugin/qgis_compat.py")
    assert (problems, unresolved) == ([], [])
    problems, unresolved = _failures(tmp_path, source, "plugin/other.py")
    assert len(problems) == 1 and "allowed only in plugin/qgis_compat.py" in problems[0]


FORM = """<?xml version="1.0" encoding="UTF-8"?>
<ui version="4.0">
 <class>Form</class>
 <widget class="QWidget" name="Form">
  <layout class="QVBoxLayout" name="layout">
   <item>
    <widget class="QgsFileWidget" name="folderWidget">
     <property name="dialogTitle"><string>Folder</string></property>
     {extra}
    </widget>
   </item>
   <item>
    <widget class="QgsSpecialCombo" name="combo"/>
   </item>
  </layout>
 </widget>
 <customwidgets>
  <customwidget><class>QgsSpecialCombo</class><extends>QgsPlainCombo</extends><header>qgsspecialcombo.h</header>
  </customwidget>
  <customwidget><class>QgsPlainCombo</class><extends>QComboBox</extends><header>qgsplaincombo.h</header>
  </customwidget>
  <customwidget><class>QgsFileWidget</class><extends>QWidget</extends><header>qgsfilewidget.h</header>
  </customwidget>
 </customwidgets>
</ui>
"""


def test_form_with_stand_ins_builds_and_they_go_away(app, tmp_path):
    from PyQt6 import QtWidgets, uic

    ui_file = tmp_path / "form.ui"
    ui_file.write_text(FORM.format(extra=""), encoding="utf-8")
    assert custom_widget_enums(ui_file) == []
    with stubbed_custom_widgets(ui_file) as stubs:
        form_class, base_class = uic.loadUiType(str(ui_file))
        widget = base_class()
        form_class().setupUi(widget)
        assert isinstance(widget.findChild(stubs["QgsSpecialCombo"]), QtWidgets.QComboBox)
    assert "qgsfilewidget" not in sys.modules and "qgsspecialcombo" not in sys.modules


def test_form_naming_a_qgis_widget_enum_is_found(tmp_path):
    ui_file = tmp_path / "form.ui"
    ui_file.write_text(
        FORM.format(extra='<property name="storageMode"><enum>QgsFileWidget::GetDirectory</enum></property>'),
        encoding="utf-8",
    )
    assert custom_widget_enums(ui_file) == ["QgsFileWidget::GetDirectory"]
