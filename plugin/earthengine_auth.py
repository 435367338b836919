"""Earth Engine secrets kept in the QGIS authentication database (``QgsAuthManager``), never in settings or logs.

A user stores, in a QGIS authentication configuration of the "Basic" method, the secret in its password field:
an access token, the JSON of an ``earthengine authenticate`` / gcloud credentials file, or a service-account key.
The plugin's settings keep only that configuration's id (``cloudscore_composite/earthengine/authcfg``).
"""

from qgis.core import QgsApplication, QgsAuthMethodConfig

from .core.earthengine.auth import Credentials, credentials_from_secret
from .translation import tr
from .core.earthengine.errors import AuthError

SECRET_KEYS = ("password", "token", "key")
"""Keys of an authentication configuration's map that may hold the secret, in this order."""


def credentials_from_authcfg(authcfg: str) -> Credentials:
    """The Earth Engine credentials kept under a QGIS authentication configuration id.

    Raises:
        AuthError: the id is unknown, the database is locked (no master password given) or the entry is empty.
    """
    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig()
    if not manager.loadAuthenticationConfig(authcfg, config, True) or not config.isValid(True):
        raise AuthError(
            tr(
                "QGIS authentication configuration {0!r} was not found or could not be decrypted "
                "(is the master password set?): check Settings > Options > Authentication"
            ).format(authcfg)
        )
    secret = next((config.config(key) for key in SECRET_KEYS if config.config(key)), "")
    return credentials_from_secret(
        secret, tr("QGIS authentication configuration {0!r} ({1})").format(authcfg, config.name())
    )
