"""The credentials chain (env token, named service-account key, earthengine credentials file, application-default
credentials), the project order, and error messages that say what is missing; refresh tokens against the fake
server, whose token endpoint tests name through CLOUDSCORE_EE_OAUTH_URL (a file's token_uri is never used)."""

import json
import re

import pytest
from cloudscore_composite.plugin.core.earthengine.auth import (
    DEFAULT_TOKEN_URI,
    EE_PUBLIC_CLIENT_ID,
    EE_PUBLIC_CLIENT_SECRET,
    RefreshTokenCredentials,
    StaticToken,
    credentials_from_secret,
    find_credentials,
    resolve_project,
    token_endpoint,
)
from cloudscore_composite.plugin.core.earthengine.errors import AuthError
from cloudscore_composite.plugin.core.errors import InputError

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


@pytest.fixture
def env(server):
    """Environment variables pointing the token endpoint at the fake server."""
    return {"CLOUDSCORE_EE_OAUTH_URL": server.token_uri}


def ee_file(home, **extra):
    info = dict(
        refresh_token=REFRESH_TOKEN,
        client_id="cid",
        client_secret="secret",
        scopes=["https://www.googleapis.com/auth/earthengine"],
        **extra,
    )
    return write(home / ".config" / "earthengine" / "credentials", info)


def adc_file(path, **extra):
    info = dict(
        type="authorized_user", refresh_token=REFRESH_TOKEN, client_id="adc-id", client_secret="adc-secret", **extra
    )
    return write(path, info)


def service_account_key(path):
    return write(
        path,
        {
            "type": "service_account",
            "project_id": "sa-project",
            "client_email": "sa@sa-project.iam.gserviceaccount.com",
            "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n",
        },
    )


def google_auth_installed():
    try:
        import google.oauth2  # noqa: F401
    except ImportError:
        return False
    return True


def test_nothing_found_names_every_place_looked_and_how_to_set_up(home):
    with pytest.raises(AuthError) as raised:
        find_credentials({}, home)
    message = str(raised.value)
    assert message.startswith("no Earth Engine credentials found")
    for part in (
        "CLOUDSCORE_EE_TOKEN",
        str(home / ".config/earthengine/credentials"),
        str(home / ".config/gcloud/application_default_credentials.json"),
        "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY",
        "run `earthengine authenticate`",
    ):
        assert part in message


def test_the_env_token_comes_first(home, server, tmp_path):
    ee_file(home)
    key = service_account_key(tmp_path / "key.json")
    credentials = find_credentials(
        {"CLOUDSCORE_EE_TOKEN": " abc ", "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY": str(key)}, home
    )
    assert isinstance(credentials, StaticToken) and credentials.token() == "abc"
    assert server.count("token") == 0


