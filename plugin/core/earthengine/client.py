"""HTTP to the Earth Engine REST API: auth headers, retries with backoff, Earth Engine's own error messages.

Retry rules (Earth Engine REST reference and the earthengine-api client, which retries up to 5 times, its
``python/ee/_state.py`` ``EEState.max_retries``, through googleapiclient's ``HttpRequest.execute(num_retries)``,
whose ``googleapiclient/http.py`` ``_retry_request`` sleeps ``rand() * 2**retry_num`` seconds with ``retry_num``
counting from 1, "full jitter": at most 2, 4, 8, 16, 32 s): 429, 5xx, 403 with a rate-limit reason, timeouts,
connection errors and bodies that come back truncated or do not decode are retried; ``Retry-After`` is honoured;
any other 4xx fails at once with ``error.message`` from the body; a 401 refreshes the token once.

Quota status: like earthengine-api (``python/ee/data.py`` ``_handle_response_headers``, header
``_QUOTA_STATUS_HEADER``), a response whose ``x-earth-engine-quota-status`` header holds
``parallelism_restricted=true`` means the project is over its noncommercial tier's compute quota and in restricted
mode; that is logged as a warning, once per client.
"""

import email.utils
import logging
import os
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ..errors import Cancelled
from .auth import Credentials, checked_url
from .errors import AuthError, EarthEngineError, network_failure

log = logging.getLogger(__name__)

API_URL_ENV = "CLOUDSCORE_EE_API_URL"
DEFAULT_API_URL = "https://earthengine.googleapis.com"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
MAX_RETRY_AFTER = 300.0
"""Longest ``Retry-After`` wait honoured, in seconds (a server asking for more is treated as asking for this)."""
QUOTA_STATUS_HEADER = "x-earth-engine-quota-status"
"""Response header with the project's quota status (earthengine-api ``python/ee/data.py``
``_QUOTA_STATUS_HEADER``)."""
QUOTA_RESTRICTED = "parallelism_restricted=true"
"""What that header holds when the project is in restricted mode (``data.py`` ``_handle_response_headers``)."""
PROJECT_ACCESS_REASONS = frozenset(
    {"USER_PROJECT_DENIED", "SERVICE_DISABLED", "CONSUMER_INVALID", "accessNotConfigured"}
)
"""Error reasons (``errors[].reason`` or ``details[].reason``, Google API error model) of a Cloud project that
may not use Earth Engine."""
PROJECT_ACCESS_MESSAGES = (
    "not registered to use earth engine",
    "has not been used in project",
    "it is disabled",
    "user_project_denied",
    "service_disabled",
    "caller does not have required permission to use project",
)
"""Lower-case parts of Earth Engine's messages for the same cases, when the body carries no reason."""

T = TypeVar("T")


class BodyError(Exception):
    """A 2xx response whose body is truncated or does not decode: worth another try."""


