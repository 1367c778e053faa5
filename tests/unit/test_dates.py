"""Tests for newscrawl.extract.dates and the ``newscrawl dates`` sub-command.

Expected values are computed here, independently of the parser: Jalali -> Gregorian with convertdate
(not jdatetime, which the parser uses) and offsets with ``datetime(..., tzinfo=ZoneInfo(zone))``, so
a wrong conversion or a fixed offset in the parser cannot agree with its own expectations.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from convertdate import persian

from newscrawl.cli import dates as dates_cli
from newscrawl.extract.dates import ParsedDate, parse_date
from tests.jalali import jalali_to_gregorian

TEH = "Asia/Tehran"
KAB = "Asia/Kabul"
UTC_ZONE = "UTC"
ZWNJ = "\u200c"
RLM = "\u200f"
ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------------------
# Independent expectations


def g(
    y: int, m: int, d: int, hh: int | None = None, mi: int = 0, ss: int = 0, zone: str = TEH
) -> str:
    """Expected isoformat of a Gregorian wall time in ``zone`` (a date only when ``hh`` is None)."""
    if hh is None:
        return date(y, m, d).isoformat()
    return datetime(y, m, d, hh, mi, ss, tzinfo=ZoneInfo(zone)).isoformat()


def j(
    y: int, m: int, d: int, hh: int | None = None, mi: int = 0, ss: int = 0, zone: str = TEH
) -> str:
    """Expected isoformat of a (valid) Jalali wall time, converted with convertdate."""
    day = jalali_to_gregorian(y, m, d)
    return g(day.year, day.month, day.day, hh, mi, ss, zone)


def instant(
    y: int, m: int, d: int, hh: int, mi: int, ss: int, offset_minutes: int, zone: str = TEH
) -> str:
    """Expected isoformat of an instant given with its own offset, shown in ``zone``."""
    own = timezone(timedelta(minutes=offset_minutes))
    return datetime(y, m, d, hh, mi, ss, tzinfo=own).astimezone(ZoneInfo(zone)).isoformat()


def case(
    raw: str,
    expected: str | None,
    zone: str = TEH,
    *,
    calendar: str = "auto",
    formats: tuple[str, ...] = (),
    id: str | None = None,
) -> Any:
    return pytest.param(raw, zone, calendar, formats, expected, id=id or raw or "<empty>")


# ------------------------------------------------------------------------------------------------
# The table

CASES = [
    # --- English, ict.gov.ir style: "MMM D, YYYY HH:MM", Tehran local time, DST by zoneinfo
    case("Dec 5, 2017 21:27", g(2017, 12, 5, 21, 27)),
    case("Apr 6, 2010 09:04", g(2010, 4, 6, 9, 4)),  # DST, +04:30
    case("Sep 29, 2010 16:32", g(2010, 9, 29, 16, 32)),  # after DST, +03:30
    case("Feb 16, 2013 12:16", g(2013, 2, 16, 12, 16)),
    case("December 5, 2017", g(2017, 12, 5)),
    case("Sept. 21, 2016 10:00", g(2016, 9, 21, 10, 0)),
    case("  Dec   5,  2017   21:27 ", g(2017, 12, 5, 21, 27), id="extra-whitespace"),
    # --- en.irna.ir: 12-hour clock
    case("Jan 17, 2023, 1:36 PM", g(2023, 1, 17, 13, 36)),
    case("Jan 17, 2023, 1:36 AM", g(2023, 1, 17, 1, 36)),
    case("Jan 17, 2023, 12:05 AM", g(2023, 1, 17, 0, 5)),
    case("Jan 17, 2023, 12:05 PM", g(2023, 1, 17, 12, 5)),
    case("Jan 17, 2023, 11:59 pm", g(2023, 1, 17, 23, 59)),
    case("Jan 17, 2023, 7:05 a.m.", g(2023, 1, 17, 7, 5)),
    case("April 30th, 2019 at 7:19 pm", g(2019, 4, 30, 19, 19)),
    # --- en.mehrnews.com, msrt.ir, bakhtarnews, gov.uk
    case("30 April 2019 - 19:19", g(2019, 4, 30, 19, 19)),
    case("21 March 2019 | 00:00 Code : 46597 Press Release", g(2019, 3, 21, 0, 0)),
    case("21 March 2019 | 00:00", g(2019, 3, 21, 0, 0)),
    case("Wednesday, April 18, 2012", g(2012, 4, 18)),
    case("5 December 2017", g(2017, 12, 5)),
    case("Published 5 December 2017", g(2017, 12, 5)),
    case("Published 5 December 2017 Last updated 6 December 2017", g(2017, 12, 5)),
    case("05-Dec-2017", g(2017, 12, 5)),
    # --- ISO 8601: an own offset is converted to the site zone
    case("2017-12-05T21:27:00+03:30", g(2017, 12, 5, 21, 27)),
    case("2017-12-05T17:57:00Z", instant(2017, 12, 5, 17, 57, 0, 0)),
    case("2017-12-05T18:27:00+00:00", instant(2017, 12, 5, 18, 27, 0, 0)),
    case("2010-04-06T04:34:00Z", instant(2010, 4, 6, 4, 34, 0, 0)),
    case("2017-12-05T21:27:00.123456+0330", g(2017, 12, 5, 21, 27)),
    case("2017-12-05T21:27:00", g(2017, 12, 5, 21, 27)),  # no offset: site zone
    case("2017-12-05 21:27", g(2017, 12, 5, 21, 27)),
    case("2017/12/05 21:27", g(2017, 12, 5, 21, 27)),
    case("2017-12-05", g(2017, 12, 5)),
    case("2017-12-05T12:00:00-05:00", instant(2017, 12, 5, 12, 0, 0, -300, UTC_ZONE), UTC_ZONE),
    # --- RFC 822 from feeds
    case("Tue, 05 Dec 2017 18:27:00 GMT", instant(2017, 12, 5, 18, 27, 0, 0)),
    case("Tue, 05 Dec 2017 21:27:00 +0330", instant(2017, 12, 5, 21, 27, 0, 210)),
    case("Tue, 5 Dec 2017 13:27:00 EST", instant(2017, 12, 5, 13, 27, 0, -300)),
    case("05 Dec 2017 18:27:00 -0000", instant(2017, 12, 5, 18, 27, 0, 0)),
    case("Tue, 06 Apr 2010 04:34:00 GMT", instant(2010, 4, 6, 4, 34, 0, 0)),
    case("Tue, 05 Dec 2017 18:27:00 +0000", g(2017, 12, 5, 18, 27, zone=UTC_ZONE), zone=UTC_ZONE),
    # --- Jalali with month names
    case("۱۴ آذر ۱۳۹۶ - ۲۱:۲۷", j(1396, 9, 14, 21, 27)),
    case("۱۴ آذر ۱۳۹۶، ۲۱:۲۷", j(1396, 9, 14, 21, 27)),
    case(f"سه{ZWNJ}شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷", j(1396, 9, 14, 21, 27)),
    case("سه شنبه ۱۴ آذر ۱۳۹۶ - ساعت ۲۱:۲۷", j(1396, 9, 14, 21, 27)),
    case("۲۸ فروردین ۱۴۰۱", j(1401, 1, 28)),
    case("۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014", j(1393, 2, 12, 23, 18)),
    # the two dates disagree: the Jalali one still wins
    case("۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 05 May 2014", j(1393, 2, 12, 23, 18), id="tabnak-disagree"),
    case("۱۰ دي ۱۳۹۶", j(1396, 10, 10)),
    case("۱۰ دى ۱۳۹۶", j(1396, 10, 10), id="dey-alef-maksura"),
    case(f"{RLM}۱۴ آذر ۱۳۹۶ - ۲۱:۲۷{RLM}", j(1396, 9, 14, 21, 27), id="rlm-around"),
    case("١٤ آذر ۱۳۹٦ - ۲۱:٢٧", j(1396, 9, 14, 21, 27), id="mixed-digits"),
    case("14 آذر 1396 21:27", j(1396, 9, 14, 21, 27)),
    case("۱۴ آذرماه ۱۳۹۶", j(1396, 9, 14)),
    case("۱۴ آذر ۹۶", j(1396, 9, 14)),
    case("۱۴ آذر ۱۳۹۶ - ۰۹:۲۷ ب.ظ", j(1396, 9, 14, 21, 27), id="persian-pm"),
    case("۱۴ آذر ۱۳۹۶ - ۱۲:۱۰ ق.ظ", j(1396, 9, 14, 0, 10), id="persian-am-12"),
    case("۳۱ شهریور ۱۴۰۲", j(1402, 6, 31)),  # months 1-6 have 31 days
    case("۳۰ مهر ۱۴۰۲", j(1402, 7, 30)),
    case("۱۱ خرداد ۱۳۸۶ ۱۲:۰۰", j(1386, 3, 11, 12, 0)),  # 2007-06-01, no DST in 2007
    case("۱۱ خرداد ۱۳۹۷ ۱۲:۰۰", j(1397, 3, 11, 12, 0)),  # 2018-06-01, DST
    # --- Dari (Afghan) month names, Asia/Kabul
    case("۳۰ دلو ۱۴۰۳", j(1403, 11, 30, zone=KAB), KAB),
    case("۱ حمل ۱۴۰۳ - ۰۸:۰۰", j(1403, 1, 1, 8, 0, zone=KAB), KAB),
    case("۵ جدی ۱۴۰۲", j(1402, 10, 5, zone=KAB), KAB),
    case("۱۵ اسد ۱۴۰۲ ۱۴:۳۰", j(1402, 5, 15, 14, 30, zone=KAB), KAB),
    case("۲ ثور ۱۴۰۳", j(1403, 2, 2, zone=KAB), KAB),
    case("۲۹ حوت ۱۴۰۲", j(1402, 12, 29, zone=KAB), KAB),
    # --- numeric Jalali
    case(f"سه{ZWNJ}شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵", j(1403, 11, 30, 10, 55, zone=KAB), KAB),
    case(f"سه{ZWNJ}شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵", j(1403, 11, 30, 10, 55), TEH, id="moic-in-tehran"),
    case("پنجشنبه ۱۴۰۳/۱۲/۲ - ۱۳:۲۵", j(1403, 12, 2, 13, 25, zone=KAB), KAB),
    case("1396/09/14 21:27", j(1396, 9, 14, 21, 27)),
    case("1396/9/14", j(1396, 9, 14)),
    case("1396-09-14", j(1396, 9, 14)),
    case("۱۳۹۶/۰۹/۱۴", j(1396, 9, 14)),
    case("96/9/5", j(1396, 9, 5)),
    case("۰۳/۱/۱۵", j(1403, 1, 15), id="two-digit-year-persian-digits"),
    case("03/1/15", j(1403, 1, 15), calendar="jalali", id="two-digit-year-jalali"),
    case("03/1/15", None, id="two-digit-year-ambiguous-auto"),
    case("1396-09-14T21:27:00", j(1396, 9, 14, 21, 27)),
    # --- zones and DST
    case("Dec 5, 2017 21:27", g(2017, 12, 5, 21, 27, zone=UTC_ZONE), UTC_ZONE, id="utc"),
    case("Dec 5, 2017 21:27", g(2017, 12, 5, 21, 27, zone=KAB), KAB, id="kabul"),
    case("Jun 1, 2018 12:00", g(2018, 6, 1, 12, 0, zone=KAB), KAB, id="kabul-summer"),
    case("Jun 1, 2007 12:00", g(2007, 6, 1, 12, 0)),
    case("Jun 1, 2018 12:00", g(2018, 6, 1, 12, 0)),
    case("Jun 1, 2022 12:00", g(2022, 6, 1, 12, 0)),
    case("Sep 22, 2022 12:00", g(2022, 9, 22, 12, 0)),
    case("Jun 1, 2023 12:00", g(2023, 6, 1, 12, 0)),
    case("2022-03-22 00:30", g(2022, 3, 22, 0, 30), id="gap"),
    case("Sep 21, 2017 23:30", g(2017, 9, 21, 23, 30), id="fold"),
    # --- calendar restriction
    case(
        "۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014", g(2014, 5, 2), calendar="gregorian", id="tabnak-g"
    ),
    case("Dec 5, 2017 21:27", None, calendar="jalali", id="english-when-jalali"),
    case("2017-12-05", None, calendar="jalali", id="iso-when-jalali"),
    case("1396/09/14", None, calendar="gregorian", id="jalali-when-gregorian"),
    case("1396/09/14 21:27", j(1396, 9, 14, 21, 27), calendar="jalali", id="jalali-numeric"),
    # --- profile strptime formats (fast path), then the built-ins
    case("Dec 5, 2017 21:27", g(2017, 12, 5, 21, 27), formats=("%b %d, %Y %H:%M",), id="fmt-ict"),
    case("05.12.2017 21:27", g(2017, 12, 5, 21, 27), formats=("%d.%m.%Y %H:%M",), id="fmt-dots"),
    case("05.12.2017", g(2017, 12, 5), formats=("%H:%M", "%d.%m.%Y"), id="fmt-second-format"),
    # dotted dates are day first (German, Russian, Turkish...; month first is written with "/")
    case("05.12.2017 21:27", g(2017, 12, 5, 21, 27), id="dots-day-first"),
    case("Datum 28.04.2023", g(2023, 4, 28), id="dots-after-a-label"),
    case("31.02.2023", None, id="dots-impossible-day"),
    case("v1.2.2023", None, id="dots-version-number"),
    case("1.2.3.2024", None, id="dots-four-numbers"),
    case("1396/09/14", j(1396, 9, 14), formats=("%Y/%m/%d",), id="fmt-never-gregorian-1396"),
    case(
        "2017-12-05 18:27 +0000",
        instant(2017, 12, 5, 18, 27, 0, 0),
        formats=("%Y-%m-%d %H:%M %z",),
        id="fmt-offset",
    ),
    case("Dec 5, 2017 21:27", g(2017, 12, 5, 21, 27), formats=("%d/%m/%Y",), id="fmt-miss"),
    # --- impossible dates and non-dates: None, never a guess
    case("۳۱ مهر ۱۳۹۶", None),  # months 7-11 have 30 days
    case("۳۱ آذر ۱۳۹۶", None),
    case("31 میزان 1402", None, KAB),
    case("۳۰ اسفند ۱۴۰۲", None),  # 1402 is a common year
    case("1402/12/30", None),
    case("Feb 30, 2019", None),
    case("2019-02-29", None),
    case("Feb 29, 2020", g(2020, 2, 29)),  # ... but 2020 is a leap year
    case("1396/13/01", None),  # 13th month
    case("2017-13-05", None),
    case("۰ آذر ۱۳۹۶", None),  # day 0
    case("Dec 5, 2017 25:10", None),  # hour 25
    case("Dec 5, 2017 21:60", None),
    case("1396/09/14 24:00", None),
    case("Jan 17, 2023, 13:36 PM", None),
    case("Jan 17, 2023, 0:30 AM", None),
    case("2017-12-05T21:27:00+25:00", None),
    case("Tue, 30 Feb 2017 18:27:00 GMT", None),
    case("۱۴ آذر ۲۰۱۷", None),  # Jalali month, Gregorian year
    case("Dec 5, 1396 21:27", None),  # Gregorian month, Jalali year
    case("1650/01/01", None),  # neither calendar
    case("9999-12-31T23:59:00-05:00", None),  # out of range (would overflow in the zone conversion)
    case("31 Dec 9999 23:59:00 -1200", None),
    case("hello world", None),
    case("Code : 46597 Press Release", None),
    case("۱۲۰۰۰ بازدید", None),
    case("", None),
    case("   ", None, id="blank"),
]


@pytest.mark.parametrize(("raw", "zone", "calendar", "formats", "expected"), CASES)
def test_parse_date_table(
    raw: str, zone: str, calendar: str, formats: tuple[str, ...], expected: str | None
) -> None:
    result = parse_date(raw, zone, formats=formats, calendar=calendar)
    if expected is None:
        assert result is None
        return
    assert result is not None
    assert result.isoformat() == expected
    assert result.raw == raw
    assert result.has_time == ("T" in expected)


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 70
    assert sum(1 for c in CASES if c.values[-1] is None) >= 8


# ------------------------------------------------------------------------------------------------
# Offsets spelled out (the table compares with zoneinfo; these pin the actual tzdata facts)


@pytest.mark.parametrize(
    ("raw", "zone", "offset", "utc"),
    [
        ("Dec 5, 2017 21:27", TEH, "+03:30", "2017-12-05T17:57:00Z"),
        ("Apr 6, 2010 09:04", TEH, "+04:30", "2010-04-06T04:34:00Z"),
        ("Sep 29, 2010 16:32", TEH, "+03:30", "2010-09-29T13:02:00Z"),
        ("Jun 1, 2007 12:00", TEH, "+03:30", "2007-06-01T08:30:00Z"),  # no DST 2006-2007
        ("Jun 1, 2018 12:00", TEH, "+04:30", "2018-06-01T07:30:00Z"),
        ("Jun 1, 2023 12:00", TEH, "+03:30", "2023-06-01T08:30:00Z"),  # DST abolished 2022
        (f"سه{ZWNJ}شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵", KAB, "+04:30", "2025-02-18T06:25:00Z"),
        ("Jun 1, 2018 12:00", KAB, "+04:30", "2018-06-01T07:30:00Z"),
        ("Dec 5, 2017 21:27", UTC_ZONE, "+00:00", "2017-12-05T21:27:00Z"),
        # gap: 2022-03-22 00:30 never existed in Tehran; fold=0 uses the pre-transition offset
        ("2022-03-22 00:30", TEH, "+03:30", "2022-03-21T21:00:00Z"),
        # fold: 2017-09-21 23:30 happened twice; fold=0 is the first occurrence (still DST)
        ("Sep 21, 2017 23:30", TEH, "+04:30", "2017-09-21T19:00:00Z"),
    ],
)
def test_offsets_and_utc(raw: str, zone: str, offset: str, utc: str) -> None:
    result = parse_date(raw, zone)
    assert result is not None
    assert result.isoformat().endswith(offset)
    assert result.utc_isoformat() == utc


def test_known_conversions_from_research_notes() -> None:
    # 14 Azar 1396 = 2017-12-05; 12 Ordibehesht 1393 = 2014-05-02; 30 Bahman 1403 = 2025-02-18.
    assert persian.to_gregorian(1396, 9, 14) == (2017, 12, 5)
    r1 = parse_date("۱۴ آذر ۱۳۹۶ - ۲۱:۲۷", TEH)
    r2 = parse_date("۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014", TEH)
    r3 = parse_date("۱۴۰۳/۱۱/۳۰", KAB)
    assert r1 is not None and r1.isoformat() == "2017-12-05T21:27:00+03:30"
    assert r2 is not None and r2.isoformat() == "2014-05-02T23:18:00+04:30"
    assert r3 is not None and r3.isoformat() == "2025-02-18"


def test_the_tables_jalali_conversion_agrees_with_convertdate_day_by_day() -> None:
    # the table's expected values add the day of the year to convertdate's 1 Farvardin
    # (tests/jalali.py); here every month's first and last day, in a leap year and a common one
    for year in (1395, 1396):  # 1395 is leap: 30 Esfand exists
        for month in range(1, 13):
            for day in (1, persian.month_length(year, month)):
                got = jalali_to_gregorian(year, month, day)
                assert (got.year, got.month, got.day) == persian.to_gregorian(year, month, day)


def test_30_esfand_follows_the_leap_year() -> None:
    assert jdatetime.date(1403, 1, 1).isleap()
    assert not jdatetime.date(1402, 1, 1).isleap()
    leap = parse_date("۳۰ اسفند ۱۴۰۳", TEH)
    assert leap is not None and leap.isoformat() == j(1403, 12, 30)
    numeric = parse_date("1403/12/30", TEH)
    assert numeric is not None and numeric.isoformat() == j(1403, 12, 30)
    assert parse_date("۳۰ اسفند ۱۴۰۲", TEH) is None
    assert parse_date("1402/12/30", TEH) is None


@pytest.mark.parametrize("formats", [(), ("%Y/%m/%d",), ("%Y/%m/%d %H:%M",)])
@pytest.mark.parametrize("raw", ["1396/09/14", "1396/09/14 21:27", "۱۳۹۶/۰۹/۱۴"])
def test_jalali_year_is_never_gregorian(raw: str, formats: tuple[str, ...]) -> None:
    result = parse_date(raw, TEH, formats=formats)
    assert result is not None
    assert result.value.year == 2017
    assert parse_date(raw, TEH, formats=formats, calendar="gregorian") is None


# ------------------------------------------------------------------------------------------------
# ParsedDate and the API


def test_parsed_date_with_time() -> None:
    result = parse_date("Dec 5, 2017 21:27", TEH)
    assert result is not None
    assert result.has_time
    assert isinstance(result.value, datetime)
    assert result.value.tzinfo == ZoneInfo(TEH)
    assert result.value == datetime(2017, 12, 5, 17, 57, tzinfo=UTC)
    assert result.isoformat() == "2017-12-05T21:27:00+03:30"
    assert result.utc_isoformat() == "2017-12-05T17:57:00Z"


def test_parsed_date_date_only() -> None:
    result = parse_date("۲۸ فروردین ۱۴۰۱", TEH)
    assert result is not None
    assert not result.has_time
    assert type(result.value) is date
    assert result.isoformat() == j(1401, 1, 28)
    assert result.utc_isoformat() is None


def test_parsed_date_is_frozen() -> None:
    result = ParsedDate(date(2017, 12, 5), "x")
    with pytest.raises(AttributeError):
        result.raw = "y"  # type: ignore[misc]


def test_rfc822_is_converted_to_site_zone() -> None:
    result = parse_date("Tue, 05 Dec 2017 18:27:00 GMT", TEH)
    assert result is not None
    assert result.isoformat() == "2017-12-05T21:57:00+03:30"
    assert result.utc_isoformat() == "2017-12-05T18:27:00Z"


def test_accepts_zoneinfo_object() -> None:
    result = parse_date("Dec 5, 2017 21:27", ZoneInfo(KAB))
    assert result is not None and result.isoformat() == g(2017, 12, 5, 21, 27, zone=KAB)


def test_none_and_non_string_input() -> None:
    assert parse_date(None, TEH) is None
    assert parse_date(b"Dec 5, 2017", TEH) is None  # type: ignore[arg-type]


def test_bad_calendar_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="calendar"):
        parse_date("Dec 5, 2017", TEH, calendar="hijri")


def test_never_raises_on_random_input() -> None:
    rng = random.Random(20171205)
    alphabet = (
        "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩/-:.,،| TZ+"
        "آذر دی اسفند مهر حوت ساعت Dec May PM am GMT Tue"
        f"{ZWNJ}{RLM}\u00a0\u202e\ufeff\x00"
    )
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for calendar in ("auto", "jalali", "gregorian"):
            result = parse_date(raw, TEH, calendar=calendar, formats=("%Y-%m-%d", "%Q"))
            if result is not None:
                assert result.isoformat()


# ------------------------------------------------------------------------------------------------
# `newscrawl dates`


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawl")
    sub = parser.add_subparsers(dest="command", required=True)
    dates_cli.register(sub)
    return parser


def _run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin_text: str) -> tuple[int, str]:
    args = _parser().parse_args(argv)
    # A latin-1 stdin stands in for a non-UTF-8 locale: run() must read UTF-8 anyway.
    fake_in = io.TextIOWrapper(io.BytesIO(stdin_text.encode("utf-8")), encoding="latin-1")
    out_bytes = io.BytesIO()
    fake_out = io.TextIOWrapper(out_bytes, encoding="ascii")
    monkeypatch.setattr(sys, "stdin", fake_in)
    monkeypatch.setattr(sys, "stdout", fake_out)
    code = args.func(args)
    fake_out.flush()
    return code, out_bytes.getvalue().decode("utf-8")


CLI_INPUT = (
    "Dec 5, 2017 21:27\n"
    "۱۴ آذر ۱۳۹۶ - ۲۱:۲۷\n"
    "no date here\n"
    "\n"
    "۲۸ فروردین ۱۴۰۱\r\n"
    "۳۱ مهر ۱۳۹۶\n"
    f"سه{ZWNJ}شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵"  # no final newline
)


def test_cli_run_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run_cli(monkeypatch, ["dates", "--tz", TEH], CLI_INPUT)
    assert code == 0
    assert out.split("\n") == [
        g(2017, 12, 5, 21, 27),
        j(1396, 9, 14, 21, 27),
        "",
        "",
        j(1401, 1, 28),
        "",
        j(1403, 11, 30, 10, 55),
        "",  # the output ends with a newline
    ]


def test_cli_default_zone_is_tehran(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run_cli(monkeypatch, ["dates"], "Apr 6, 2010 09:04\n")
    assert code == 0
    assert out == "2010-04-06T09:04:00+04:30\n"


def test_cli_zone_format_and_calendar_options(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["dates", "--tz", KAB, "--format", "%H:%M", "--format", "%d.%m.%Y %H:%M"]
    code, out = _run_cli(monkeypatch, argv, "05.12.2017 21:27\n1403/11/30\n")
    assert code == 0
    assert out == f"{g(2017, 12, 5, 21, 27, zone=KAB)}\n{j(1403, 11, 30)}\n"
    argv = ["dates", "--calendar", "gregorian"]
    code, out = _run_cli(monkeypatch, argv, "۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014\n1396/09/14\n")
    assert code == 0
    assert out == "2014-05-02\n\n"


def test_cli_unknown_zone_fails_at_start(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        _parser().parse_args(["dates", "--tz", "Mars/Olympus_Mons"])
    assert excinfo.value.code == 2
    assert "Mars/Olympus_Mons" in capsys.readouterr().err


def test_cli_run_rejects_unknown_zone(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(tz="Mars/Olympus_Mons", formats=[], calendar="auto")
    assert dates_cli.run(args) == 2
    assert "Mars/Olympus_Mons" in capsys.readouterr().err


def _subprocess_env() -> dict[str, str]:
    # A C locale and a non-UTF-8 PYTHONIOENCODING: the command must still read and write UTF-8.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONUTF8"))}
    env.update(LANG="C", LC_ALL="C", PYTHONIOENCODING="latin-1", PYTHONUTF8="0")
    return env


_STANDALONE = """
import argparse, sys
from newscrawl.cli import dates
parser = argparse.ArgumentParser(prog="newscrawl")
dates.register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args()
sys.exit(args.func(args))
"""


def test_cli_subprocess_standalone() -> None:
    """A real process (real stdin/stdout) that does not depend on the ``newscrawl.cli`` entry."""
    proc = subprocess.run(
        [sys.executable, "-c", _STANDALONE, "dates", "--tz", KAB],
        input=CLI_INPUT.encode("utf-8"),
        capture_output=True,
        env=_subprocess_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    lines = proc.stdout.decode("utf-8").split("\n")
    assert lines[0] == g(2017, 12, 5, 21, 27, zone=KAB)
    assert lines[1] == j(1396, 9, 14, 21, 27, zone=KAB)
    assert lines[6] == "2025-02-18T10:55:00+04:30"
    assert len(lines) == 8

    bad = subprocess.run(
        [sys.executable, "-c", _STANDALONE, "dates", "--tz", "Nowhere/Land"],
        input=b"",
        capture_output=True,
        env=_subprocess_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "Nowhere/Land" in bad.stderr.decode("utf-8", "replace")


def test_cli_subprocess_module() -> None:
    """End to end through ``python -m newscrawl.cli dates``."""
    proc = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "dates", "--tz", TEH],
        input=CLI_INPUT.encode("utf-8"),
        capture_output=True,
        env=_subprocess_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    lines = proc.stdout.decode("utf-8").split("\n")
    assert lines[:3] == [g(2017, 12, 5, 21, 27), j(1396, 9, 14, 21, 27), ""]
    assert lines[6] == j(1403, 11, 30, 10, 55)

    bad = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "dates", "--tz", "Nowhere/Land"],
        input=b"",
        capture_output=True,
        env=_subprocess_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "Nowhere/Land" in bad.stderr.decode("utf-8", "replace")
