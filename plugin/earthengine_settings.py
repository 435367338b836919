"""The Earth Engine source as the user set it up in QGIS: settings under ``cloudscore_composite/earthengine/``.

Keys: ``cache_dir`` (tile cache folder; empty = the default), ``max_requests`` (getPixels requests in flight,
default 8), ``ceiling_mb`` (refuse larger fetches; 0 = no ceiling), ``authcfg`` (a QGIS authentication
configuration id holding the secret; empty = the credentials chain of ``core.earthengine.auth``).
"""

from typing import Optional

from qgis.core import QgsSettings

from .core.earthengine.fetch import DEFAULT_MAX_WORKERS
from .core.earthengine.source import EarthEngineSource
from .earthengine_auth import credentials_from_authcfg

GROUP = "cloudscore_composite/earthengine"
DEFAULT_CEILING_MB = 2048.0
"""Default ceiling of one fetch, in MB uncompressed: about 40 Sentinel-2 scenes of 4 bands over 50 x 50 km at 10 m."""


def ee_setting(key: str, default=None, value_type=str):
    """The value under ``cloudscore_composite/earthengine/<key>``, as ``value_type``, or ``default``."""
    return QgsSettings().value(f"{GROUP}/{key}", default, type=value_type)


def set_ee_setting(key: str, value) -> None:
    """Remember ``value`` under ``cloudscore_composite/earthengine/<key>``."""
    QgsSettings().setValue(f"{GROUP}/{key}", value)


def earth_engine_source(collection: str, project: Optional[str] = None) -> EarthEngineSource:
    """An ``EarthEngineSource`` with the user's cache folder, requests in flight, ceiling and stored secret.

    Nothing touches the network here; a stored secret is read from the QGIS authentication database now.

    Raises:
        InputError: ``COLLECTION`` unknown.
        AuthError: the configured QGIS authentication configuration cannot be read.
    """
    authcfg = (ee_setting("authcfg", "") or "").strip()
    return EarthEngineSource(
        collection=collection,
        project=(project or "").strip() or None,
        cache_dir=(ee_setting("cache_dir", "") or "").strip() or None,
        credentials=credentials_from_authcfg(authcfg) if authcfg else None,
        max_workers=max(1, ee_setting("max_requests", DEFAULT_MAX_WORKERS, int)),
        ceiling_mb=ee_setting("ceiling_mb", DEFAULT_CEILING_MB, float) or None,
    )
