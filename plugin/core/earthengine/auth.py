"""Earth Engine credentials and the Cloud project, found the way Google's own tools leave them.

The chain, first match wins (see ``find_credentials``):

1. an OAuth access token in the environment variable ``CLOUDSCORE_EE_TOKEN``;
2. a service-account key file named by ``CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY``: the user named it, so it wins over
   the files found by search below (a named file that is missing is an error, not skipped). It is signed through
   google-auth, which must be installed: signing RS256 JWTs is not something to hand-roll;
3. the file ``earthengine authenticate`` writes (``~/.config/earthengine/credentials``: refresh_token, scopes, and
   in some modes client_id, client_secret, project), its refresh token exchanged for access tokens. Without
   client_id / client_secret the public installed-application client of earthengine-api is used, as Google's
   client does (``python/ee/oauth.py``, ``get_credentials_arguments``: ``stored.get('client_id', CLIENT_ID)``);
4. application-default credentials (``GOOGLE_APPLICATION_CREDENTIALS`` or
   ``~/.config/gcloud/application_default_credentials.json``, written by ``gcloud auth application-default login``).

Refresh tokens are exchanged by form POST (RFC 6749 section 6) at ``https://oauth2.googleapis.com/token``
(earthengine-api ``python/ee/oauth.py`` ``TOKEN_URI``). Like Google's client ("Not overridable in file", same
function), a ``token_uri`` in a user's file is ignored; only the environment variable ``CLOUDSCORE_EE_OAUTH_URL``
replaces the endpoint (tests point it at a local server), under the same https / loopback rule as the API root.
Secrets are never logged: only where credentials came from is.
"""

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlsplit

import requests

from ..errors import InputError
from .errors import AuthError, NoCredentialsError, NoProjectError, network_failure

log = logging.getLogger(__name__)

TOKEN_ENV = "CLOUDSCORE_EE_TOKEN"  # nosec B105  # the name of an environment variable, not a token
PROJECT_ENV = "CLOUDSCORE_EE_PROJECT"
SERVICE_ACCOUNT_ENV = "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY"
ADC_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
OAUTH_URL_ENV = "CLOUDSCORE_EE_OAUTH_URL"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"  # nosec B105  # Google's public endpoint, not a secret
"""Google's OAuth 2.0 token endpoint (earthengine-api ``python/ee/oauth.py`` ``TOKEN_URI``)."""
# The public OAuth client of an installed application (earthengine-api python/ee/oauth.py CLIENT_ID,
# CLIENT_SECRET): what `earthengine authenticate` uses when it writes no client of its own. Published in Google's
# open-source client, so not a secret (RFC 8252 section 8.5: an installed app cannot keep one).
EE_PUBLIC_CLIENT_ID = "517222506229-vsmmajv00ul0bs7p89v5m89qs8eb9359.apps.googleusercontent.com"
EE_PUBLIC_CLIENT_SECRET = "RUP0RZ6e0pPhDzsqIJ7KlNd1"  # pragma: allowlist secret  # nosec B105
SCOPES = ("https://www.googleapis.com/auth/earthengine", "https://www.googleapis.com/auth/cloud-platform")
TOKEN_TIMEOUT = 30.0
"""Seconds to wait for the token endpoint."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts a plain ``http://`` endpoint may name: tokens never leave the machine unencrypted."""

SETUP_HINT = (
    "run `earthengine authenticate` (pip install earthengine-api), or `gcloud auth application-default login "
    f"--scopes={','.join(SCOPES)}`, or set {TOKEN_ENV} to an access token (`gcloud auth print-access-token`), "
    f"or set {SERVICE_ACCOUNT_ENV} to a service-account key file (needs google-auth)"
)


def checked_url(url: str, field: str, what: str) -> str:
    """``url`` without a trailing ``/`` when it may carry a token: ``https://``, or plain ``http://`` to this
    machine only (127.0.0.1, localhost, ::1; ``LOOPBACK_HOSTS``).

    Args:
        field: the variable or parameter that gave ``url``, named in the error.
        what: what the URL is, for the message (``"Earth Engine API root"``).

    Raises:
        InputError: ``field`` when the URL is neither.
    """
    url = url.rstrip("/")
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme != "https" and not (scheme == "http" and host in LOOPBACK_HOSTS):
        raise InputError(
            field,
            f"{what} {url!r} must start with https:// (plain http:// is accepted only for "
            "127.0.0.1, localhost or ::1: tokens would otherwise be sent unencrypted)",
        )
    return url


