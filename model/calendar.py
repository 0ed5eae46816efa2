"""Calendar: week dates and Ramadan weeks on the lunar calendar.

The Islamic year is 12 lunar months, 354.37 days, so Ramadan starts about
11 days earlier each Gregorian year. Dates are computed from one reference
start (1 Ramadan 1447 AH = 18 February 2026, astronomical estimate) and the mean
lunar year; local moon sighting shifts actual dates by a day or two.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

LUNAR_YEAR_DAYS = 354.367
RAMADAN_DAYS = 29.53
RAMADAN_REFERENCE = date(2026, 2, 18)


def ramadan_start(year: int) -> date:
    """First day of the Ramadan that starts in Gregorian ``year`` (the first if two do)."""
    jan1 = date(year, 1, 1)
    k = np.ceil((jan1 - RAMADAN_REFERENCE).days / LUNAR_YEAR_DAYS)
    return RAMADAN_REFERENCE + timedelta(days=int(round(k * LUNAR_YEAR_DAYS)))


def week_start(start_year: int, burn_in_weeks: int, week: int) -> date:
    """Monday-agnostic start date of ``week`` (week 0 starts on 1 January of start_year)."""
    return date(start_year, 1, 1) + timedelta(weeks=week)


def ramadan_mask(first_day: date, n_weeks: int) -> np.ndarray:
    """Boolean per week from ``first_day``: True when the week's midpoint is in Ramadan.

    Ramadan therefore covers 4 or 5 consecutive weeks a year.
    """
    mids = np.array([(first_day - RAMADAN_REFERENCE).days + 7 * w + 3.5 for w in range(n_weeks)])
    phase = np.mod(mids, LUNAR_YEAR_DAYS)
    return phase < RAMADAN_DAYS


def week_of_year(week: int) -> int:
    """1-52 week of the year for a week index counted from 1 January of a year."""
    return int(week % 52) + 1
