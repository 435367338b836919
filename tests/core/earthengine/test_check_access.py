"""``Source.check_access``: Earth Engine's credentials and project are looked for on this computer before any task,
without the network; a folder has nothing to check."""

import pytest
from cloudscore_composite.plugin.core.earthengine.errors import AuthError, NoCredentialsError, NoProjectError
from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource
from cloudscore_composite.plugin.core.folder_source import FolderSource

from ...conftest import DEMO_DIR

VARIABLES = (
    "CLOUDSCORE_EE_TOKEN",
    "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSCORE_EE_PROJECT",
)


@pytest.fixture
def nothing_set_up(monkeypatch, tmp_path):
    """No credentials variable, no project variable, an empty home folder (no credentials files)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_no_credentials_is_its_own_error(nothing_set_up):
    with pytest.raises(NoCredentialsError, match="no Earth Engine credentials found") as raised:
        EarthEngineSource(project="p").check_access()
    assert isinstance(raised.value, AuthError)  # callers catching AuthError still do


def test_no_project_is_its_own_error(nothing_set_up, monkeypatch):
    monkeypatch.setenv("CLOUDSCORE_EE_TOKEN", "a-token")
    with pytest.raises(NoProjectError, match="no Cloud project"):
        EarthEngineSource().check_access()


def test_credentials_found_are_kept_for_the_search(nothing_set_up, monkeypatch):
    monkeypatch.setenv("CLOUDSCORE_EE_TOKEN", "a-token")
    source = EarthEngineSource(project="p")
    source.check_access()  # no server runs: nothing went over the network
    assert source.credentials.token() == "a-token" and source.credentials.origin == "CLOUDSCORE_EE_TOKEN"


def test_a_folder_has_nothing_to_check(nothing_set_up):
    FolderSource(DEMO_DIR).check_access()
