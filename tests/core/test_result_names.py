"""Short names of results: compact periods (end excluded), tile areas, the next free output name."""

from datetime import date

import pytest

from cloudscore_composite.plugin.core.result_names import compact_period, next_free_path, tiles_name


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2015, 7, 1), date(2015, 10, 1), "Jul–Sep 2015"),  # the demo's dates: end excluded
        (date(2015, 7, 1), date(2015, 8, 1), "Jul 2015"),
        (date(2015, 11, 1), date(2016, 3, 1), "Nov 2015–Feb 2016"),
        (date(2015, 1, 1), date(2016, 1, 1), "Jan–Dec 2015"),
        (date(2015, 12, 1), date(2016, 1, 1), "Dec 2015"),
        (date(2015, 7, 3), date(2015, 7, 18), "3–17 Jul 2015"),
        (date(2015, 7, 3), date(2015, 7, 4), "3 Jul 2015"),
        (date(2015, 6, 28), date(2015, 7, 4), "28 Jun–3 Jul 2015"),
        (date(2015, 12, 28), date(2016, 1, 4), "28 Dec 2015–3 Jan 2016"),
        (date(2015, 7, 1), date(2015, 7, 31), "1–30 Jul 2015"),  # not the whole of July
        (date(2015, 7, 2), date(2015, 9, 1), "2 Jul–31 Aug 2015"),
        (date(2015, 7, 1), date(2015, 7, 1), "2015-07-01..2015-07-01"),  # empty: said as it is
    ],
)
def test_compact_period(start, end, expected):
    assert compact_period(start, end) == expected


def test_compact_period_in_other_month_names():
    german = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
    assert compact_period(date(2015, 3, 1), date(2015, 6, 1), german) == "Mär–Mai 2015"
    assert compact_period(date(2015, 10, 5), date(2015, 10, 9), german) == "5–8 Okt 2015"


def test_tiles_name():
    assert tiles_name(["33TVL", "33TVL"]) == "T33TVL"
    assert tiles_name(["33TWL", "T33TVL"]) == "T33TVL+T33TWL"
    assert tiles_name(["33UVP", "33TWL", "33TVL", "32TQR"]) == "T32TQR+T33TVL+T33TWL+..."
    assert tiles_name([None, ""]) == ""


def test_next_free_path(tmp_path):
    first = tmp_path / "composite.tif"
    assert next_free_path(first) == first  # free: kept
    first.write_bytes(b"1")
    assert next_free_path(first) == tmp_path / "composite_2.tif"
    (tmp_path / "composite_2.tif").write_bytes(b"2")
    assert next_free_path(first) == tmp_path / "composite_3.tif"
    assert next_free_path(tmp_path / "composite_2.tif") == tmp_path / "composite_3.tif"  # counts on
    for dated in ("summer_2015.tif", "2015_07.tif"):  # a year or a month is part of the name, not a number
        (tmp_path / dated).write_bytes(b"3")
        assert next_free_path(tmp_path / dated) == tmp_path / dated.replace(".tif", "_2.tif")
    taken = {tmp_path / "a.tif", tmp_path / "a_2.tif"}
    assert next_free_path(tmp_path / "a.tif", exists=taken.__contains__) == tmp_path / "a_3.tif"