def test_the_earthengine_file_comes_before_adc_and_exchanges_its_refresh_token(home, server, env):
    ee_file(home, project="ee-file-project")
    adc_file(home / ".config" / "gcloud" / "application_default_credentials.json")
    credentials = find_credentials(env, home)
    assert isinstance(credentials, RefreshTokenCredentials) and credentials.client_id == "cid"
    assert credentials.token() == "fake-access-token-1" and credentials.token() == "fake-access-token-1"
    form = server.requests_of("token")
    assert form == [
        {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_id": "cid", "client_secret": "secret"}
    ]
    assert credentials.project == "ee-file-project"


def test_adc_from_the_environment_variable_or_gcloud_default(home, server, tmp_path, env):
    adc_file(home / ".config" / "gcloud" / "application_default_credentials.json", quota_project_id="quota-project")
    credentials = find_credentials(env, home)
    assert credentials.client_id == "adc-id" and credentials.project == "quota-project"
    elsewhere = adc_file(tmp_path / "adc.json")
    credentials = find_credentials(dict(env, GOOGLE_APPLICATION_CREDENTIALS=str(elsewhere)), home)
    assert str(elsewhere) in credentials.origin
    assert credentials.token().startswith("fake-access-token-")


def test_a_file_of_earthengine_authenticate_without_gcloud_uses_earthengine_apis_public_client(home, server, env):
    # What `earthengine authenticate` writes without gcloud (earthengine-api python/ee/oauth.py
    # _obtain_and_write_token): redirect_uri, refresh_token, scopes; no OAuth client, no project.
    write(
        home / ".config" / "earthengine" / "credentials",
        {
            "redirect_uri": "http://localhost:8085",
            "refresh_token": REFRESH_TOKEN,
            "scopes": ["https://www.googleapis.com/auth/earthengine", "https://www.googleapis.com/auth/cloud-platform"],
        },
    )
    credentials = find_credentials(env, home)
    assert isinstance(credentials, RefreshTokenCredentials)
    assert credentials.token() == "fake-access-token-1"
    # earthengine-api python/ee/oauth.py CLIENT_ID and CLIENT_SECRET, as get_credentials_arguments falls back to
    assert EE_PUBLIC_CLIENT_ID == "517222506229-vsmmajv00ul0bs7p89v5m89qs8eb9359.apps.googleusercontent.com"
    assert server.requests_of("token") == [
        {
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": EE_PUBLIC_CLIENT_ID,
            "client_secret": EE_PUBLIC_CLIENT_SECRET,
        }
    ]
    assert credentials.project is None


def test_a_token_uri_in_the_file_is_never_the_endpoint(home, server, tmp_path):
    decoy = "http://127.0.0.1:9/token"  # a file may name any endpoint: Google's client ignores it, so do we
    ee_file(home, token_uri=decoy)
    credentials = find_credentials({}, home)
    assert credentials.token_uri == DEFAULT_TOKEN_URI == "https://oauth2.googleapis.com/token"
    credentials = find_credentials({"CLOUDSCORE_EE_OAUTH_URL": server.token_uri}, home)
    assert credentials.token_uri == server.token_uri and credentials.token().startswith("fake-access-token-")
    secret = json.dumps(dict(refresh_token=REFRESH_TOKEN, token_uri=decoy))
    assert credentials_from_secret(secret, "QGIS auth config abc", environ={}).token_uri == DEFAULT_TOKEN_URI
    assert server.count("token") == 1


def test_the_token_endpoint_override_must_be_https_or_this_machine():
    assert token_endpoint({}) == "https://oauth2.googleapis.com/token"
    assert token_endpoint({"CLOUDSCORE_EE_OAUTH_URL": " "}) == "https://oauth2.googleapis.com/token"
    for url in (
        "http://127.0.0.1:9/token",
        "http://localhost:8080/token",
        "http://[::1]:8080/token",
        "https://oauth.example.com/token",
    ):
        assert token_endpoint({"CLOUDSCORE_EE_OAUTH_URL": url}) == url
    for url in ("http://oauth2.googleapis.com/token", "http://192.168.1.5:8080/token", "ftp://127.0.0.1/token"):
        with pytest.raises(
            InputError,
            match=r"^CLOUDSCORE_EE_OAUTH_URL: OAuth token endpoint .*must start with "
            r"https://",
        ):
            token_endpoint({"CLOUDSCORE_EE_OAUTH_URL": url})
        with pytest.raises(InputError, match=r"^CLOUDSCORE_EE_OAUTH_URL: "):
            RefreshTokenCredentials(REFRESH_TOKEN, "c", "s", environ={"CLOUDSCORE_EE_OAUTH_URL": url})


def test_a_service_account_key_needs_google_auth(home, tmp_path):
    key = service_account_key(tmp_path / "key.json")
    if google_auth_installed():
        pytest.skip("google-auth is installed here; the key itself is fake")
    with pytest.raises(AuthError, match=r"service-account key, which needs the google-auth package"):
        find_credentials({"CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY": str(key)}, home)


def test_a_named_service_account_key_wins_over_the_files_found_by_search(home, server, tmp_path, env):
    ee_file(home, project="ee-file-project")
    adc_file(home / ".config" / "gcloud" / "application_default_credentials.json")
    key = service_account_key(tmp_path / "key.json")
    if google_auth_installed():
        pytest.skip("google-auth is installed here; the key itself is fake")
    # Without google-auth the key cannot be used: the error proves it was the one chosen.
    with pytest.raises(
        AuthError,
        match=rf"^service-account key {re.escape(str(key))} is a service-account key, "
        r"which needs the google-auth package",
    ):
        find_credentials(dict(env, CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY=str(key)), home)
    assert server.count("token") == 0


def test_a_named_service_account_key_that_does_not_exist_is_an_error(home, tmp_path, env):
    ee_file(home)
    missing = tmp_path / "no-such-key.json"
    with pytest.raises(
        AuthError,
        match=rf"^CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY names the service-account key file "
        rf"{re.escape(str(missing))}, which does not exist",
    ):
        find_credentials(dict(env, CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY=str(missing)), home)


def test_files_that_are_not_credentials_say_so(home, server):
    path = write(
        home / ".config" / "gcloud" / "application_default_credentials.json",
        {"type": "authorized_user", "refresh_token": "x"},
    )
    with pytest.raises(
        AuthError,
        match=r"is gcloud's authorized_user credentials but lacks client_id and "
        r"client_secret: re-run `gcloud auth application-default login`",
    ):
        find_credentials({}, home)
    path = write(home / ".config" / "earthengine" / "credentials", {})
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
    with pytest.raises(
        AuthError,
        match=r"no Cloud project for Earth Engine: give one \(PROJECT.*"
        r"CLOUDSCORE_EE_PROJECT.*earthengine set_project",
    ):
        resolve_project(None, StaticToken("t"), {})


def test_a_secret_kept_in_qgis_is_a_token_or_credentials_json(server, monkeypatch):
    assert credentials_from_secret("ya29.token", "QGIS auth config abc").token() == "ya29.token"
    monkeypatch.setenv("CLOUDSCORE_EE_OAUTH_URL", server.token_uri)  # read from os.environ when none is given
    info = json.dumps(dict(refresh_token=REFRESH_TOKEN, client_id="c", client_secret="s"))
    credentials = credentials_from_secret(info, "QGIS auth config abc")
    assert credentials.token().startswith("fake-access-token-")
    assert server.requests_of("token")[-1]["client_id"] == "c"
    with pytest.raises(AuthError, match="empty"):
        credentials_from_secret("  ", "QGIS auth config abc")
