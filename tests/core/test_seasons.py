"""Season definitions, their date ranges and the names of seasonal composites."""

from datetime import date

import pytest

from cloudscore_composite.plugin.core.errors import InputError, NoScenesFound
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, plan_composite
from cloudscore_composite.plugin.core.seasons import (
    METEOROLOGICAL_SEASONS,
    Season,
    last_full_season,
    parse_seasons,
    parse_years,
    nothing_to_composite,
    season_periods,
    seasons_with_scenes,
)

from ..conftest import DEMO_DIR


def test_meteorological_seasons_by_default_with_december_of_the_previous_year():
    assert parse_seasons("") == list(METEOROLOGICAL_SEASONS)
    assert parse_seasons(" Meteorological ") == list(METEOROLOGICAL_SEASONS)
    ranges = {p.label: (p.start, p.end) for p in season_periods([2016], parse_seasons(""))}
    assert ranges == {
        "2016_DJF": (date(2015, 12, 1), date(2016, 3, 1)),
        "2016_MAM": (date(2016, 3, 1), date(2016, 6, 1)),
        "2016_JJA": (date(2016, 6, 1), date(2016, 9, 1)),
        "2016_SON": (date(2016, 9, 1), date(2016, 12, 1)),
    }


def test_custom_seasons_wrap_over_the_new_year_and_may_be_one_month():
    seasons = parse_seasons("winter=12-2; summer = 6-8\njan=1;late=11-12")
    assert seasons == [Season("winter", 12, 2), Season("summer", 6, 8), Season("jan", 1, 1), Season("late", 11, 12)]
    assert seasons[0].months == (12, 1, 2) and seasons[0].wraps
    assert seasons[3].date_range(2016) == (date(2016, 11, 1), date(2017, 1, 1))
    assert seasons[2].date_range(2016) == (date(2016, 1, 1), date(2016, 2, 1))


def test_periods_go_year_by_year_and_name_the_outputs():
    periods = season_periods(parse_years("2015-2016"), parse_seasons("summer=6-8"))
    assert [p.output_name("s2") for p in periods] == ["s2_2015_summer.tif", "s2_2016_summer.tif"]


@pytest.mark.parametrize(
    "text, years",
    [
        ("2016", [2016]),
        ("2016, 2015", [2015, 2016]),
        ("2015 - 2017", [2015, 2016, 2017]),
        ("2015;2017 2016", [2015, 2016, 2017]),
        ("2015-2016,2016", [2015, 2016]),
    ],
)
def test_years_parse_lists_and_ranges(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (parse_years, "", "YEARS: give at least one year"),
        (parse_years, "twenty", "YEARS: 'twenty' is not a year"),
        (parse_years, "2017-2015", "YEARS: range '2017-2015' ends before it starts"),
        (parse_years, "1999", "YEARS: year 1999 is outside 2015..2100"),
        (parse_seasons, "summer", "SEASONS: 'summer' is not name=first-last month"),
        (parse_seasons, "summer=6-13", "SEASONS: month 13 in 'summer=6-13' is outside 1..12"),
        (parse_seasons, "summer=0", "SEASONS: month 0"),
        (parse_seasons, "a b=6-8", "SEASONS: season name 'a b'"),
        (parse_seasons, "=6-8", "SEASONS: season name ''"),
        (parse_seasons, "x=1;X=2", "SEASONS: season name 'X' is given twice"),
        (parse_seasons, ";;", "SEASONS: give at least one season"),
    ],
)
def test_bad_years_and_seasons_name_the_parameter(parse, text, message):
    with pytest.raises(InputError, match=message):
        parse(text)


def test_seasons_without_scenes_are_skipped_with_the_reason():
    demo = FolderSource(DEMO_DIR)  # 2015-07-11 .. 2015-09-09
    runnable, skipped = seasons_with_scenes(season_periods([2015, 2016], parse_seasons("")), demo, "clear")
    assert [p.label for p in runnable] == ["2015_JJA", "2015_SON"]
    assert [(s.period.label, s.reason) for s in skipped][:2] == [("2015_DJF", "no scene"), ("2015_MAM", "no scene")]
    assert len(skipped) == 6
    with pytest.raises(InputError, match=r"YEARS: no season \(jul\) of 2015 has a scene with the QA band 'cs'"):
        seasons_with_scenes(season_periods([2015], parse_seasons("jul=7")), demo, "cs")


def test_no_season_over_the_extent_is_an_error_naming_years():
    demo = FolderSource(DEMO_DIR)
    with pytest.raises(InputError, match="YEARS: .* over the extent"):
        seasons_with_scenes(
            season_periods([2015], parse_seasons("")), demo, "clear", (14.0, 45.0, 14.1, 45.1), "EPSG:4326"
        )


def test_a_seasons_own_search_that_finds_nothing_skips_it():
    """Without a search first (Earth Engine), the season's composite searches once; what its planning raises
    tells a season with nothing to composite (skipped) from any other error (the run fails)."""
    demo = FolderSource(DEMO_DIR)
    spring, summer = season_periods([2015], parse_seasons("spring=3-5;summer=6-8"))

    def planning_error(period, qa_band="clear", **extra):
        request = CompositeRequest(start=period.start, end=period.end, qa_band=qa_band, output="x.tif", **extra)
        with pytest.raises(InputError) as raised:
            plan_composite(request, demo)
        return raised.value

    assert isinstance(planning_error(spring), NoScenesFound) and not isinstance(
        planning_error(summer, bands=["B99"]), NoScenesFound
    )
    no_scene = nothing_to_composite(planning_error(spring), spring)
    assert no_scene.period == spring and no_scene.reason.startswith("no scene was acquired between 2015-03-01")
    unscored = nothing_to_composite(planning_error(summer, qa_band="cs"), summer)
    assert unscored.period == summer and "no scene has the QA band 'cs'" in unscored.reason
    assert nothing_to_composite(planning_error(summer, bands=["B99"]), summer) is None
    assert nothing_to_composite(RuntimeError("other"), summer) is None


@pytest.mark.parametrize(
    "today, label, start, end",
    [
        (date(2026, 11, 28), "2026_JJA", date(2026, 6, 1), date(2026, 9, 1)),
        (date(2026, 12, 1), "2026_SON", date(2026, 9, 1), date(2026, 12, 1)),  # its end day (excluded) is today
        (date(2026, 11, 30), "2026_JJA", date(2026, 6, 1), date(2026, 9, 1)),  # SON's last day not over yet
        (date(2026, 1, 15), "2025_SON", date(2025, 9, 1), date(2025, 12, 1)),
        (date(2026, 3, 1), "2026_DJF", date(2025, 12, 1), date(2026, 3, 1)),  # over the new year
        (date(2026, 2, 28), "2025_SON", date(2025, 9, 1), date(2025, 12, 1)),
        (date(2024, 6, 1), "2024_MAM", date(2024, 3, 1), date(2024, 6, 1)),
    ],
)
def test_last_full_season_before_today(today, label, start, end):
    period = last_full_season(today)

    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.end <= today


def test_last_full_season_of_other_seasons():
    summer = parse_seasons("summer=6-8")
    assert last_full_season(date(2026, 5, 1), summer).label == "2025_summer"  # a year back
    assert last_full_season(date(2026, 9, 1), summer).label == "2026_summer"
