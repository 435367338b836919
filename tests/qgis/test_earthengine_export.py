"""Exports to Cloud Storage (ENGINE 2) from QGIS, against the local fake Earth Engine and its fake Cloud Storage
(127.0.0.1): compositeearthengine and seasonalcomposites with BUCKET, progress and cancel through Processing's
feedback, and the dock's engine choice with its bucket field, progress and Cancel."""

import numpy as np
import pytest
import rasterio
from qgis.core import QgsProcessingException, QgsSettings

from .dock_support import assert_refused, find_to_end, run_to_end, wait_until
from .test_dock_earthengine import _earth_engine
from .test_earthengine_algorithm import DATES, EXTENT, L1C, SERVERS, RecordingFeedback, run

EXPORT = 2  # ENGINE
BUCKET = "my-bucket"


@pytest.fixture
def exporting(server, monkeypatch):
    """The fake Earth Engine with its Cloud Storage reached through ``CLOUDSCORE_GCS_API_URL``, exports split into
    64-px files, and tasks polled every 10 ms (the source's ``PollPolicy`` replaced)."""
    from cloudscore_composite.plugin.core.earthengine import source as source_module
    from cloudscore_composite.plugin.core.earthengine.export import PollPolicy

    monkeypatch.setenv("CLOUDSCORE_GCS_API_URL", server.url)
    monkeypatch.setattr(
        source_module, "PollPolicy", lambda: PollPolicy(first=0.01, factor=1.0, longest=0.01, step=0.01)
    )
    server.export_file_side = 64
    yield server
    QgsSettings().remove("cloudscore_composite/bucket")


class StagesFeedback(RecordingFeedback):
    """Keeps the progress texts and values; cancels once a text starts with ``cancel_at``."""

    def __init__(self, cancel_at=None):
        super().__init__()
        self.texts, self.values, self.cancel_at = [], [], cancel_at

    def setProgressText(self, text):  # noqa: N802
        self.texts.append(text)
        if self.cancel_at and text.startswith(self.cancel_at):
            self.cancel()
        super().setProgressText(text)

    def setProgress(self, value):  # noqa: N802
        self.values.append(value)
        super().setProgress(value)


def parameters(tmp_path, name, **changes):
    return dict(
        dict(
            EXTENT=EXTENT,
            COLLECTION=L1C,
            QA_BAND=0,
            PROJECT="my-project",
            BANDS="B2,B3,B4,B8",
            ENGINE=EXPORT,
            BUCKET=BUCKET,
            OUTPUT=str(tmp_path / name),
            **DATES,
        ),
        **changes,
    )


def test_compositeearthengine_exports_like_the_servers_compute(plugin, exporting, tmp_path):
    feedback = StagesFeedback()
    result = run(parameters(tmp_path, "export.tif"), feedback)
    servers = run(parameters(tmp_path, "servers.tif", ENGINE=SERVERS))
    assert result["ENGINE"] == "export" and servers["ENGINE"] == "earthengine-servers"
    with rasterio.open(result["OUTPUT"]) as a, rasterio.open(servers["OUTPUT"]) as b:
        assert a.tags()["CLOUDSCORE_ENGINE"] == "export" and a.descriptions == b.descriptions
        assert np.array_equal(a.read(), b.read())
    assert len(exporting.object_names(BUCKET)) == 4 and exporting.count("storageMedia") == 4
    assert "export PENDING" in feedback.texts and "export RUNNING 50%" in feedback.texts
    assert "download 4/4" in feedback.texts
    assert any(line.startswith("Earth Engine export task projects/my-project/operations/") for line in feedback.lines)
    assert feedback.values == sorted(feedback.values) and len(set(feedback.values)) > 5


def test_cancel_in_processing_cancels_the_task(plugin, exporting, tmp_path):
    exporting.export_polls = (1, 1000)  # running until cancelled
    feedback = StagesFeedback(cancel_at="export RUNNING")
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(parameters(tmp_path, "export.tif"), feedback)
    [name] = exporting.operations
    assert exporting.count("cancel") == 1 and exporting.operation(name).cancelled
    assert not (tmp_path / "export.tif").exists()


def test_seasonal_exports_start_every_task_before_waiting(plugin, exporting, tmp_path):
    result = run(
        dict(
            SOURCE=1,
            COLLECTION=1,
            EXTENT=EXTENT,
            YEARS="2015",
            SEASONS="jul=7;aug=8",
            QA_BAND="cs",
            BANDS="B4,B3,B2",
            PROJECT="my-project",
            ENGINE=EXPORT,
            BUCKET=BUCKET,
            OUTPUT=str(tmp_path / "seasons"),
        ),
        algorithm="cloudscore:seasonalcomposites",
    )
    assert result["COMPOSITE_COUNT"] == 2
    kinds = [kind for kind, _, _ in exporting.log if kind in ("export", "operation")]
    assert kinds[:2] == ["export", "export"] and "export" not in kinds[2:]  # both started, then waited for
    assert len(exporting.operations) == 2
    for path in result["OUTPUTS"]:
        with rasterio.open(path) as src:
            assert src.tags()["CLOUDSCORE_ENGINE"] == "export"
    assert sorted(p.name for p in (tmp_path / "seasons").iterdir()) == [
        "composite_2015_aug.tif",
        "composite_2015_jul.tif",
    ]


