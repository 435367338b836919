"""Where a composite is computed: on Earth Engine's servers (only the composite is downloaded), on this computer
(every scene is fetched and composited here), or by an Earth Engine batch export (not built yet)."""

from typing import Mapping, Optional, Sequence

from .errors import InputError

SERVERS = "earthengine-servers"
"""Earth Engine computes the composite (``image:computePixels``); only it is downloaded."""
THIS_COMPUTER = "this-computer"
"""The scenes and scores are read (or downloaded and cached) and composited here."""
EXPORT = "export"
"""Earth Engine batch export to Cloud Storage: a later version builds it."""

ENGINES = (SERVERS, THIS_COMPUTER, EXPORT)
"""In the order of the ``ENGINE`` parameter of the Processing algorithms (0, 1, 2)."""
ENGINE_LABELS = {
    SERVERS: "On Earth Engine's servers (only the composite is downloaded)",
    THIS_COMPUTER: "On this computer (downloads every scene; cached, re-threshold offline)",
    EXPORT: "Export to Cloud Storage (not available yet)",
}
SHORT_LABELS = {SERVERS: "servers", THIS_COMPUTER: "this computer", EXPORT: "export"}


def check_engine(engine: Optional[str], offered: Sequence[str]) -> str:
    """The engine to use: ``engine``, or the first one ``offered`` when None.

    Args:
        engine: one of ``ENGINES`` or None.
        offered: the engines the source can use (``Source.engines``), the preferred first.

    Raises:
        InputError: ``ENGINE`` when the engine is unknown, not built yet (``EXPORT``) or not offered by the source.
    """
    if engine is None:
        return offered[0]
    if engine not in ENGINES:
        raise InputError("ENGINE", f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == EXPORT:
        raise InputError("ENGINE", "export to Cloud Storage (ENGINE 2) is not available yet: choose 0 (on Earth "
                                   "Engine's servers) or 1 (on this computer)")
    if engine not in offered:
        choices = ", ".join(f"{ENGINES.index(e)} ({SHORT_LABELS[e]})" for e in offered)
        raise InputError("ENGINE", f"this source cannot composite {SHORT_LABELS[engine]}: choose {choices}")
    return engine


def format_estimates(estimates: Mapping[str, object]) -> str:
    """What each engine would download, for the dock: ``servers: 0.9 GB, this computer: 23 GB``.

    Args:
        estimates: engine -> an estimate with a ``megabytes`` attribute (``source.FetchEstimate``), in the order
            to show them.
    """
    return ", ".join(f"{SHORT_LABELS.get(engine, engine)}: {_size(getattr(e, 'megabytes', 0.0))}"
                     for engine, e in estimates.items())


def _size(megabytes: float) -> str:
    if megabytes >= 1024:
        return f"{megabytes / 1024:.1f} GB"
    return f"{megabytes:.1f} MB"
