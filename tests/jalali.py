"""Jalali to Gregorian for the tests' expected values, independently of the parser (jdatetime).

convertdate computes each date from the astronomical equinox, about 65 ms a call here; the date
tables built their expectations at import, which every xdist worker repeats at collection. Here
convertdate converts only each year's 1 Farvardin, and the day of the year is added to it.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from convertdate import persian

__all__ = ["jalali_to_gregorian", "nowruz"]


@functools.cache
def nowruz(year: int) -> date:
    """1 Farvardin of the Jalali *year* in the Gregorian calendar (convertdate)."""
    return date(*persian.to_gregorian(year, 1, 1))


def jalali_to_gregorian(y: int, m: int, d: int) -> date:
    """The Gregorian date of Jalali *y*-*m*-*d*: months 1-6 have 31 days, 7-11 30, Esfand 29/30."""
    return nowruz(y) + timedelta(days=(m - 1) * 31 - max(m - 7, 0) + d - 1)