def test_cancelling_seasonal_exports_cancels_every_started_task(plugin, exporting, tmp_path):
    exporting.export_polls = (1, 1000)
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(
            dict(
                SOURCE=1,
                COLLECTION=1,
                EXTENT=EXTENT,
                YEARS="2015",
                SEASONS="jul=7;aug=8",
                QA_BAND="cs",
                PROJECT="my-project",
                ENGINE=EXPORT,
                BUCKET=BUCKET,
                OUTPUT=str(tmp_path / "seasons"),
            ),
            StagesFeedback(cancel_at="export RUNNING"),
            algorithm="cloudscore:seasonalcomposites",
        )
    assert len(exporting.operations) == 2 and exporting.count("cancel") == 2
    assert all(exporting.operation(name).cancelled for name in exporting.operations)


def test_the_dock_offers_the_export_with_a_remembered_bucket(dock, exporting, tmp_path, qgis_iface):
    _earth_engine(dock, "export")
    assert not dock.ui.bucketLineEdit.isHidden() and not dock.ui.bucketLabel.isHidden()
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    assert_refused(dock, qgis_iface, "needs a bucket")
    dock.ui.bucketLineEdit.setText(" gs://my-bucket ")
    request, _ = dock.build_request()
    assert request.engine == "export" and request.bucket == "gs://my-bucket"
    dock.save_settings()
    assert QgsSettings().value("cloudscore_composite/bucket") == " gs://my-bucket "
    dock.ui.engineCombo.setCurrentIndex(dock.ui.engineCombo.findData("earthengine-servers"))
    assert dock.ui.bucketLineEdit.isHidden()
    dock.ui.engineCombo.setCurrentIndex(dock.ui.engineCombo.findData("export"))
    dock.set_source_kind("folder")
    assert dock.ui.bucketLineEdit.isHidden()  # a folder is composited here
    dock.reset_to_defaults()
    assert dock.ui.bucketLineEdit.text() == ""


def test_a_dock_export_runs_and_cancel_cancels_its_task(dock, exporting, tmp_path):
    _earth_engine(dock, "export")
    find_to_end(dock)
    dock.ui.bucketLineEdit.setText(BUCKET)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("export.tif")
    stages = []
    task = dock.run()
    task.stageChanged.connect(stages.append)
    wait_until(lambda: not dock.is_running())
    with rasterio.open(tmp_path / "export.tif") as src:
        assert src.tags()["CLOUDSCORE_ENGINE"] == "export"
    assert any(s.startswith("export RUNNING") for s in stages) and dock.result_layers() is not None
    wait_until(lambda: not dock.is_searching())
    assert "Earth Engine's servers composited" in dock.ui.sceneStatusLabel.text()  # no score was downloaded
    assert exporting.count("getPixels") == 0

    exporting.export_polls = (1, 1000)
    dock.ui.outputNameLineEdit.setText("cancelled.tif")
    dock.ui.methodCombo.setCurrentIndex(dock.ui.methodCombo.findData("mean"))  # another request: a new task
    dock.run()
    wait_until(lambda: dock._stage.startswith("export RUNNING"))
    dock.cancel()
    wait_until(lambda: not dock.is_running())
    assert exporting.count("cancel") == 1 and dock.ui.statusLabel.text() == "Cancelled"
    assert not (tmp_path / "cancelled.tif").exists()


def test_closing_qgis_leaves_the_task_running_for_the_next_run(dock, exporting, tmp_path):
    _earth_engine(dock, "export")
    dock.ui.bucketLineEdit.setText(BUCKET)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("resumed.tif")
    exporting.export_polls = (1, 1000)
    dock.run()
    wait_until(lambda: dock._stage.startswith("export RUNNING"))
    dock.cancel(cancel_export=False)  # what unload() does when QGIS closes
    wait_until(lambda: not dock.is_running())
    assert exporting.count("cancel") == 0
    assert (tmp_path / ".resumed.tif.export.json").exists()
    [name] = exporting.operations
    exporting.operation(name).running_polls = 0  # the task ends meanwhile
    run_to_end(dock)
    assert exporting.count("export") == 1 and (tmp_path / "resumed.tif").exists()
    assert not (tmp_path / ".resumed.tif.export.json").exists()
