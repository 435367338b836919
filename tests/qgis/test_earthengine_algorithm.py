"""cloudscore:compositeearthengine in QGIS, against the local fake Earth Engine: same composite as the folder."""

import json
import os
import subprocess
from datetime import date

import numpy as np
import pytest
import rasterio
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback, QgsSettings

from ..conftest import DEMO_DIR, PLUGINS_DIR, ROOT
from .conftest import SETTING_KEYS, SETTINGS

ALGORITHM = "cloudscore:compositeearthengine"
L1C = 1  # COLLECTION index of COPERNICUS/S2_HARMONIZED (the demo scenes are L1C, with B10)
DATES = dict(START_DATE="2015-07-01", END_DATE="2015-10-01", THRESHOLD=0.6)
EXTENT = "465181.0522318204,466180.53145382757,5079244.8912012065,5080254.63349641 [EPSG:32633]"
SERVERS, THIS_COMPUTER, EXPORT = 0, 1, 2  # ENGINE


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps what the algorithm logged."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):  # noqa: N802
        self.lines.append(info)
        super().pushInfo(info)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.lines.append(error)
        super().reportError(error, fatalError)


def run(parameters, feedback=None, algorithm=ALGORITHM):
    import processing

    return processing.run(algorithm, parameters, feedback=feedback)


def test_the_algorithm_is_registered_with_its_parameters(plugin):
    algorithm = QgsApplication.processingRegistry().algorithmById(ALGORITHM)
    assert algorithm is not None
    names = [p.name() for p in algorithm.parameterDefinitions()]
    for name in (
        "EXTENT",
        "START_DATE",
        "END_DATE",
        "COLLECTION",
        "QA_BAND",
        "THRESHOLD",
        "BANDS",
        "METHOD",
        "RESOLUTION",
        "CRS",
        "PROJECT",
        "ENGINE",
        "OUTPUT",
    ):
        assert name in names
    assert "Cloud Score+" in algorithm.shortHelpString() and "clear threshold" in algorithm.shortHelpString()
    engine = algorithm.parameterDefinition("ENGINE")
    assert engine.defaultValue() == SERVERS and len(engine.options()) == 3
    assert "servers" in engine.options()[SERVERS] and "this computer" in engine.options()[THIS_COMPUTER]
    assert "Export" in engine.options()[EXPORT]
    for words in (
        "ENGINE",
        "earthengine.computations.create",
        "EECU",
        "uint16",
        "On this computer",
        "CLOUDSCORE_ENGINE",
    ):
        assert words in algorithm.shortHelpString()
    assert "ENGINE" in [o.name() for o in algorithm.outputDefinitions()]


def test_same_composite_as_the_folder_source(plugin, server, tmp_path):
    feedback = RecordingFeedback()
    ee = run(
        dict(
            EXTENT=EXTENT,
            COLLECTION=L1C,
            QA_BAND=0,
            RESOLUTION=10,
            PROJECT="my-project",
            ENGINE=THIS_COMPUTER,
            OUTPUT=str(tmp_path / "ee.tif"),
            **DATES,
        ),
        feedback,
    )
    folder = run(
        dict(
            INPUT=str(DEMO_DIR),
            EXTENT=EXTENT,
            QA_BAND="clear",
            RESOLUTION=10,
            OUTPUT=str(tmp_path / "folder.tif"),
            **DATES,
        ),
        algorithm="cloudscore:compositefolder",
    )
    assert ee["SCENE_COUNT"] == folder["SCENE_COUNT"] == 5 and ee["SKIPPED_SCENES"] == ""
    assert ee["CLEAR_FRACTION"] == pytest.approx(folder["CLEAR_FRACTION"])
    assert ee["ENGINE"] == "this-computer"
    with rasterio.open(ee["OUTPUT"]) as a, rasterio.open(folder["OUTPUT"]) as b:
        assert a.tags()["CLOUDSCORE_ENGINE"] == "this-computer"
        assert a.crs.to_epsg() == 32633 and a.res == (10.0, 10.0)  # the UTM zone of the extent, 10 m
        assert (a.transform, a.shape, a.descriptions) == (b.transform, b.shape, b.descriptions)
        assert np.array_equal(a.read(), b.read())
    assert set(server.projects) == {"my-project"}
    assert any(line.startswith("Earth Engine fetch estimate: 10 request(s)") for line in feedback.lines)
    # a second run with another threshold, method and bands fetches nothing
    server.reset_log()
    run(
        dict(
            EXTENT=EXTENT,
            COLLECTION=L1C,
            QA_BAND=1,
            RESOLUTION=10,
            PROJECT="my-project",
            THRESHOLD=0.8,
            START_DATE=DATES["START_DATE"],
            END_DATE=DATES["END_DATE"],
            METHOD=1,
            BANDS="B4,B3,B2",
            ENGINE=THIS_COMPUTER,
            OUTPUT=str(tmp_path / "again.tif"),
        )
    )
    assert server.count("getPixels") == 5  # only cs_cdf is new: one request per scene (one tile)
    assert {tuple(b["bandIds"]) for b in server.requests_of("getPixels")} == {("cs_cdf",)}


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(EXTENT=None), "EXTENT: the Earth Engine .* needs an area of interest"),
        (dict(ENGINE=EXPORT), r"BUCKET: the export to Cloud Storage \(ENGINE 2\) needs a bucket"),
        (dict(ENGINE=EXPORT, BUCKET="My_Bucket"), "BUCKET: 'My_Bucket' is not a Cloud Storage bucket name"),
        (dict(ENGINE=3), "ENGINE"),
        (dict(THRESHOLD=1.5), r"THRESHOLD"),
        (dict(BANDS="B99"), r"BANDS: unknown band"),
        (dict(START_DATE="2014-01-01", END_DATE="2014-02-01"), r"START_DATE: Earth Engine lists no scene"),
    ],
)
def test_bad_input_is_refused_with_the_parameter_name(plugin, server, tmp_path, changes, message):
    parameters = dict(EXTENT=EXTENT, COLLECTION=L1C, QA_BAND=0, PROJECT="p", OUTPUT=str(tmp_path / "out.tif"), **DATES)
    parameters.update(changes)
    with pytest.raises(QgsProcessingException, match=message):
        run({k: v for k, v in parameters.items() if v is not None})
    assert not (tmp_path / "out.tif").exists()
    if "ENGINE" in changes:  # refused before the run: nothing was asked of Earth Engine
        assert server.count("listAssets") == 0


