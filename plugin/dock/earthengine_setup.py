"""Is Earth Engine set up on this computer? Checked before the dock starts a search or a run on Earth Engine, so a
user without credentials or a Cloud project gets a short pointer to the field to fill (and to the README's set-up
section) instead of a task that fails with the whole list of places looked at."""

from qgis.PyQt.QtCore import QT_TR_NOOP

from ..core.errors import CloudScoreError, InputError
from ..translation import translated
from .field_feedback import AUTHENTICATION

try:  # the Earth Engine source is optional (see source_panel)
    from ..core.earthengine.errors import AuthError, NoCredentialsError, NoProjectError
except ImportError:  # pragma: no cover
    AuthError = NoCredentialsError = NoProjectError = None

SETUP_HELP_ANCHOR = "earth-engine-source"
"""The README's section on setting up an account and credentials (GitHub's anchor of "### Earth Engine source")."""

HOW_TO_SET_UP = QT_TR_NOOP("How to set up")
NEEDS_CREDENTIALS = QT_TR_NOOP("Earth Engine needs credentials: choose them in Authentication (Earth Engine settings).")
UNUSABLE_CREDENTIALS = QT_TR_NOOP(
    "The Earth Engine credentials found cannot be used (see the log): choose others in Authentication "
    "(Earth Engine settings)."
)
NEEDS_PROJECT = QT_TR_NOOP("Earth Engine needs a Cloud project: enter it in Cloud project.")


class SetupError(InputError):
    """Earth Engine is not set up: ``message`` is short and names the field to fill (``AUTHENTICATION`` or
    ``PROJECT``); ``details`` is the whole explanation (every place looked at, how to set one up), for the log and
    tooltips."""

    def __init__(self, field: str, message: str, details: str):
        super().__init__(field, message)
        self.details = details


def check_access(source) -> None:
    """Before a search or a run: what the source needs to reach its scenes is there (``Source.check_access``, on
    this computer only: for Earth Engine, credentials and a Cloud project; nothing for a folder).

    Raises:
        SetupError: ``AUTHENTICATION`` when no Earth Engine credentials are found or those found cannot be used,
            ``PROJECT`` when no Cloud project is given nor found.
        InputError: ``CLOUDSCORE_EE_OAUTH_URL`` is not https:// nor http:// to this machine.
    """
    try:
        source.check_access()
    except CloudScoreError as error:
        if AuthError is None or not isinstance(error, AuthError):
            raise
        if isinstance(error, NoCredentialsError):
            raise SetupError(AUTHENTICATION, translated(NEEDS_CREDENTIALS), str(error)) from error
        if isinstance(error, NoProjectError):
            raise SetupError("PROJECT", translated(NEEDS_PROJECT), str(error)) from error
        # e.g. a credentials file that is not JSON, a named key file that is missing
        raise SetupError(AUTHENTICATION, translated(UNUSABLE_CREDENTIALS), str(error)) from error
