"""Errors of the Earth Engine source, so entry points can tell auth, project and server problems apart."""

import re
from typing import Optional

import requests

from ..errors import CloudScoreError


class EarthEngineError(CloudScoreError):
    """Earth Engine refused a request or stayed unreachable; the message carries Earth Engine's own text.

    Attributes:
        status: the HTTP status of the last response, or None when no response came (timeout, connection).
    """

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class AuthError(EarthEngineError):
    """No usable Earth Engine credentials, a refresh that failed, or a Cloud project that is missing or refused."""


class NoCredentialsError(AuthError):
    """No Earth Engine credentials anywhere the plugin looks (``auth.find_credentials``): set-up is needed, not a
    repair."""


class NoProjectError(AuthError):
    """No Cloud project given nor found (``auth.resolve_project``)."""


_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^'\"\])]+)")


def network_failure(error: BaseException, read_timeout: Optional[float] = None) -> str:
    """What failed on the network, in a few words and without the URL (``requests``' texts hold the whole URL,
    query string included, and the reprs of urllib3 objects): ``cannot connect (Connection refused)``,
    ``host not found (Name or service not known)``, ``no answer within 300 s``..."""
    text = str(error)
    found = _ERRNO_TEXT.search(text)
    cause = found.group(1).strip() if found else ""
    if isinstance(error, requests.ConnectTimeout):
        return "the connection timed out"
    if isinstance(error, requests.Timeout):
        return f"no answer within {read_timeout:g} s" if read_timeout else "no answer in time"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection broke off during the answer"
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return "the answer could not be decoded"
    if isinstance(error, requests.exceptions.SSLError):
        return "the secure connection failed (TLS)"
    if (
        "NameResolutionError" in text
        or "Name or service not known" in text
        or "getaddrinfo" in text
        or "nodename nor servname" in text
        or "Temporary failure in name resolution" in text
    ):
        return f"host not found ({cause or 'name resolution failed'})"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the server closed the connection without an answer"
    if isinstance(error, requests.ConnectionError):
        return f"cannot connect ({cause})" if cause else "cannot connect"
    return cause or type(error).__name__
