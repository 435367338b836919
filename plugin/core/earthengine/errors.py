"""Errors of the Earth Engine source, so entry points can tell auth, project and server problems apart."""

from ..errors import CloudScoreError


class EarthEngineError(CloudScoreError):
    """Earth Engine refused a request or stayed unreachable; the message carries Earth Engine's own text.

    Attributes:
        status: the HTTP status of the last response, or None when no response came (timeout, connection).
    """

    def __init__(self, message: str, status=None):
        super().__init__(message)
        self.status = status


class AuthError(EarthEngineError):
    """No usable Earth Engine credentials, a refresh that failed, or a Cloud project that is missing or refused."""
