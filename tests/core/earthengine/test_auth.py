"""The credentials chain (env token, earthengine credentials file, application-default credentials, service-account
key), the project order, and error messages that say what is missing; refresh tokens against the fake server."""

import json

import pytest
from cloudscore_composite.plugin.core.earthengine.auth import (
    RefreshTokenCredentials,
    StaticToken,
    credentials_from_secret,
    find_credentials,
    resolve_project,
)
from cloudscore_composite.plugin.core.earthengine.errors import AuthError

from ...fake_earthengine import REFRESH_TOKEN


def write(path, info):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def ee_file(home, token_uri, **extra):
    info = dict(refresh_token=REFRESH_TOKEN, client_id="cid", client_secret="secret", token_uri=token_uri,
                scopes=["https://www.googleapis.com/auth/earthengine"], **extra)
    return write(home / ".config" / "earthengine" / "credentials", info)


def adc_file(path, token_uri, **extra):
    info = dict(type="authorized_user", refresh_token=REFRESH_TOKEN, client_id="adc-id", client_secret="adc-secret",
                token_uri=token_uri, **extra)
    return write(path, info)


def test_nothing_found_names_every_place_looked_and_how_to_set_up(home):
    with pytest.raises(AuthError) as raised:
        find_credentials({}, home)
    message = str(raised.value)
    assert message.startswith("no Earth Engine credentials found")
    for part in ("CLOUDSCORE_EE_TOKEN", str(home / ".config/earthengine/credentials"),
                 str(home / ".config/gcloud/application_default_credentials.json"),
                 "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY", "run `earthengine authenticate`"):
        assert part in message


def test_the_env_token_comes_first(home, server):
    ee_file(home, server.token_uri)
    credentials = find_credentials({"CLOUDSCORE_EE_TOKEN": " abc "}, home)
    assert isinstance(credentials, StaticToken) and credentials.token() == "abc"
    assert server.count("token") == 0


def test_the_earthengine_file_comes_before_adc_and_exchanges_its_refresh_token(home, server):
    ee_file(home, server.token_uri, project="ee-file-project")
    adc_file(home / ".config" / "gcloud" / "application_default_credentials.json", server.token_uri)
    credentials = find_credentials({}, home)
    assert isinstance(credentials, RefreshTokenCredentials) and credentials.client_id == "cid"
    assert credentials.token() == "fake-access-token-1" and credentials.token() == "fake-access-token-1"
    form = server.requests_of("token")
    assert form == [{"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_id": "cid",
                     "client_secret": "secret"}]
    assert credentials.project == "ee-file-project"


def test_adc_from_the_environment_variable_or_gcloud_default(home, server, tmp_path):
    adc_file(home / ".config" / "gcloud" / "application_default_credentials.json", server.token_uri,
             quota_project_id="quota-project")
    credentials = find_credentials({}, home)
    assert credentials.client_id == "adc-id" and credentials.project == "quota-project"
    elsewhere = adc_file(tmp_path / "adc.json", server.token_uri)
    credentials = find_credentials({"GOOGLE_APPLICATION_CREDENTIALS": str(elsewhere)}, home)
    assert str(elsewhere) in credentials.origin


def test_a_service_account_key_needs_google_auth(home, tmp_path):
    key = write(tmp_path / "key.json", {"type": "service_account", "project_id": "sa-project",
                                        "client_email": "sa@sa-project.iam.gserviceaccount.com",
                                        "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n"})
    try:
        import google.oauth2  # noqa: F401
    except ImportError:
        with pytest.raises(AuthError, match=r"service-account key, which needs the google-auth package"):
            find_credentials({"CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY": str(key)}, home)
    else:
        pytest.skip("google-auth is installed here; the key itself is fake")


def test_files_that_are_not_credentials_say_so(home, server):
    path = write(home / ".config" / "earthengine" / "credentials", {"refresh_token": "x"})
    with pytest.raises(AuthError, match=r"holds a refresh token but no client_id or client_secret: re-run "
                                        r"`earthengine authenticate`"):
        find_credentials({}, home)
    path.write_text("{not json")
    with pytest.raises(AuthError, match=r"cannot be read as JSON"):
        find_credentials({}, home)
    path.write_text("{}")
    with pytest.raises(AuthError, match=r"neither a refresh token nor a service-account key"):
        find_credentials({}, home)


def test_project_order_explicit_then_env_then_credentials_file():
    credentials = StaticToken("t", project="from-file")
    assert resolve_project("explicit", credentials, {"CLOUDSCORE_EE_PROJECT": "env"}) == "explicit"
    assert resolve_project(None, credentials, {"CLOUDSCORE_EE_PROJECT": "env"}) == "env"
    assert resolve_project("  ", credentials, {}) == "from-file"
    with pytest.raises(AuthError, match=r"no Cloud project for Earth Engine: give one \(PROJECT.*"
                                        r"CLOUDSCORE_EE_PROJECT.*earthengine set_project"):
        resolve_project(None, StaticToken("t"), {})


def test_a_secret_kept_in_qgis_is_a_token_or_credentials_json(server):
    assert credentials_from_secret("ya29.token", "QGIS auth config abc").token() == "ya29.token"
    info = json.dumps(dict(refresh_token=REFRESH_TOKEN, client_id="c", client_secret="s", token_uri=server.token_uri))
    credentials = credentials_from_secret(info, "QGIS auth config abc")
    assert credentials.token().startswith("fake-access-token-")
    with pytest.raises(AuthError, match="empty"):
        credentials_from_secret("  ", "QGIS auth config abc")
