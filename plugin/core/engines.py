"""Where a composite is computed: on Earth Engine's servers (only the composite is downloaded), on this computer
(every scene is fetched and composited here), or by an Earth Engine batch export to a Cloud Storage bucket (the
composite is computed as a batch task, then its files are downloaded and stitched)."""

import re
from typing import Mapping, Optional, Sequence

from .errors import InputError

SERVERS = "earthengine-servers"
"""Earth Engine computes the composite (``image:computePixels``); only it is downloaded."""
THIS_COMPUTER = "this-computer"
"""The scenes and scores are read (or downloaded and cached) and composited here."""
EXPORT = "export"
"""Earth Engine batch export to Cloud Storage (``image:export``), polled, then downloaded from the bucket
(``CompositeRequest.bucket``)."""

ENGINES = (SERVERS, THIS_COMPUTER, EXPORT)
"""In the order of the ``ENGINE`` parameter of the Processing algorithms (0, 1, 2)."""
ENGINE_LABELS = {
    SERVERS: "On Earth Engine's servers (only the composite is downloaded)",
    THIS_COMPUTER: "On this computer (downloads every scene; cached, re-threshold offline)",
    EXPORT: "Export to Cloud Storage (batch task for large areas; needs a bucket)",
}
SHORT_LABELS = {SERVERS: "servers", THIS_COMPUTER: "this computer", EXPORT: "export"}


def check_engine(engine: Optional[str], offered: Sequence[str]) -> str:
    """The engine to use: ``engine``, or the first one ``offered`` when None.

    Args:
        engine: one of ``ENGINES`` or None.
        offered: the engines the source can use (``Source.engines``), the preferred first.

    Raises:
        InputError: ``ENGINE`` when the engine is unknown or not offered by the source.
    """
    if engine is None:
        return offered[0]
    if engine not in ENGINES:
        raise InputError("ENGINE", f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine not in offered:
        choices = ", ".join(f"{ENGINES.index(e)} ({SHORT_LABELS[e]})" for e in offered)
        raise InputError("ENGINE", f"this source cannot composite {SHORT_LABELS[engine]}: choose {choices}")
    return engine


_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


def check_bucket(bucket: Optional[str], field: str = "BUCKET") -> str:
    """The Cloud Storage bucket name of an export, without a ``gs://`` in front or a ``/`` behind.

    Google's naming rules (Cloud Storage documentation, "Bucket names"): 3..63 characters, or up to 222 when
    the name holds dots with at most 63 characters between them; lower-case letters, digits, ``-``, ``_`` and
    ``.``; first and last character a letter or digit; not an IP address; not starting with ``goog`` and not
    holding ``google``.

    Raises:
        InputError: ``field`` when the name is empty or breaks one of those rules.
    """
    name = (bucket or "").strip()
    if name.lower().startswith("gs://"):
        name = name[5:]
    name = name.rstrip("/")
    if not name:
        raise InputError(
            field,
            "the export to Cloud Storage (ENGINE 2) needs a bucket: give the name of a Cloud "
            "Storage bucket Earth Engine may write to (e.g. my-exports)",
        )
    problem = None
    if "/" in name:
        problem = "a bucket name holds no '/' (give the bucket only; the plugin names the files)"
    elif not _BUCKET.fullmatch(name):
        problem = "use lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    elif len(name) < 3 or len(name) > (222 if "." in name else 63) or any(len(p) > 63 for p in name.split(".")):
        problem = "a bucket name has 3..63 characters (up to 222 with dots, at most 63 between two dots)"
    elif _IP_ADDRESS.fullmatch(name) or name.startswith("goog") or "google" in name:
        problem = "a bucket name may not be an IP address, start with 'goog' or hold 'google'"
    if problem:
        raise InputError(field, f"{name!r} is not a Cloud Storage bucket name: {problem}")
    return name


def format_estimates(estimates: Mapping[str, object]) -> str:
    """What each engine would download, for the dock: ``servers: 0.9 GB, this computer: 23 GB``.

    Args:
        estimates: engine -> an estimate with a ``megabytes`` attribute (``source.FetchEstimate``), in the order
            to show them.
    """
    return ", ".join(
        f"{SHORT_LABELS.get(engine, engine)}: {_size(getattr(e, 'megabytes', 0.0))}" for engine, e in estimates.items()
    )


def _size(megabytes: float) -> str:
    if megabytes >= 1024:
        return f"{megabytes / 1024:.1f} GB"
    return f"{megabytes:.1f} MB"