def api_url(explicit: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The API root: ``explicit``, else ``CLOUDSCORE_EE_API_URL``, else ``https://earthengine.googleapis.com``.

    Raises:
        InputError: ``CLOUDSCORE_EE_API_URL`` (``API_URL`` for an ``explicit`` root) when the root is not https://
            and not plain http:// to this machine (127.0.0.1, localhost, ::1): the token would travel unencrypted.
    """
    environ = os.environ if environ is None else environ
    url = explicit or environ.get(API_URL_ENV) or DEFAULT_API_URL
    # The same rule as the token endpoint's (auth.token_endpoint): one check, in auth.checked_url.
    return checked_url(url, "API_URL" if explicit else API_URL_ENV, "Earth Engine API root")


@dataclass
class RetryPolicy:
    """How often and how long to wait before retrying.

    Attributes:
        max_retries: retries after the first attempt (5, as earthengine-api: ``python/ee/_state.py``
            ``EEState.max_retries``).
        base_delay, max_delay: backoff ``random() * min(max_delay, base_delay * 2**n)`` seconds before retry
            ``n`` = 1, 2, ... (googleapiclient ``http.py`` ``_retry_request``, which earthengine-api retries
            through: ``rand() * 2**retry_num``, ``retry_num`` from 1), so at most 2, 4, 8, 16, 32 s.
        sleep: called with the seconds to wait (tests pass a recorder, so they do not wait).
        random: uniform 0..1 source of the jitter.
        poll: longest single ``sleep``, in seconds: a wait is slept in steps of at most this, and a cancel is
            checked between steps, so a cancel during a long ``Retry-After`` stops within one step.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 64.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = field(default=random.random)
    poll: float = 0.2

    def delay(self, retry: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before the retry that follows ``retry`` earlier retries (0 for the first retry):
        ``random() * min(max_delay, base_delay * 2**(retry + 1))``, i.e. up to 2, 4, 8, 16, 32 s as
        googleapiclient's ``_retry_request`` (exponent from 1); ``Retry-After`` wins when given."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        return self.random() * min(self.max_delay, self.base_delay * 2.0 ** (retry + 1))

    def wait(self, seconds: float, should_stop: Optional[Callable[[], bool]] = None) -> None:
        """Sleep ``seconds`` in steps of at most ``poll`` seconds, checking ``should_stop`` before each step.

        Raises:
            Cancelled: ``should_stop`` returned True (the rest of the wait is skipped).
        """
        remaining = seconds
        while remaining > 1e-9:  # not a step for the rounding left of subtracting the steps
            _check_stop(should_stop)
            step = min(remaining, self.poll) if self.poll > 0 else remaining
            self.sleep(step)
            remaining -= step


def retry_after_seconds(value: Optional[str]) -> Optional[float]:
    """A ``Retry-After`` header (seconds, or an HTTP date, RFC 9110 section 10.2.3) in seconds, or None."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def error_details(response: requests.Response) -> Tuple[str, str, Tuple[str, ...]]:
    """(message, status, reasons) of a Google API error body ``{"error": {"message", "status", "errors"|"details"}}``;
    the message falls back to the start of the body when it is not such JSON."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    message = str(error.get("message") or response.text[:300].strip() or response.reason or "no message")
    reasons = tuple(
        str(item.get("reason"))
        for key in ("errors", "details")
        for item in error.get(key) or []
        if isinstance(item, dict) and item.get("reason")
    )
    return message, str(error.get("status") or ""), reasons


def is_rate_limit(response: requests.Response) -> bool:
    """True for a 403 that says a rate limit was hit (retryable), not a permission problem."""
    _, status, reasons = error_details(response)
    return status == "RESOURCE_EXHAUSTED" or bool(RATE_LIMIT_REASONS.intersection(reasons))


NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
"""Failures on the way (no answer, a broken or undecodable answer): retried."""


class RetryingClient:
    """Bearer-token calls with the retry rules of this module, shared by the Earth Engine and Cloud Storage
    clients (both Google APIs with the same error model). Subclasses set ``service``, ``error_type``,
    ``credentials``, ``retry``, ``timeout``, ``session`` and ``_refresh_lock``."""

    service = "Earth Engine"
    """Named in messages and logs."""
    error_type: Type[EarthEngineError] = EarthEngineError
    """Raised when the retries ran out."""
    # Set by each subclass's __init__; declared here so the shared request loop is type-checked.
    credentials: Credentials
    retry: RetryPolicy
    timeout: Tuple[float, float]
    session: requests.Session
    _refresh_lock: threading.Lock

    def _send(
        self,
        method: str,
        url: str,
        what: str,
        decode: Callable[[requests.Response], T],
        refusal: Callable[[requests.Response], EarthEngineError],
        *,
        headers: Optional[Callable[[], Dict[str, str]]] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        **request_args: Any,
    ) -> T:
        """One call, retried on ``NETWORK_ERRORS``, ``RETRYABLE_STATUS``, rate-limit 403s and bodies ``decode``
        rejects with ``BodyError``; a 401 refreshes the token once; any other status raises ``refusal(response)``.

        Args:
            what: the call in a few words (never the query string), for messages.
            headers: extra headers, asked again before each attempt (e.g. a download's ``Range``).
            request_args: passed to ``requests.Session.request`` (``params``, ``json``, ``stream``).

        Raises:
            ``error_type``: the retries ran out (the last failure's text and the number of attempts).
            AuthError: the token was refused even after a refresh.
            Cancelled: ``should_stop`` returned True.
        """
        retries, refreshed = 0, False
        while True:
            _check_stop(should_stop)
            token = self.credentials.token()
            sent = {"Authorization": f"Bearer {token}", **(headers() if headers else {})}
            retry_after, status = None, None
            try:
                response = self.session.request(method, url, headers=sent, timeout=self.timeout, **request_args)
            except NETWORK_ERRORS as error:
                failure = network_failure(error, self.timeout[1])
            else:
                with response:
                    self._on_response(response)
                    status = response.status_code
                    if status == 401:
                        if refreshed:
                            raise AuthError(
                                f"{self.service} refused the credentials from {self.credentials.origin} "
                                f"even after a token refresh: {error_details(response)[0]}",
                                status,
                            )
                        refreshed = True
                        self._refresh(token)
                        continue
                    if 200 <= status < 300:
                        try:
                            return decode(response)
                        except BodyError as error:
                            failure = f"bad response body: {error}"
                    elif status in RETRYABLE_STATUS or (status == 403 and is_rate_limit(response)):
                        failure = f"HTTP {status}: {error_details(response)[0]}"
                        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    else:
                        raise refusal(response)
            if retries >= self.retry.max_retries:
                raise self.error_type(
                    f"{self.service} request {what} failed after {retries + 1} attempts; last: {failure}", status
                )
            wait = self.retry.delay(retries, retry_after)
            retries += 1
            log.warning(
                "%s %s: %s; retry %d/%d in %.1f s", self.service, what, failure, retries, self.retry.max_retries, wait
            )
            self.retry.wait(wait, should_stop)

    def close(self) -> None:
        """Close the connections."""
        self.session.close()

    def _on_response(self, response: requests.Response) -> None:
        """Called with every answer, whatever its status (the Earth Engine client reads its quota header)."""

    def _refresh(self, refused_token: str) -> None:
        # One refresh for all threads that saw the same expired token.
        with self._refresh_lock:
            if self.credentials.token() == refused_token:
                log.info("%s: access token refused, refreshing it", self.service)
                self.credentials.refresh()


class EarthEngineClient(RetryingClient):
    """Authenticated, retrying calls to the Earth Engine REST API; safe to share between threads.

    Args:
        credentials: where access tokens come from.
        project: Cloud project sent as ``X-Goog-User-Project`` (quota and billing).
        url: API root (see ``api_url``).
        retry: retry policy.
        timeout: (connect, read) seconds per attempt.
        max_connections: HTTP connections kept open (the number of requests in flight).
    """

    def __init__(
        self,
        credentials: Credentials,
        project: str,
        url: Optional[str] = None,
        retry: Optional[RetryPolicy] = None,
        timeout: Tuple[float, float] = (15.0, 300.0),
        max_connections: int = 8,
    ):
        self.credentials = credentials
        self.project = project
        self.url = api_url(url)
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, max_connections))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._refresh_lock = threading.Lock()
        self._quota_warned = False
        self._quota_lock = threading.Lock()

    def get_json(
        self, path: str, params: Optional[Dict[str, Any]] = None, should_stop: Optional[Callable[[], bool]] = None
    ) -> Dict[str, Any]:
        """GET ``<root>/<path>`` and return its JSON body (an undecodable body is retried)."""
        return self.request("GET", path, params=params, decode=_json_body, should_stop=should_stop)

    def post_json(
        self, path: str, body: Dict[str, Any], should_stop: Optional[Callable[[], bool]] = None
    ) -> Dict[str, Any]:
        """POST the JSON ``body`` to ``<root>/<path>`` and return the JSON answer (retried as ``request`` says:
        only for calls that are safe to repeat, such as an export carrying its ``requestId``)."""
        return self.request("POST", path, json=body, decode=_json_body, should_stop=should_stop)

    def request(
        self,
        method: str,
        path: str,
        *,
        decode: Callable[[requests.Response], T],
        params: Optional[Dict[str, Any]] = None,
        json: Optional[Dict[str, Any]] = None,
        should_stop: Optional[Callable[[], bool]] = None,
    ) -> T:
        """One API call with the retry rules of this module.

        Args:
            method, path: HTTP method and path below the root (``v1/projects/...``).
            decode: turns a 2xx response into the result; raises ``BodyError`` for a body worth fetching again.
            params, json: query parameters and JSON body.
            should_stop: polled before each attempt and during retry waits; True stops with ``Cancelled``.

        Raises:
            EarthEngineError: a 4xx that is not retried (Earth Engine's message), or the retries ran out
                (the last failure's text and the number of attempts).
            AuthError: the token was refused even after a refresh, or the project has no Earth Engine access.
            Cancelled: ``should_stop`` returned True.
        """
        url = f"{self.url}/{path.lstrip('/')}"
        # One line for messages: the call and the host, never the query string (an AIP-160 filter can be 4 KB).
        what = f"{method} {path.split('/')[-1][:80]} to {urlsplit(self.url).netloc}"
        return self._send(
            method,
            url,
            what,
            lambda response: decode(_complete(response)),
            self._refusal,
            headers=lambda: {"X-Goog-User-Project": self.project},
            should_stop=should_stop,
            params=params,
            json=json,
        )

    def _on_response(self, response: requests.Response) -> None:
        # earthengine-api calls python/ee/data.py _handle_response_headers on every response, whatever its status
        # (_cloud_api_utils.py _wrap_request), and warns when the header says parallelism_restricted=true; Python's
        # warnings show that once, so warn once per client here.
        status = response.headers.get(QUOTA_STATUS_HEADER)
        if not status or QUOTA_RESTRICTED not in status:
            return
        with self._quota_lock:
            if self._quota_warned:
                return
            self._quota_warned = True
        log.warning(
            "Earth Engine: project %r has exceeded the compute quota of its noncommercial tier and is in "
            "restricted mode (%s: %s)",
            self.project,
            QUOTA_STATUS_HEADER,
            status,
        )

    def _refusal(self, response: requests.Response) -> EarthEngineError:
        message, _, reasons = error_details(response)
        status = response.status_code
        if status == 403 and is_project_refusal(message, reasons):
            return AuthError(
                f"project {self.project!r} has no Earth Engine access (Earth Engine says: {message}). Enable the "
                "Earth Engine API in that Cloud project and register it for Earth Engine "
                "(https://code.earthengine.google.com/register), or choose another project",
                status,
            )
        return EarthEngineError(f"Earth Engine refused the request (HTTP {status}): {message}", status)