def token_endpoint(environ: Optional[Mapping[str, str]] = None) -> str:
    """Where refresh tokens are exchanged: ``CLOUDSCORE_EE_OAUTH_URL`` when set, else
    ``https://oauth2.googleapis.com/token`` (earthengine-api ``python/ee/oauth.py`` ``TOKEN_URI``); never a
    ``token_uri`` from a credentials file.

    Raises:
        InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor plain http:// to this machine.
    """
    environ = os.environ if environ is None else environ
    override = (environ.get(OAUTH_URL_ENV) or "").strip()
    if not override:
        return DEFAULT_TOKEN_URI
    return checked_url(override, OAUTH_URL_ENV, "OAuth token endpoint")


class Credentials:
    """Something that yields OAuth access tokens for Earth Engine.

    Attributes:
        origin: where the credentials came from, for messages (never the secret itself).
        project: the Cloud project the credentials file names, or None.
    """

    origin = "credentials"
    project: Optional[str] = None

    def token(self) -> str:
        """The current access token (fetched on first use)."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Get a new access token (after a 401).

        Raises:
            AuthError: the credentials cannot be refreshed, naming where they came from.
        """
        raise NotImplementedError


class StaticToken(Credentials):
    """A fixed access token (``CLOUDSCORE_EE_TOKEN`` or one the user keeps in QGIS); it cannot be refreshed."""

    def __init__(self, access_token: str, origin: str = TOKEN_ENV, project: Optional[str] = None):
        self._token = access_token.strip()
        self.origin = origin
        self.project = project

    def token(self) -> str:
        return self._token

    def refresh(self) -> None:
        raise AuthError(
            f"Earth Engine refused the access token from {self.origin} (expired or revoked; access tokens last "
            f"about an hour): give a fresh one, or {SETUP_HINT}"
        )


