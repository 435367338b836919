"""The dock's inline feedback: a refused Run or Find scenes marks the field and replaces the status line, the
message bar holds one item per problem, taken away once the problem is fixed; Earth Engine without credentials or
a project says so in a line, points to the field and starts no task."""

import pytest
from qgis.core import Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsSettings
from qgis.PyQt.QtWidgets import QPushButton

from .dock_support import DEMO_CRS, INSIDE_DEMO, dock_items, find_to_end, run_to_end

DEMO_BOUNDS = "465181.0522318204, 5079244.8912012065, 466180.53145382757, 5080254.63349641"
L1C = "COPERNICUS/S2_HARMONIZED"
CREDENTIAL_VARIABLES = (
    "CLOUDSCORE_EE_TOKEN",
    "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSCORE_EE_PROJECT",
)


def _is_marked(widget):
    from cloudscore_composite.plugin.dock.field_feedback import is_marked

    return is_marked(widget)


def _typed_aoi(dock, bounds=INSIDE_DEMO):
    dock.set_aoi_kind("typed")
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem(DEMO_CRS))
    dock.ui.boundsLineEdit.setText(", ".join(str(v) for v in bounds))
    dock.update_aoi()


def _refused(dock, action="run"):
    """``action`` starts no task; returns the dock's message bar items."""
    tasks_before = QgsApplication.taskManager().count()
    assert getattr(dock, action)() is None
    assert not dock.is_running() and not dock.is_searching()
    assert QgsApplication.taskManager().count() == tasks_before
    return dock_items(dock.iface)


def test_a_refused_run_replaces_the_success_and_marks_the_field_until_fixed(dock, demo_folder, tmp_path, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("first.tif")
    run_to_end(dock)
    assert "clear" in dock.ui.statusLabel.text()  # the success: "5 scenes used; 60% of ... were clear."
    folder_tip = dock.ui.outputFolderWidget.toolTip()

    missing = tmp_path / "missing"
    dock.ui.outputFolderWidget.setFilePath(str(missing))
    items = _refused(dock)

    status = dock.ui.statusLabel.text()
    assert "does not exist" in status and str(missing) in status and "clear" not in status
    assert "Output" not in dock.ui.statusLabel.toolTip()  # not the last run's output any more
    assert _is_marked(dock.ui.outputFolderWidget) and _is_marked(dock.ui.outputNameLineEdit)
    assert "does not exist" in dock.ui.outputFolderWidget.toolTip()
    assert len(items) == 1 and "does not exist" in items[0].text()
    assert items[0].level() == Qgis.MessageLevel.Warning
    assert not _is_marked(dock.ui.folderWidget)  # only the field at fault

    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))  # fixed
    assert not _is_marked(dock.ui.outputFolderWidget) and not _is_marked(dock.ui.outputNameLineEdit)
    assert dock.ui.outputFolderWidget.toolTip() == folder_tip
    assert dock_items(qgis_iface) == []
    assert dock.ui.statusLabel.text() == ""  # the problem is gone from the status line too


def test_the_same_field_refused_twice_leaves_one_item_and_each_problem_has_its_own(dock, demo_folder, qgis_iface):
    dock.set_folder(demo_folder)
    dock.ui.methodCombo.setCurrentIndex(dock.ui.methodCombo.findData("percentiles"))
    dock.ui.percentilesLineEdit.setText("25, 150")
    assert len(_refused(dock)) == 1
    dock.ui.endDateEdit.setDate(dock.ui.startDateEdit.date())  # the dates are checked before the percentiles
    items = _refused(dock)
    assert len(items) == 2 and any("must be after start date" in item.text() for item in items)
    assert _is_marked(dock.ui.endDateEdit) and _is_marked(dock.ui.percentilesLineEdit)
    assert "must be after start date" in dock.ui.statusLabel.text()  # the latest problem
    assert len(_refused(dock)) == 2  # again: replaced, not stacked

    dock.ui.startDateEdit.setDate(dock.ui.startDateEdit.date().addDays(-30))  # either date fixes the order
    assert not _is_marked(dock.ui.endDateEdit)
    items = dock_items(qgis_iface)
    assert len(items) == 1 and "outside 0..100" in items[0].text()
    assert _is_marked(dock.ui.percentilesLineEdit)  # not fixed yet


