"""Cloud Storage over its JSON API: list the files of an Earth Engine export and download them, resumable and
verified.

Wire format (Google's Cloud Storage JSON API reference, v1):

- ``objects.list``: ``GET {root}/storage/v1/b/{bucket}/o?prefix=P&maxResults=N&pageToken=T`` answers
  ``{"kind": "storage#objects", "items": [Object, ...], "nextPageToken": T}`` (``items`` absent when nothing
  matches, ``nextPageToken`` absent on the last page). An Object carries ``name``, ``bucket``, ``size`` (a decimal
  string), ``md5Hash`` (base64 of the object's 16-byte MD5 digest; composite objects have none) and
  ``generation``.
- ``objects.get`` with ``alt=media``: ``GET {root}/storage/v1/b/{bucket}/o/{object name, percent-encoded}?alt=media
  &generation=G`` answers the object's bytes; ``generation`` pins the version listed. A ``Range: bytes=N-`` header
  asks for the bytes from offset N on (``206 Partial Content`` with ``Content-Range: bytes N-last/size``); the
  service may ignore the header and answer ``200`` with the whole object, which is then written from the start.
- errors: Google's API error model ``{"error": {"code", "message", "errors": [{"reason"}]}}``; 429, 5xx and a 403
  with a rate-limit reason are retried as Earth Engine's requests are (``client.RetryPolicy``), a 401 refreshes
  the token once, other 4xx fail at once with the message.

Authorization is the Earth Engine credentials' ``Bearer`` token: their scopes (``auth.SCOPES``) include
``cloud-platform``, which covers ``devstorage.read_only``. The root is ``https://storage.googleapis.com`` unless
``CLOUDSCORE_GCS_API_URL`` replaces it (tests), under the same https-or-loopback rule as the Earth Engine root.
"""

import base64
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar
from urllib.parse import quote

import requests

from .auth import Credentials, checked_url
from .client import BodyError, RetryingClient, RetryPolicy, _check_stop, _json_body, error_details
from .errors import EarthEngineError

log = logging.getLogger(__name__)

STORAGE_URL_ENV = "CLOUDSCORE_GCS_API_URL"
DEFAULT_STORAGE_URL = "https://storage.googleapis.com"
LIST_PAGE_SIZE = 1000
"""``maxResults`` of a listing page (the JSON API's own default and largest page)."""
CHUNK_BYTES = 1 << 20
PARTIAL_SUFFIX = ".part"
"""A download in progress is written to ``<file>.part`` and renamed when complete and verified."""

T = TypeVar("T")


class StorageError(EarthEngineError):
    """Cloud Storage refused a request or stayed unreachable; the message carries its own text."""


