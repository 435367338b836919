"""Fixtures for the QGIS tests (pytest-qgis provides qgis_app, qgis_iface, qgis_processing, qgis_new_project)."""

import shutil

import pytest

from ..conftest import DEMO_DIR


@pytest.fixture(scope="session")
def plugin(qgis_app, qgis_iface, qgis_processing):
    """The plugin as QGIS loads it: ``classFactory(iface)``, then ``initProcessing`` and ``initGui``."""
    import cloudscore_composite

    instance = cloudscore_composite.classFactory(qgis_iface)
    instance.initProcessing()
    instance.initGui()
    yield instance
    instance.unload()


@pytest.fixture
def demo_folder(tmp_path):
    """A private copy of the bundled demo scenes (tests may add or break files in it)."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder)
    return folder
