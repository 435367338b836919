"""Seasons of a year: which months, which dates, which name a seasonal composite gets.

The default is the meteorological seasons (DJF, MAM, JJA, SON), the four seasons a year of the Pan-European
seasonal cloudless mosaic (OpenGeoHub 2021). A season that wraps over the new year (December to February)
belongs to the year of its last month: winter 2016 is December 2015 to February 2016, as in the World
Meteorological Organization's usage.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, List, Optional, Sequence, Set, Tuple, Union

from rasterio.crs import CRS

from .errors import InputError, NoScenesFound
from .grid import Bounds
from .source import Source

MIN_YEAR, MAX_YEAR = 2015, 2100
"""Accepted years: Sentinel-2A was launched in June 2015."""

_SEASON_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_MONTH_RANGE = re.compile(r"(\d{1,2})(?:\s*-\s*(\d{1,2}))?")
_YEAR_RANGE = re.compile(r"(\d{4})(?:\s*-\s*(\d{4}))?")


@dataclass(frozen=True)
class Season:
    """A named run of consecutive months, e.g. ``Season("DJF", 12, 2)``: December to February.

    Attributes:
        name: used in output file names (letters, digits, ``_``, ``-``; starts with a letter or digit).
        first_month, last_month: 1..12, both included; ``first_month > last_month`` wraps over the new year.
    """

    name: str
    first_month: int
    last_month: int

    @property
    def wraps(self) -> bool:
        """True when the season runs over the new year (its first months are in the previous year)."""
        return self.first_month > self.last_month

    @property
    def months(self) -> Tuple[int, ...]:
        """The months of the season in calendar order of the season (``(12, 1, 2)`` for DJF)."""
        count = (self.last_month - self.first_month) % 12 + 1
        return tuple((self.first_month - 1 + i) % 12 + 1 for i in range(count))

    def date_range(self, year: int) -> Tuple[date, date]:
        """The season of ``year`` as ``[start, end)`` UTC days (end excluded, the first day after the season).

        A wrapping season belongs to the year of its last month: DJF 2016 is 2015-12-01 .. 2016-03-01.
        """
        start = date(year - 1 if self.wraps else year, self.first_month, 1)
        end = date(year + 1, 1, 1) if self.last_month == 12 else date(year, self.last_month + 1, 1)
        return start, end


METEOROLOGICAL_SEASONS = (
    Season("DJF", 12, 2),
    Season("MAM", 3, 5),
    Season("JJA", 6, 8),
    Season("SON", 9, 11),
)
"""Meteorological seasons: December (of the previous year)-February, March-May, June-August, September-November."""


@dataclass(frozen=True)
class SeasonPeriod:
    """One season of one year: what one seasonal composite covers.

    Attributes:
        year: the season's year (of its last month).
        season: the season.
        start, end: ``[start, end)`` UTC days.
    """

    year: int
    season: Season
    start: date
    end: date

    @property
    def label(self) -> str:
        """``<year>_<season>``, e.g. ``2016_MAM``: the part of an output name that says which season it is."""
        return f"{self.year}_{self.season.name}"

    def output_name(self, prefix: str) -> str:
        """The composite's file name, ``<prefix>_<year>_<season>.tif`` (e.g. ``composite_2016_MAM.tif``)."""
        return f"{prefix}_{self.label}.tif"


