"""A PyQt6 application for the Qt6 check's form loads (offscreen), kept for the whole session."""

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication


@pytest.fixture(scope="session")
def app():
    from PyQt6 import QtWidgets

    assert "PyQt5.QtCore" not in sys.modules
    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    yield application