class RefreshTokenCredentials(Credentials):
    """A user's refresh token, exchanged for access tokens at ``token_endpoint(environ)`` (OAuth 2.0, RFC 6749
    section 6): ``https://oauth2.googleapis.com/token`` unless ``CLOUDSCORE_EE_OAUTH_URL`` says otherwise.

    Thread-safe: parallel requests share one token and one refresh at a time.

    Attributes:
        token_uri: the token endpoint in use (for messages).

    Raises:
        InputError: (on construction) ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
    """

    def __init__(
        self,
        refresh_token: str,
        client_id: str,
        client_secret: str,
        *,
        origin: str = "credentials",
        project: Optional[str] = None,
        session: Optional[requests.Session] = None,
        environ: Optional[Mapping[str, str]] = None,
    ):
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_uri = token_endpoint(environ)
        self.origin = origin
        self.project = project
        self._session = session or requests.Session()
        self._token: Optional[str] = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = self._exchange()
            return self._token

    def refresh(self) -> None:
        with self._lock:
            self._token = self._exchange()

    def _exchange(self) -> str:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        try:
            response = self._session.post(self.token_uri, data=form, timeout=TOKEN_TIMEOUT)
        except requests.RequestException as error:
            raise AuthError(
                f"could not reach the token endpoint {self.token_uri} to refresh the credentials "
                f"from {self.origin}: {network_failure(error, TOKEN_TIMEOUT)}"
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise AuthError(f"the refresh token from {self.origin} was refused ({reason}): {SETUP_HINT}")
        return str(body["access_token"])


class GoogleAuthCredentials(Credentials):
    """Credentials of the google-auth library (service accounts), refreshed through it."""

    def __init__(self, credentials: Any, origin: str, project: Optional[str] = None):
        self._credentials = credentials
        self.origin = origin
        self.project = project
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if not self._credentials.valid:
                self._refresh_locked()
            return str(self._credentials.token)

    def refresh(self) -> None:
        with self._lock:
            self._refresh_locked()

    def _refresh_locked(self) -> None:
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport.requests import Request

        try:
            self._credentials.refresh(Request())
        except GoogleAuthError as error:
            raise AuthError(f"could not get a token for the credentials from {self.origin}: {error}") from error


def _service_account(info: Mapping[str, Any], origin: str) -> Credentials:
    try:
        from google.oauth2 import service_account
    except ImportError as error:
        raise AuthError(
            f"{origin} is a service-account key, which needs the google-auth package to sign its tokens: "
            "install it into QGIS's Python (pip install google-auth), or use another kind of credentials"
        ) from error
    credentials = service_account.Credentials.from_service_account_info(dict(info), scopes=list(SCOPES))
    return GoogleAuthCredentials(credentials, origin, project=info.get("project_id"))


def credentials_from_info(
    info: Mapping[str, Any],
    origin: str,
    session: Optional[requests.Session] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> Credentials:
    """Credentials from the JSON of a credentials file: Earth Engine's, gcloud's ``authorized_user`` or a
    ``service_account`` key.

    Earth Engine's file may hold only ``refresh_token``, ``scopes`` and ``redirect_uri`` (``earthengine
    authenticate`` without gcloud): its refresh token then belongs to earthengine-api's public installed-app
    client, which is used, as Google's client does (``python/ee/oauth.py`` ``get_credentials_arguments``: each of
    client_id / client_secret from the file, else ``CLIENT_ID`` / ``CLIENT_SECRET``). A file's ``token_uri`` is
    ignored (same function: ``TOKEN_URI``, "Not overridable in file"); see ``token_endpoint``.

    Args:
        environ: environment variables for ``CLOUDSCORE_EE_OAUTH_URL`` (default ``os.environ``).

    Raises:
        AuthError: the JSON is none of those, or it is an ``authorized_user`` file without its OAuth client
            (gcloud always writes one; google-auth refuses such a file too).
        InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
    """
    if info.get("type") == "service_account":
        return _service_account(info, origin)
    if info.get("refresh_token"):
        project = info.get("project") or info.get("quota_project_id")
        if info.get("type") == "authorized_user":
            missing = [key for key in ("client_id", "client_secret") if not info.get(key)]
            if missing:
                raise AuthError(
                    f"{origin} is gcloud's authorized_user credentials but lacks "
                    f"{' and '.join(missing)}: re-run `gcloud auth application-default login`"
                )
            client_id, client_secret = info["client_id"], info["client_secret"]
        else:
            client_id = info.get("client_id") or EE_PUBLIC_CLIENT_ID
            client_secret = info.get("client_secret") or EE_PUBLIC_CLIENT_SECRET
        return RefreshTokenCredentials(
            info["refresh_token"],
            client_id,
            client_secret,
            origin=origin,
            project=project,
            session=session,
            environ=environ,
        )
    raise AuthError(f"{origin} holds neither a refresh token nor a service-account key: {SETUP_HINT}")


def credentials_from_secret(
    secret: str, origin: str, session: Optional[requests.Session] = None, environ: Optional[Mapping[str, str]] = None
) -> Credentials:
    """Credentials from a secret the user keeps in the QGIS authentication database: the JSON of a credentials
    file or service-account key (see ``credentials_from_info``), else an access token.

    Raises:
        AuthError: the secret is empty or JSON of an unknown kind.
        InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
    """
    secret = (secret or "").strip()
    if not secret:
        raise AuthError(f"the Earth Engine secret in {origin} is empty")
    if secret.startswith("{"):
        try:
            info = json.loads(secret)
        except ValueError as error:
            raise AuthError(f"the Earth Engine secret in {origin} looks like JSON but does not parse") from error
        return credentials_from_info(info, origin, session, environ)
    return StaticToken(secret, origin)


def _read_json(path: Path) -> Dict[str, Any]:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AuthError(f"credentials file {path} cannot be read as JSON ({error}): {SETUP_HINT}") from error
    if not isinstance(info, dict):
        raise AuthError(f"credentials file {path} is not a JSON object: {SETUP_HINT}")
    return info


def earthengine_credentials_path(home: Optional[Path] = None) -> Path:
    """Where ``earthengine authenticate`` writes its credentials: ``~/.config/earthengine/credentials``."""
    return (home or Path.home()) / ".config" / "earthengine" / "credentials"


def adc_path(environ: Mapping[str, str], home: Optional[Path] = None) -> Path:
    """The application-default credentials file: ``GOOGLE_APPLICATION_CREDENTIALS`` or gcloud's default."""
    if environ.get(ADC_ENV):
        return Path(environ[ADC_ENV])
    return (home or Path.home()) / ".config" / "gcloud" / "application_default_credentials.json"


def find_credentials(
    environ: Optional[Mapping[str, str]] = None, home: Optional[Path] = None, session: Optional[requests.Session] = None
) -> Credentials:
    """The first Earth Engine credentials of the chain in this module's docstring: ``CLOUDSCORE_EE_TOKEN``, the
    key named by ``CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY``, the earthengine credentials file, application-default
    credentials.

    Args:
        environ: environment variables (default ``os.environ``).
        home: the home folder holding ``.config`` (default the user's).
        session: HTTP session for token refreshes.

    Raises:
        AuthError: none of the four is there (``NoCredentialsError``, "no Earth Engine credentials found: ..."
            naming each place looked at and how to set one up), ``CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY`` names a
            file that does not exist, or the credentials found are unusable.
        InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
    """
    environ = os.environ if environ is None else environ
    if environ.get(TOKEN_ENV, "").strip():
        log.info("Earth Engine credentials: the access token in %s", TOKEN_ENV)
        return StaticToken(environ[TOKEN_ENV], TOKEN_ENV)
    looked = [f"environment variable {TOKEN_ENV}"]
    named_key = environ.get(SERVICE_ACCOUNT_ENV, "").strip()
    if named_key:
        # Named by the user, so it beats whatever the search below would find; a typo must not fall through to
        # other credentials silently.
        path = Path(named_key).expanduser()
        if not path.is_file():
            raise AuthError(
                f"{SERVICE_ACCOUNT_ENV} names the service-account key file {path}, which does not "
                f"exist: correct or unset {SERVICE_ACCOUNT_ENV}"
            )
        log.info("Earth Engine credentials: service-account key %s (from %s)", path, SERVICE_ACCOUNT_ENV)
        return credentials_from_info(_read_json(path), f"service-account key {path}", session, environ)
    looked.append(f"environment variable {SERVICE_ACCOUNT_ENV}")
    for path, kind in (
        (earthengine_credentials_path(home), "Earth Engine credentials file"),
        (adc_path(environ, home), "application-default credentials"),
    ):
        if path.is_file():
            log.info("Earth Engine credentials: %s %s", kind, path)
            return credentials_from_info(_read_json(path), f"{kind} {path}", session, environ)
        looked.append(f"{kind} {path}")
    raise NoCredentialsError(f"no Earth Engine credentials found (looked at: {'; '.join(looked)}): {SETUP_HINT}")


def resolve_project(
    explicit: Optional[str], credentials: Optional[Credentials], environ: Optional[Mapping[str, str]] = None
) -> str:
    """The Cloud project billed for the requests (sent as ``X-Goog-User-Project``).

    Order: ``explicit`` (the dock's / algorithm's PROJECT), ``CLOUDSCORE_EE_PROJECT``, the project the
    credentials file names (``earthengine set_project``, ``quota_project_id``, a key's ``project_id``).

    Raises:
        NoProjectError: none of them names a project.
    """
    environ = os.environ if environ is None else environ
    for value in (explicit, environ.get(PROJECT_ENV), credentials.project if credentials else None):
        if value and str(value).strip():
            return str(value).strip()
    raise NoProjectError(
        "no Cloud project for Earth Engine: give one (PROJECT / the dock's project field), set "
        f"{PROJECT_ENV}, or run `earthengine set_project <id>`; the project needs the Earth Engine API enabled "
        "and registered for Earth Engine (https://code.earthengine.google.com/register)"
    )
