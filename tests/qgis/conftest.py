"""Fixtures for the QGIS tests (pytest-qgis provides qgis_app, qgis_iface, qgis_processing, qgis_new_project)."""

import os
import shutil
import subprocess
import threading
import time

import pytest
from qgis.core import QgsSettings

from ..conftest import DEMO_DIR, PLUGINS_DIR
from ..fake_earthengine import TOKEN, FakeEarthEngine
from .dock_support import DEMO_END, DEMO_START, wait_until

QGIS_PROCESS = "/usr/bin/qgis_process.bin"
"""Debian's /usr/bin/qgis_process wrapper passes --noversioncheck, which QGIS 3.22 rejects: call the binary."""


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


@pytest.fixture(scope="session")
def qgis_process_env(tmp_path_factory):
    """Environment for ``QGIS_PROCESS`` runs: offscreen, a throwaway profile with the plugin enabled."""
    home = tmp_path_factory.mktemp("qgis_process")
    (home / "runtime").mkdir(mode=0o700)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QGIS_OPTS="",
        QGIS_PLUGINPATH=str(PLUGINS_DIR),
        QGIS_CUSTOM_CONFIG_PATH=str(home / "profile"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
    )
    subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "cloudscore_composite"], env=env, check=True, capture_output=True
    )
    return env


SETTINGS = "cloudscore_composite/earthengine"
SETTING_KEYS = ("cache_dir", "authcfg", "ceiling_mb", "max_requests")


@pytest.fixture
def server(monkeypatch, tmp_path):
    """A fresh fake Earth Engine; ``CLOUDSCORE_EE_API_URL`` and ``CLOUDSCORE_EE_TOKEN`` point at it, the tile cache
    is private to the test, no project comes from the environment."""
    with FakeEarthEngine() as fake:
        monkeypatch.setenv("CLOUDSCORE_EE_API_URL", fake.url)
        monkeypatch.setenv("CLOUDSCORE_EE_TOKEN", TOKEN)
        monkeypatch.setenv("CLOUDSCORE_EE_CACHE", str(tmp_path / "cache"))
        monkeypatch.delenv("CLOUDSCORE_EE_PROJECT", raising=False)
        for key in SETTING_KEYS:
            QgsSettings().remove(f"{SETTINGS}/{key}")
        yield fake
        for key in SETTING_KEYS:
            QgsSettings().remove(f"{SETTINGS}/{key}")


@pytest.fixture
def dock(plugin, qgis_iface, qgis_new_project, monkeypatch):
    """The plugin's dock, idle, every field at its default, the demo dates, and an empty message bar. Asking
    whether to overwrite an output fails the test (a modal box would hang it): tests that mean it replace
    ``composite_panel.ask_overwrite`` themselves."""
    panel = plugin.dock

    def unexpected_question(path, proposed):
        raise AssertionError(f"unexpected question: overwrite {path} or write {proposed}?")

    monkeypatch.setattr(panel.composite_panel, "ask_overwrite", unexpected_question)
    assert not panel.is_running() and not panel.is_searching()
    panel.reset_to_defaults()
    panel.set_folder("")
    panel.ui.startDateEdit.setDate(DEMO_START)
    panel.ui.endDateEdit.setDate(DEMO_END)
    qgis_iface.messageBar().clear_messages()
    yield panel
    panel.cancel()
    wait_until(lambda: not panel.is_running() and not panel.is_searching())
    panel.release_canvas()


@pytest.fixture
def slow_reads(monkeypatch):
    """Make every scene read take 0.2 s (5 demo scenes: a run lasts about 1 s), so a run can be caught
    while it is going; the event is set once the first read has started."""
    from cloudscore_composite.plugin.core.folder_source import FolderSource

    started = threading.Event()
    read_block = FolderSource.read_block

    def slow_read_block(self, *args, **kwargs):
        started.set()
        time.sleep(0.2)
        return read_block(self, *args, **kwargs)

    monkeypatch.setattr(FolderSource, "read_block", slow_read_block)
    return started