def test_an_export_without_a_bucket_is_refused_by_the_parameter_check(plugin, server):
    from qgis.core import QgsProcessingContext

    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    parameters = dict(EXTENT=EXTENT, COLLECTION=L1C, QA_BAND=0, PROJECT="p", ENGINE=EXPORT, OUTPUT="out.tif", **DATES)
    ok, message = algorithm.checkParameterValues(parameters, QgsProcessingContext())
    assert not ok and message.startswith("BUCKET: the export to Cloud Storage (ENGINE 2) needs a bucket")
    ok, message = algorithm.checkParameterValues(dict(parameters, BUCKET="my-bucket"), QgsProcessingContext())
    assert ok, message
    ok, message = algorithm.checkParameterValues(dict(parameters, ENGINE=THIS_COMPUTER), QgsProcessingContext())
    assert ok, message
    assert server.log == []  # nothing asked of Earth Engine


def test_missing_credentials_and_project_say_what_to_do(plugin, server, tmp_path, monkeypatch):
    parameters = dict(EXTENT=EXTENT, COLLECTION=L1C, QA_BAND=0, OUTPUT=str(tmp_path / "out.tif"), **DATES)
    # Whatever the caller's environment holds: no project anywhere, then no credentials anywhere.
    monkeypatch.delenv("CLOUDSCORE_EE_PROJECT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    QgsSettings().remove(f"{SETTINGS}/authcfg")  # no secret from the QGIS authentication database either
    with pytest.raises(QgsProcessingException, match=r"no Cloud project for Earth Engine.*CLOUDSCORE_EE_PROJECT"):
        run(parameters)
    for variable in ("CLOUDSCORE_EE_TOKEN", "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(QgsProcessingException, match=r"no Earth Engine credentials found.*earthengine authenticate"):
        run(parameters)


def test_the_ceiling_setting_refuses_a_large_fetch(plugin, server, tmp_path):
    QgsSettings().setValue(f"{SETTINGS}/ceiling_mb", 0.01)
    try:
        with pytest.raises(
            QgsProcessingException,
            match=r"EXTENT: this Earth Engine fetch needs about .* MB in "
            r"10 request\(s\), over the ceiling of 0.01 MB",
        ):
            run(
                dict(
                    EXTENT=EXTENT,
                    COLLECTION=L1C,
                    QA_BAND=0,
                    PROJECT="p",
                    ENGINE=THIS_COMPUTER,
                    OUTPUT=str(tmp_path / "out.tif"),
                    **DATES,
                )
            )
    finally:
        QgsSettings().remove(f"{SETTINGS}/ceiling_mb")
    assert server.count("getPixels") == 0


def test_qgis_process_runs_the_algorithm_against_the_fake_server(server, tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QGIS_OPTS="",
        QGIS_PLUGINPATH=str(PLUGINS_DIR),
        QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        CLOUDSCORE_EE_PROJECT="env-project",
    )
    (tmp_path / "runtime").mkdir(mode=0o700)
    qgis_process = "/usr/bin/qgis_process.bin"
    subprocess.run(
        [qgis_process, "plugins", "enable", "cloudscore_composite"], env=env, check=True, capture_output=True
    )
    output = tmp_path / "composite.tif"
    arguments = [
        f"{k}={v}"
        for k, v in dict(
            EXTENT=EXTENT, COLLECTION=L1C, QA_BAND=0, RESOLUTION=10, ENGINE=THIS_COMPUTER, OUTPUT=output, **DATES
        ).items()
    ]
    done = subprocess.run(
        [qgis_process, "--json", "run", ALGORITHM, "--", *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout[done.stdout.index("{") :])["results"]
    assert results["SCENE_COUNT"] == 5
    assert set(server.projects) == {"env-project"}
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

    aoi = tuple(float(v) for v in EXTENT.split(" ")[0].split(","))
    run_composite(
        CompositeRequest(
            start=date(2015, 7, 1),
            end=date(2015, 10, 1),
            qa_band="clear",
            threshold=0.6,
            output=tmp_path / "folder.tif",
            aoi=(aoi[0], aoi[2], aoi[1], aoi[3]),
            aoi_crs="EPSG:32633",
            resolution=10,
        ),
        FolderSource(DEMO_DIR),
    )
    with rasterio.open(output) as a, rasterio.open(tmp_path / "folder.tif") as b:
        assert (a.transform, a.descriptions) == (b.transform, b.descriptions)
        assert np.array_equal(a.read(), b.read())


def test_default_engine_computes_on_the_servers_and_downloads_no_scene(plugin, server, tmp_path):
    parameters = dict(
        EXTENT=EXTENT, COLLECTION=L1C, QA_BAND=0, RESOLUTION=10, PROJECT="my-project", BANDS="B4,B3,B2", **DATES
    )
    on_servers = run(dict(parameters, OUTPUT=str(tmp_path / "servers.tif")))
    assert server.count("getPixels") == 0  # no scene pixel was downloaded
    assert on_servers["ENGINE"] == "earthengine-servers" and on_servers["SCENE_COUNT"] == 5
    here = run(dict(parameters, ENGINE=THIS_COMPUTER, OUTPUT=str(tmp_path / "here.tif")))
    assert here["ENGINE"] == "this-computer"
    with rasterio.open(on_servers["OUTPUT"]) as a, rasterio.open(here["OUTPUT"]) as b:
        assert a.tags()["CLOUDSCORE_ENGINE"] == "earthengine-servers"
        assert b.tags()["CLOUDSCORE_ENGINE"] == "this-computer"
        assert a.descriptions == b.descriptions and a.descriptions[-1] == "count"
        assert (a.crs, a.transform, a.shape, a.dtypes) == (b.crs, b.transform, b.shape, b.dtypes)


def test_settings_and_a_secret_from_the_qgis_auth_database_build_the_source(plugin, server, tmp_path):
    from cloudscore_composite.plugin.earthengine_settings import earth_engine_source, set_ee_setting
    from qgis.core import QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet() and not manager.setMasterPassword("cloudscore-tests", True):
        pytest.skip("the QGIS authentication database of this profile cannot be unlocked")
    config = QgsAuthMethodConfig("Basic")
    config.setName("Earth Engine test token")
    config.setConfig("username", "earthengine")
    config.setConfig("password", "token-from-the-qgis-auth-db")
    assert manager.storeAuthenticationConfig(config)
    try:
        set_ee_setting("authcfg", config.id())
        set_ee_setting("cache_dir", str(tmp_path / "my-cache"))
        set_ee_setting("max_requests", 3)
        set_ee_setting("ceiling_mb", 123.0)
        source = earth_engine_source("COPERNICUS/S2_HARMONIZED", " my-project ")
        assert source.credentials.token() == "token-from-the-qgis-auth-db"
        assert config.id() in source.credentials.origin and "token-from" not in source.credentials.origin
        assert (source.cache.folder, source.max_workers, source.ceiling_mb, source.project) == (
            tmp_path / "my-cache",
            3,
            123.0,
            "my-project",
        )
        # the secret is in the auth database, not in the settings
        assert all("token-from" not in str(QgsSettings().value(f"{SETTINGS}/{key}")) for key in SETTING_KEYS)
        set_ee_setting("authcfg", "nosuchid")
        from cloudscore_composite.plugin.core.earthengine.errors import AuthError

        with pytest.raises(AuthError, match="'nosuchid' was not found"):
            earth_engine_source("COPERNICUS/S2_HARMONIZED")
    finally:
        manager.removeAuthenticationConfig(config.id())
        for key in SETTING_KEYS:
            QgsSettings().remove(f"{SETTINGS}/{key}")