def _month(text: str, entry: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise InputError("SEASONS", f"month {month} in {entry!r} is outside 1..12")
    return month


def parse_seasons(text: str) -> List[Season]:
    """Seasons from a definition such as ``winter=12-2;summer=6-8`` (or ``jan=1`` for one month).

    Entries are ``name=first-last`` (months 1..12, both included; ``12-2`` wraps over the new year and
    belongs to the year of February), separated by ``;`` or new lines. An empty text (or ``meteorological``)
    gives ``METEOROLOGICAL_SEASONS``. Seasons may overlap.

    Raises:
        InputError: ``SEASONS`` for an entry that does not parse, a month outside 1..12, a bad or repeated name.
    """
    text = (text or "").strip()
    if not text or text.lower() == "meteorological":
        return list(METEOROLOGICAL_SEASONS)
    seasons: List[Season] = []
    for entry in filter(None, (e.strip() for e in re.split(r"[;\n]", text))):
        name, sep, months = (part.strip() for part in entry.partition("="))
        match = _MONTH_RANGE.fullmatch(months)
        if not sep or not match:
            raise InputError("SEASONS", f"{entry!r} is not name=first-last month (e.g. summer=6-8 or jan=1)")
        if not _SEASON_NAME.fullmatch(name):
            raise InputError(
                "SEASONS", f"season name {name!r} in {entry!r} must be letters, digits, _ or - (it names the file)"
            )
        if any(s.name.lower() == name.lower() for s in seasons):
            raise InputError("SEASONS", f"season name {name!r} is given twice")
        first = _month(match.group(1), entry)
        last = _month(match.group(2), entry) if match.group(2) else first
        seasons.append(Season(name, first, last))
    if not seasons:
        raise InputError("SEASONS", "give at least one season, e.g. summer=6-8")
    return seasons


def _check_year(year: int, field: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(field, f"year {year} is outside {MIN_YEAR}..{MAX_YEAR} (Sentinel-2 data begin in 2015)")
    return year


def parse_years(value: Union[str, int, Iterable[int]], field: str = "YEARS") -> List[int]:
    """Years from ``2016``, ``2015,2016`` or ``2015-2017`` (both ends included), sorted, each once.

    Raises:
        InputError: ``field`` for an empty value, text that does not parse, a range whose end is before its
            start, a year outside ``MIN_YEAR``..``MAX_YEAR``.
    """
    if isinstance(value, int):
        return [_check_year(value, field)]
    if not isinstance(value, str):
        return sorted({_check_year(int(y), field) for y in value})
    years: Set[int] = set()
    # "2015 - 2017" is one range: join the dash first, then split on commas, semicolons and spaces.
    for part in filter(None, re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", value.strip()))):
        match = _YEAR_RANGE.fullmatch(part)
        if not match:
            raise InputError(field, f"{part!r} is not a year or a range of years (e.g. 2016, 2015,2016 or 2015-2017)")
        first = _check_year(int(match.group(1)), field)
        last = _check_year(int(match.group(2)), field) if match.group(2) else first
        if last < first:
            raise InputError(field, f"range {part!r} ends before it starts")
        years.update(range(first, last + 1))
    if not years:
        raise InputError(field, "give at least one year, e.g. 2016 or 2015-2017")
    return sorted(years)


def season_periods(years: Sequence[int], seasons: Sequence[Season]) -> List[SeasonPeriod]:
    """Every season of every year, year by year, seasons in the order given."""
    return [SeasonPeriod(year, season, *season.date_range(year)) for year in years for season in seasons]


@dataclass(frozen=True)
class SkippedSeason:
    """A season left out of a seasonal run, and why (for the run's report)."""

    period: SeasonPeriod
    reason: str


def seasons_with_scenes(
    periods: Sequence[SeasonPeriod],
    source: Source,
    qa_band: str,
    aoi: Optional[Bounds] = None,
    aoi_crs: Union[CRS, str, None] = None,
) -> Tuple[List[SeasonPeriod], List[SkippedSeason]]:
    """Split the periods into those with at least one scene carrying ``qa_band`` over the AOI, and the others.

    Each period is searched once. Meant for local sources (a folder), where a search is cheap: for a source that
    searches over the network (Earth Engine) let each season's composite search and use ``nothing_to_composite``
    on its error instead, so no season is searched twice.

    Returns:
        (periods to composite, skipped periods with the reason: no scene, or scenes without the QA band).

    Raises:
        InputError: ``YEARS`` when no period has such a scene (``no_season_error``); the source's search errors.
    """
    runnable, skipped = [], []
    for period in periods:
        scenes = source.search(period.start, period.end, aoi, aoi_crs)
        scored = [s for s in scenes if qa_band in s.band_names]
        if scored:
            runnable.append(period)
        elif scenes:
            skipped.append(SkippedSeason(period, f"its {len(scenes)} scene(s) have no QA band {qa_band!r}"))
        else:
            skipped.append(SkippedSeason(period, "no scene" + (" over the extent" if aoi is not None else "")))
    if not runnable:
        raise no_season_error(periods, source, qa_band, aoi)
    return runnable, skipped


def no_season_error(
    periods: Sequence[SeasonPeriod], source: Source, qa_band: str, aoi: Optional[Bounds] = None
) -> InputError:
    """``YEARS``: no season of ``periods`` has a scene with ``qa_band`` in ``source`` (naming the years and seasons
    searched, and the extent when one was given)."""
    years = sorted({p.year for p in periods})
    names = ", ".join(dict.fromkeys(p.season.name for p in periods))
    return InputError(
        "YEARS",
        f"no season ({names}) of {', '.join(map(str, years))} has a scene with the QA band "
        f"{qa_band!r} in the {source.describe()}" + (" over the extent" if aoi else ""),
    )


def nothing_to_composite(error: BaseException, period: SeasonPeriod) -> Optional[SkippedSeason]:
    """The season as skipped when ``error``, raised while planning its composite (``pipeline.plan_composite``)
    from an already validated request, says there is nothing to composite; None for any other error.

    Nothing to composite is ``NoScenesFound``: no scene in the season's dates and AOI, or none with the QA band.
    The reason is the error's message.
    """
    return SkippedSeason(period, error.message) if isinstance(error, NoScenesFound) else None


def last_full_season(today: date, seasons: Sequence[Season] = METEOROLOGICAL_SEASONS) -> SeasonPeriod:
    """The latest season of ``seasons`` that is over on ``today``: its ``[start, end)`` days all before ``today``.

    On 2026-11-28 that is JJA 2026 (2026-06-01 .. 2026-09-01); from 2026-12-01 on, SON 2026. The dock's default
    dates, so a first composite covers a recent, complete season.
    """
    periods = season_periods([today.year - 1, today.year], seasons)  # a year back holds one over, whatever today
    return max((p for p in periods if p.end <= today), key=lambda p: p.end)