def is_project_refusal(message: str, reasons: Tuple[str, ...]) -> bool:
    """True when a 403 says the Cloud project may not use Earth Engine (not registered, API disabled, no right
    to use the project), judged by ``PROJECT_ACCESS_REASONS`` and ``PROJECT_ACCESS_MESSAGES``; a permission
    refused on an asset (whose name holds ``projects/...`` too) is not such a case."""
    text = message.lower()
    return bool(PROJECT_ACCESS_REASONS.intersection(reasons)) or any(part in text for part in PROJECT_ACCESS_MESSAGES)


def _check_stop(should_stop: Optional[Callable[[], bool]]) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled("cancelled by the user")


def _complete(response: requests.Response) -> requests.Response:
    # urllib3 1.x does not enforce Content-Length: a connection closed early gives a short body silently.
    expected = response.headers.get("Content-Length")
    complete = (
        expected is None
        or not expected.isdigit()
        or "Content-Encoding" in response.headers
        or len(response.content) == int(expected)
    )
    if not complete:
        raise BodyError(f"truncated: {len(response.content)} of {expected} bytes")
    return response


def _json_body(response: requests.Response) -> Dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise BodyError(f"not JSON ({error})") from error
    if not isinstance(body, dict):
        raise BodyError("not a JSON object")
    return body
