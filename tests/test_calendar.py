"""Lunar calendar (model.calendar): Ramadan dates and Ramadan weeks.

Reference dates (astronomical start, local sighting may shift by a day): 1 Ramadan
1421 = 27 Nov 2000, 1431 = 11 Aug 2010, 1441 = 24 Apr 2020, 1446 = 1 Mar 2025,
1447 = 18 Feb 2026, 1448 ~ 8 Feb 2027, 1451 ~ 5 Jan 2030 (a second starts 26 Dec 2030).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

import pytest

from model.calendar import (
    RAMADAN_DAYS,
    ramadan_mask,
    ramadan_start,
    week_of_year,
    week_start,
)


def test_ramadan_2026_is_the_reference() -> None:
    assert ramadan_start(2026) == date(2026, 2, 18)


@pytest.mark.parametrize(("year", "known"), [
    (2000, date(2000, 11, 27)), (2010, date(2010, 8, 11)), (2020, date(2020, 4, 24)),
    (2025, date(2025, 3, 1)), (2027, date(2027, 2, 8)), (2030, date(2030, 1, 5)),
])
def test_ramadan_start_within_two_days_of_known_dates(year: int, known: date) -> None:
    assert abs((ramadan_start(year) - known).days) <= 2


def test_ramadan_moves_about_eleven_days_earlier_each_year() -> None:
    for year in range(2026, 2029):  # one Ramadan a year, no wrap-around
        this, nxt = ramadan_start(year), ramadan_start(year + 1)
        anniversary = nxt.replace(year=year)
        assert -12 <= (anniversary - this).days <= -10


def test_ramadan_start_lies_in_its_year_and_lunar_years_apart() -> None:
    """Each start is in the requested year; consecutive Ramadans are 354 or 355 days apart."""
    for year in range(1990, 2101):
        start = ramadan_start(year)
        assert start.year == year
        gap = (ramadan_start(year + 1) - start).days
        # a year with two Ramadans (2030) makes the next year's first one two lunar years on
        assert gap in (354, 355) or gap in (708, 709)


def test_ramadan_weeks_come_in_runs_of_four_or_five() -> None:
    """29.5 days cover 4 or 5 week midpoints; runs cut by the window's ends excluded."""
    mask = ramadan_mask(date(2026, 1, 1), 52 * 20)
    runs = [len(list(g)) for flagged, g in groupby(mask.tolist()) if flagged]
    runs = runs[int(mask[0]):len(runs) - int(mask[-1])]
    assert len(runs) >= 19
    assert set(runs) <= {4, 5}


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2029])
def test_ramadan_weeks_per_year(year: int) -> None:
    mask = ramadan_mask(date(year, 1, 1), 52)
    assert mask.sum() in (4, 5)
    mid = ramadan_start(year) + timedelta(days=RAMADAN_DAYS / 2)
    assert mask[(mid - date(year, 1, 1)).days // 7]  # the week of mid-Ramadan is flagged


def test_week_helpers() -> None:
    assert week_start(2027, 52, 0) == date(2027, 1, 1)
    assert week_start(2027, 52, 2) == date(2027, 1, 15)
    assert week_of_year(0) == 1 and week_of_year(51) == 52 and week_of_year(52) == 1
