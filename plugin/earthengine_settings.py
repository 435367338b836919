"""The Earth Engine source as the user set it up in QGIS: settings under ``cloudscore_composite/earthengine/``.

Keys: ``cache_dir`` (tile cache folder, the tiles go to its ``cloudscore_ee_tiles`` subfolder; empty = the
default), ``max_requests`` (getPixels requests in flight, 1..40, default 8; clamped with a logged warning),
``ceiling_mb`` (refuse larger fetches; 0 or less = no ceiling), ``authcfg`` (a QGIS authentication
configuration id holding the secret; empty = the credentials chain of ``core.earthengine.auth``).
"""

from typing import Optional

from qgis.core import QgsSettings

from .core.earthengine.fetch import DEFAULT_MAX_WORKERS
from .core.earthengine.source import EarthEngineSource
from .earthengine_auth import credentials_from_authcfg

GROUP = "cloudscore_composite/earthengine"
DEFAULT_CEILING_MB = 32768.0
"""Default ceiling of one fetch, in MB (MiB, 2**20 bytes) uncompressed: 32 GiB.

A typical job, a season of 20 scenes of 4 bands + ``cs`` over one 100 x 100 km MGRS tile at 10 m:
10000 x 10000 = 1e8 pixels x (4 x 2 bytes uint16 + 4 bytes float32) = 1.2e9 bytes = 1144 MiB a scene, x 20 =
22888 MiB (27594 MiB for a whole 109.8 km tile). The ceiling lets that through with room to spare, and still
stops a mistake: a year of that tile (about 73 scenes, 83500 MiB) or a season over an extent of several tiles."""


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
        max_workers=ee_setting("max_requests", DEFAULT_MAX_WORKERS, int),  # clamped to 1..40 by the source
        ceiling_mb=ee_setting("ceiling_mb", DEFAULT_CEILING_MB, float),  # 0 or less: no ceiling
    )
