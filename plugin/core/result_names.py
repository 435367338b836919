"""Short names for a composite's results: the period of its dates, the area of its tiles, a free output name.

Layer and group names must fit QGIS's Layers panel, so they say the period as months when the dates are whole
months (``Jul–Sep 2015``) and as days otherwise (``3–17 Jul 2015``); the exact dates go in the layer's abstract.
The month names are a parameter (English by default): the QGIS side passes them in the user's language.
"""

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable, Sequence

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""English month abbreviations, January first."""

RANGE = "\u2013"
"""The en dash between the two ends of a period (``Jul–Sep 2015``)."""

MOST_TILES = 3
"""Tiles named in an area's name; more are written ``+...``."""


def compact_period(start: date, end: date, months: Sequence[str] = MONTHS) -> str:
    """The dates ``[start, end)`` (``end`` excluded, as in ``CompositeRequest``) as a short period.

    Whole months: ``Jul 2015``, ``Jul–Sep 2015``, ``Nov 2015–Feb 2016``. Otherwise the days from ``start`` to the
    day before ``end``: ``3 Jul 2015``, ``3–17 Jul 2015``, ``28 Jun–3 Jul 2015``, ``28 Dec 2015–3 Jan 2016``.
    An empty period (``end <= start``) is written ``start..end``.

    Args:
        months: the twelve month names to use, January first (default ``MONTHS``).
    """
    if end <= start:
        return f"{start.isoformat()}..{end.isoformat()}"
    last = end - timedelta(days=1)
    if start.day == 1 and end.day == 1:  # whole months: from start's month to last's
        first_month, last_month = months[start.month - 1], months[last.month - 1]
        if (start.year, start.month) == (last.year, last.month):
            return f"{first_month} {start.year}"
        if start.year == last.year:
            return f"{first_month}{RANGE}{last_month} {start.year}"
        return f"{first_month} {start.year}{RANGE}{last_month} {last.year}"
    first_month, last_month = months[start.month - 1], months[last.month - 1]
    if start == last:
        return f"{start.day} {first_month} {start.year}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}{RANGE}{last.day} {first_month} {start.year}"
    if start.year == last.year:
        return f"{start.day} {first_month}{RANGE}{last.day} {last_month} {start.year}"
    return f"{start.day} {first_month} {start.year}{RANGE}{last.day} {last_month} {last.year}"


def tiles_name(tiles: Iterable[str], most: int = MOST_TILES) -> str:
    """The MGRS tiles of the scenes used as an area's name: ``T33TVL``, ``T33TVL+T33TWL``, ``T33TVL+T33TWL+T33UVP+...``
    (sorted, each once, ``T`` added; at most ``most`` named); ``""`` without tiles."""
    names = sorted({tile if tile.upper().startswith("T") else f"T{tile}" for tile in tiles if tile})
    return "+".join(names[:most]) + ("+..." if len(names) > most else "")


_NUMBERED = re.compile(r"^(?P<stem>.+)_(?P<number>[1-9][0-9]?)$")
"""A name this module numbered: ``_2`` .. ``_99`` (a year or a zero-padded month, ``_2015``, ``_07``, is a name)."""


def next_free_path(path: Path, exists: Callable[[Path], bool] = Path.exists) -> Path:
    """The first name beside ``path`` that ``exists`` says is free: ``composite.tif`` -> ``composite_2.tif``
    (``composite_3.tif`` when that exists too...); a numbered name counts on: ``composite_2.tif`` ->
    ``composite_3.tif``, but ``summer_2015.tif`` -> ``summer_2015_2.tif``. ``path`` itself when it is free."""
    path = Path(path)
    if not exists(path):
        return path
    numbered = _NUMBERED.match(path.stem)
    stem, number = (numbered["stem"], int(numbered["number"])) if numbered else (path.stem, 1)
    while True:
        number += 1
        candidate = path.with_name(f"{stem}_{number}{path.suffix}")
        if not exists(candidate):
            return candidate