@dataclass(frozen=True)
class StorageObject:
    """One object of a bucket, as ``objects.list`` describes it.

    Attributes:
        bucket, name: where it is.
        size: bytes.
        md5: base64 MD5 digest (``md5Hash``), or None when Cloud Storage gives none.
        generation: the object's version, or None.
    """

    bucket: str
    name: str
    size: int
    md5: Optional[str] = None
    generation: Optional[str] = None

    @classmethod
    def from_json(cls, item: Mapping[str, Any], bucket: str) -> "StorageObject":
        """An Object resource of the JSON API.

        Raises:
            BodyError: it lacks ``name`` or a whole-number ``size``.
        """
        try:
            return cls(
                str(item.get("bucket") or bucket),
                str(item["name"]),
                int(item["size"]),
                item.get("md5Hash") or None,
                str(item["generation"]) if item.get("generation") else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BodyError(f"not a Cloud Storage object ({error}): {str(item)[:200]}") from error

    @property
    def uri(self) -> str:
        """``gs://bucket/name``."""
        return f"gs://{self.bucket}/{self.name}"


def storage_url(explicit: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The Cloud Storage root: ``explicit``, else ``CLOUDSCORE_GCS_API_URL``, else ``https://storage.googleapis.com``.

    Raises:
        InputError: ``CLOUDSCORE_GCS_API_URL`` (``STORAGE_URL`` for an ``explicit`` root) when the root is not
            https:// and not plain http:// to this machine: the token would travel unencrypted.
    """
    environ = os.environ if environ is None else environ
    url = explicit or environ.get(STORAGE_URL_ENV) or DEFAULT_STORAGE_URL
    return checked_url(url, "STORAGE_URL" if explicit else STORAGE_URL_ENV, "Cloud Storage API root")


def md5_base64(path: Path) -> str:
    """The MD5 digest of a file in base64, as Cloud Storage's ``md5Hash`` gives it."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


def is_intact(obj: StorageObject, path: Path) -> bool:
    """True when ``path`` holds ``obj`` whole: its size, and its MD5 when Cloud Storage gave one."""
    try:
        if path.stat().st_size != obj.size:
            return False
    except OSError:
        return False
    return obj.md5 is None or md5_base64(path) == obj.md5


class StorageClient(RetryingClient):
    """Authenticated, retrying calls to the Cloud Storage JSON API; one download at a time per client.

    Args:
        credentials: where access tokens come from (the Earth Engine credentials).
        url: API root (see ``storage_url``).
        retry: retry policy (tests pass one that does not sleep).
        timeout: (connect, read) seconds per attempt; the read timeout applies between bytes of a download.
    """

    service = "Cloud Storage"
    error_type = StorageError

    def __init__(
        self,
        credentials: Credentials,
        url: Optional[str] = None,
        retry: Optional[RetryPolicy] = None,
        timeout: Tuple[float, float] = (15.0, 300.0),
    ):
        self.credentials = credentials
        self.url = storage_url(url)
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.session = requests.Session()
        self._refresh_lock = threading.Lock()

    def list_objects(
        self, bucket: str, prefix: str, should_stop: Optional[Callable[[], bool]] = None
    ) -> List[StorageObject]:
        """Every object of ``bucket`` whose name starts with ``prefix``, page after page, in name order.

        Raises:
            StorageError: Cloud Storage refused the listing (no such bucket, no permission: the message says
                which) or stayed unreachable.
            AuthError: the token was refused even after a refresh.
            Cancelled: ``should_stop`` returned True.
        """
        objects: List[StorageObject] = []
        token: Optional[str] = None
        url = f"{self.url}/storage/v1/b/{quote(bucket, safe='')}/o"
        while True:
            params: Dict[str, Any] = {"prefix": prefix, "maxResults": LIST_PAGE_SIZE}
            if token:
                params["pageToken"] = token
            page = self._call(
                "GET", url, f"list gs://{bucket}/{prefix}*", bucket, _json_body, params=params, should_stop=should_stop
            )
            objects.extend(StorageObject.from_json(item, bucket) for item in page.get("items") or [])
            token = page.get("nextPageToken")
            if not token:
                return sorted(objects, key=lambda o: o.name)

    def download(
        self,
        obj: StorageObject,
        path: Path,
        should_stop: Optional[Callable[[], bool]] = None,
        on_bytes: Optional[Callable[[int], None]] = None,
    ) -> Path:
        """Download ``obj`` to ``path``: into ``<path>.part`` first, resuming what an earlier attempt or run left
        there with a ``Range`` request, then checked (size, and MD5 against ``md5Hash``) and renamed onto
        ``path``.

        Args:
            on_bytes: called with the number of bytes each chunk written adds (bytes written again after a
                corrupt download count again).

        Raises:
            StorageError: refused (404: the object is gone; 403: no permission), unreachable, or still incomplete
                or corrupt after the retries.
            AuthError: the token was refused even after a refresh.
            Cancelled: ``should_stop`` returned True; ``<path>.part`` is kept for the next attempt.
            OSError: the file could not be written.
        """
        part = path.with_name(path.name + PARTIAL_SUFFIX)
        url = f"{self.url}/storage/v1/b/{quote(obj.bucket, safe='')}/o/{quote(obj.name, safe='')}"
        params: Dict[str, Any] = {"alt": "media"}
        if obj.generation:
            params["generation"] = obj.generation
        offset = [0]

        def headers() -> Dict[str, str]:
            offset[0] = part.stat().st_size if part.exists() else 0
            if offset[0] >= obj.size:  # complete, or longer than the object: check it, or start again
                if offset[0] == obj.size and (obj.md5 is None or md5_base64(part) == obj.md5):
                    raise _AlreadyComplete()
                part.unlink()
                offset[0] = 0
            return {"Range": f"bytes={offset[0]}-"} if offset[0] else {}

        def write(response: requests.Response) -> None:
            start = offset[0]
            if response.status_code == 206:
                content_range = response.headers.get("Content-Range", "")
                if not content_range.startswith(f"bytes {start}-"):
                    part.unlink(missing_ok=True)
                    raise BodyError(f"answer for another range ({content_range!r}, asked from byte {start})")
            else:
                start = 0  # the whole object (a Range may be ignored): write it from the start
            try:
                with open(part, "ab" if start else "wb") as handle:
                    for chunk in response.iter_content(CHUNK_BYTES):
                        _check_stop(should_stop)
                        handle.write(chunk)
                        if on_bytes is not None:
                            on_bytes(len(chunk))
            except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as error:
                raise BodyError(f"connection lost during the download ({error})") from error
            size = part.stat().st_size
            if size != obj.size:
                raise BodyError(f"cut short: {size} of {obj.size} bytes")  # kept: the next attempt resumes
            if obj.md5 is not None and md5_base64(part) != obj.md5:
                part.unlink()
                raise BodyError("the MD5 of the bytes differs from Cloud Storage's md5Hash")

        try:
            self._call(
                "GET",
                url,
                f"download {obj.uri}",
                obj.bucket,
                write,
                params=params,
                headers=headers,
                should_stop=should_stop,
                stream=True,
            )
        except _AlreadyComplete:
            pass
        os.replace(part, path)
        return path

    def _call(
        self,
        method: str,
        url: str,
        what: str,
        bucket: str,
        decode: Callable[[requests.Response], T],
        *,
        params: Optional[Dict[str, Any]] = None,
        headers: Optional[Callable[[], Dict[str, str]]] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        stream: bool = False,
    ) -> T:
        """One JSON API call with the retry rules of ``client.RetryingClient``; refusals name the bucket."""
        return self._send(
            method,
            url,
            what,
            decode,
            lambda response: _refusal(response, what, bucket),
            headers=headers,
            should_stop=should_stop,
            params=params,
            stream=stream,
        )


class _AlreadyComplete(Exception):
    """The partial file already holds the whole object: nothing to request."""


def _refusal(response: requests.Response, what: str, bucket: str) -> StorageError:
    message, _, _ = error_details(response)
    status = response.status_code
    if status == 403:
        return StorageError(
            f"Cloud Storage refused {what} (HTTP 403: {message}): the account of the Earth Engine credentials needs "
            f"read access to the bucket {bucket!r} (e.g. the role Storage Object Viewer) and a token with the scope "
            "devstorage.read_only or cloud-platform",
            status,
        )
    if status == 404:
        return StorageError(
            f"Cloud Storage has no such bucket or file for {what} (HTTP 404: {message}): check the "
            f"bucket name {bucket!r}",
            status,
        )
    return StorageError(f"Cloud Storage refused {what} (HTTP {status}): {message}", status)
