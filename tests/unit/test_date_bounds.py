"""parse_date at the edges: the accepted year ranges (inclusive), seconds, RFC 822's unknown zone.

Jalali days are converted with convertdate (not jdatetime, which the parser uses) for an
independent expectation.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from convertdate import persian

from newscrawl.extract.dates import (
    MAX_GREGORIAN_YEAR,
    MAX_JALALI_YEAR,
    MIN_GREGORIAN_YEAR,
    MIN_JALALI_YEAR,
    parse_date,
)

TEHRAN = ZoneInfo("Asia/Tehran")


def day(raw: str) -> str | None:
    parsed = parse_date(raw, TEHRAN)
    return None if parsed is None else parsed.isoformat()[:10]


@pytest.mark.parametrize("year", [MIN_GREGORIAN_YEAR, MAX_GREGORIAN_YEAR])
def test_the_gregorian_years_at_both_ends_are_accepted(year: int) -> None:
    assert day(f"Dec 5, {year} 21:27") == f"{year}-12-05"
    assert day(f"{year}-12-05") == f"{year}-12-05"
    assert day(f"Tue, 05 Dec {year} 21:27:09 GMT") is not None


@pytest.mark.parametrize("year", [MIN_GREGORIAN_YEAR - 1, MAX_GREGORIAN_YEAR + 1])
def test_the_gregorian_years_beyond_them_are_not(year: int) -> None:
    assert day(f"Dec 5, {year} 21:27") is None
    assert day(f"{year}-12-05") is None


@pytest.mark.parametrize("year", [MIN_JALALI_YEAR, MAX_JALALI_YEAR])
def test_the_jalali_years_at_both_ends_are_accepted(year: int) -> None:
    y, m, d = persian.to_gregorian(year, 9, 14)
    assert day(f"{year}/09/14") == f"{y:04d}-{m:02d}-{d:02d}"


def test_a_jalali_year_below_the_range_is_not() -> None:
    assert day(f"{MIN_JALALI_YEAR - 1}/09/14") is None


def test_seconds_are_kept() -> None:
    parsed = parse_date("Dec 5, 2017 21:27:09", TEHRAN)
    assert parsed is not None and parsed.utc_isoformat() == "2017-12-05T17:57:09Z"


def test_rfc822_minus_zero_is_utc() -> None:
    """RFC 5322: "-0000" is UTC with no claim about the local zone (email.utils gives it naive)."""
    parsed = parse_date("Tue, 05 Dec 2017 21:27:09 -0000", TEHRAN)
    assert parsed is not None
    assert parsed.utc_isoformat() == "2017-12-05T21:27:09Z"
    assert parsed.isoformat() == "2017-12-06T00:57:09+03:30"  # shown in the site's zone