def test_a_passing_run_takes_every_problem_away(dock, demo_folder, tmp_path, qgis_iface):
    dock.ui.percentilesLineEdit.setText("25, 150")  # not used by the default method, median
    _refused(dock, "find_scenes")  # no folder
    assert _is_marked(dock.ui.folderWidget) and dock.ui.statusLabel.text().startswith("Choose the folder")
    dock.set_folder(demo_folder)  # the stale "choose the folder" goes at once
    assert not _is_marked(dock.ui.folderWidget) and dock_items(qgis_iface) == []

    dock.ui.outputFolderWidget.setFilePath(str(tmp_path / "missing"))
    _refused(dock)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("ok.tif")
    _typed_aoi(dock, ("a", "b"))  # not four numbers: the AOI of that kind is marked
    assert len(_refused(dock)) == 1
    assert _is_marked(dock.ui.boundsLineEdit) and not _is_marked(dock.ui.aoiKindCombo)
    dock.ui.resolutionSpinBox.setValue(20)  # another field: still refused
    assert _is_marked(dock.ui.boundsLineEdit)
    dock.set_aoi_kind("scenes")  # another kind of AOI fixes it
    assert not _is_marked(dock.ui.boundsLineEdit) and dock_items(qgis_iface) == []

    _typed_aoi(dock, (0.0, 0.0, 1000.0, 1000.0))  # touches no scene
    _refused(dock)
    assert _is_marked(dock.ui.boundsLineEdit)
    dock.ui.resolutionSpinBox.setValue(10)  # the AOI is updated, but it is the same one: still marked
    assert _is_marked(dock.ui.boundsLineEdit) and len(dock_items(qgis_iface)) == 1
    dock.ui.boundsLineEdit.setText(", ".join(str(v) for v in INSIDE_DEMO))
    run_to_end(dock)
    assert dock.feedback.problems() == [] and dock_items(qgis_iface) == []


def test_reset_takes_the_problems_away(dock, qgis_iface):
    _refused(dock)
    assert dock.feedback.problems() == ["INPUT"] and len(dock_items(qgis_iface)) == 1
    dock.reset_to_defaults()
    assert dock.feedback.problems() == [] and dock_items(qgis_iface) == []
    assert not _is_marked(dock.ui.folderWidget) and dock.ui.statusLabel.text() == ""


# ---- Earth Engine: set-up guidance before any task


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    """No Earth Engine credentials anywhere: no variable, an empty home folder, no authentication configuration."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    QgsSettings().remove("cloudscore_composite/earthengine/authcfg")


def _earth_engine(dock, project="my-project"):
    dock.set_source_kind("earthengine")
    dock.ui.collectionCombo.setCurrentText(L1C)
    dock.ui.projectLineEdit.setText(project)
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText(DEMO_BOUNDS)
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem(DEMO_CRS))


@pytest.mark.parametrize("action", ["find_scenes", "run"])
def test_earth_engine_without_credentials_points_to_authentication(dock, server, no_credentials, action, monkeypatch):
    from cloudscore_composite.plugin.dock.earthengine_setup import SETUP_HELP_ANCHOR
    from cloudscore_composite.plugin.paths import PLUGIN_ROOT

    _earth_engine(dock)
    box = dock.earth_engine_settings
    box.setCollapsed(True)
    items = _refused(dock, action)

    status = dock.ui.statusLabel.text()
    assert len(status) < 200 and "Authentication" in status and "credentials" in status
    assert "gcloud" not in status and "CLOUDSCORE_EE_TOKEN" not in status  # the long story is in the tooltip
    assert "no Earth Engine credentials found" in dock.ui.statusLabel.toolTip()
    assert len(items) == 1 and items[0].text() == status
    assert "no Earth Engine credentials found" in items[0].toolTip()
    assert _is_marked(box.authConfigSelect) and not box.isCollapsed()
    assert box.authConfigSelect.isVisibleTo(dock.widget())  # its tab raised, its group unfolded
    assert server.count("listAssets") == 0

    opened = []
    monkeypatch.setattr(dock, "open_help", opened.append)
    buttons = items[0].findChildren(QPushButton)
    assert [b.text() for b in buttons] == ["How to set up"]
    buttons[0].click()
    assert opened == [SETUP_HELP_ANCHOR] == ["earth-engine-source"]
    assert "\n### Earth Engine source\n" in (PLUGIN_ROOT / "README.md").read_text(encoding="utf-8")
    help_html = (PLUGIN_ROOT / "resources" / "help" / "index.html").read_text(encoding="utf-8")
    assert f'name="{SETUP_HELP_ANCHOR}"' in help_html  # the help viewer scrolls to it

    assert len(_refused(dock, action)) == 1  # asked again: still one item


def test_earth_engine_credentials_found_take_the_guidance_away(dock, server, no_credentials, monkeypatch, qgis_iface):
    from ..fake_earthengine import TOKEN

    _earth_engine(dock)
    _refused(dock, "find_scenes")
    monkeypatch.setenv("CLOUDSCORE_EE_TOKEN", TOKEN)  # set up outside the dock: the next search passes
    find_to_end(dock)
    assert dock.feedback.problems() == [] and dock_items(qgis_iface) == []
    assert not _is_marked(dock.earth_engine_settings.authConfigSelect)
    assert dock.scene_proxy.rowCount() == 5


def test_earth_engine_without_a_project_points_to_the_project_field(dock, server, qgis_iface):
    _earth_engine(dock, project="")
    items = _refused(dock, "find_scenes")
    assert len(items) == 1 and "Cloud project" in dock.ui.statusLabel.text() and len(dock.ui.statusLabel.text()) < 200
    assert _is_marked(dock.ui.projectLineEdit) and "CLOUDSCORE_EE_PROJECT" in items[0].toolTip()
    dock.ui.projectLineEdit.setText("my-project")
    assert not _is_marked(dock.ui.projectLineEdit) and dock_items(qgis_iface) == []
    assert server.count("listAssets") == 0
