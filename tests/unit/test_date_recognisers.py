"""Each recogniser of newscrawl.extract.dates on its own, and the table that orders them.

A recogniser returns NOT_FOUND (no date of its kind: parse_date tries the next one), None (a date of
its kind that is impossible: the answer is None) or a ParsedDate. Expected values are worked out
here: Jalali -> Gregorian with convertdate (the parser uses jdatetime), offsets with zoneinfo.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from newscrawl.extract.dates import (
    CALENDARS,
    NOT_FOUND,
    RECOGNISERS,
    Calendar,
    Earliest,
    NumericJalali,
    ParsedDate,
    Pattern,
    Subject,
    Verdict,
    english_month_name,
    jalali_month_name,
    numeric_gregorian,
    parse_date,
    profile_formats,
    rfc822,
)
from tests.jalali import jalali_to_gregorian

TEH = "Asia/Tehran"
KAB = "Asia/Kabul"
ZWNJ = "\u200c"


def sub(raw: str, zone: str = TEH, formats: tuple[str, ...] = ()) -> Subject:
    return Subject.of(raw, ZoneInfo(zone), formats)


def wall(y: int, m: int, d: int, hh: int, mi: int = 0, ss: int = 0, zone: str = TEH) -> str:
    return datetime(y, m, d, hh, mi, ss, tzinfo=ZoneInfo(zone)).isoformat()


def jal(y: int, m: int, d: int, hh: int | None = None, mi: int = 0, zone: str = TEH) -> str:
    day = jalali_to_gregorian(y, m, d)
    return day.isoformat() if hh is None else wall(day.year, day.month, day.day, hh, mi, zone=zone)


def instant(y: int, m: int, d: int, hh: int, mi: int, offset_minutes: int, zone: str = TEH) -> str:
    own = timezone(timedelta(minutes=offset_minutes))
    return datetime(y, m, d, hh, mi, tzinfo=own).astimezone(ZoneInfo(zone)).isoformat()


def iso(verdict: Verdict) -> str | None:
    """The verdict as a comparable value: "NOT_FOUND", None, or the ParsedDate's isoformat."""
    if verdict is NOT_FOUND:
        return "NOT_FOUND"
    return None if verdict is None else verdict.isoformat()


# ------------------------------------------------------------------------------------------------
# profile_formats


@pytest.mark.parametrize(
    ("raw", "formats", "expected"),
    [
        ("05.12.2017 21:27", (), "NOT_FOUND"),  # no formats: nothing to try
        ("05.12.2017 21:27", ("%d.%m.%Y %H:%M",), wall(2017, 12, 5, 21, 27)),
        ("05.12.2017", ("%d.%m.%Y",), "2017-12-05"),  # no time directive: a date
        ("05.12.2017", ("%H:%M", "%d.%m.%Y"), "2017-12-05"),  # the first that matches
        ("05.12.2017", ("%m.%d.%Y", "%d.%m.%Y"), "2017-05-12"),  # ... in order
        ("05.12.2017 junk", ("%d.%m.%Y",), "NOT_FOUND"),  # must match the whole string
        ("  05.12.2017   21:27 ", ("%d.%m.%Y %H:%M",), wall(2017, 12, 5, 21, 27)),  # normalised
        ("۰۵.۱۲.۲۰۱۷", ("%d.%m.%Y",), "2017-12-05"),  # Persian digits are made ASCII first
        ("2017-12-05 18:27 +0000", ("%Y-%m-%d %H:%M %z",), instant(2017, 12, 5, 18, 27, 0)),
        ("05.12.2017 21:27:09.5", ("%d.%m.%Y %H:%M:%S.%f",), wall(2017, 12, 5, 21, 27, 9)),
        ("1396/09/14", ("%Y/%m/%d",), "NOT_FOUND"),  # a Jalali year read as Gregorian: skipped
        ("1699/12/31", ("%Y/%m/%d",), "NOT_FOUND"),
        ("05.12.2017", ("%Q",), "NOT_FOUND"),  # a broken format is skipped, not raised
    ],
)
def test_profile_formats(raw: str, formats: tuple[str, ...], expected: str) -> None:
    assert iso(profile_formats(sub(raw, formats=formats))) == expected


def test_profile_formats_use_the_site_zone() -> None:
    verdict = profile_formats(sub("05.12.2017 21:27", KAB, ("%d.%m.%Y %H:%M",)))
    assert iso(verdict) == wall(2017, 12, 5, 21, 27, zone=KAB)
    assert isinstance(verdict, ParsedDate) and verdict.raw == "05.12.2017 21:27"


# ------------------------------------------------------------------------------------------------
# jalali_month_name


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("۱۴ آذر ۱۳۹۶ - ۲۱:۲۷", TEH, jal(1396, 9, 14, 21, 27)),
        (f"سه{ZWNJ}شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷", TEH, jal(1396, 9, 14, 21, 27)),
        ("۱۴ آذرماه ۹۶", TEH, jal(1396, 9, 14)),  # "...ماه" suffix, two-digit year
        ("۱۲ ارديبهشت ۱۳۹۳", TEH, jal(1393, 2, 12)),  # Arabic yeh
        ("۱۰ دى ۱۳۹۶", TEH, jal(1396, 10, 10)),  # alef maksura
        ("۵ امرداد ۱۴۰۲", TEH, jal(1402, 5, 5)),  # spelling variant
        ("۱۴ ابان ۱۴۰۲", TEH, jal(1402, 8, 14)),  # without madda
        ("۱۴ آذر ۱۳۹۶ - ۰۹:۲۷ ب.ظ", TEH, jal(1396, 9, 14, 21, 27)),  # Persian PM
        ("۱۴ آذر ۱۳۹۶ - ۱۲:۱۰ ق.ظ", TEH, jal(1396, 9, 14, 0, 10)),  # Persian AM, 12 -> 0
        ("۳۰ دلو ۱۴۰۳", KAB, jal(1403, 11, 30)),  # Dari names
        ("۱ حمل ۱۴۰۳ - ۰۸:۰۰", KAB, jal(1403, 1, 1, 8, 0, zone=KAB)),
        ("۵ جوزاء ۱۴۰۲", KAB, jal(1402, 3, 5)),
        ("۱۵ اسد ۱۴۰۲", KAB, jal(1402, 5, 15)),  # "اسد" is not read as the start of "اسفند"
        ("۱۵ اسفند ۱۴۰۲", TEH, jal(1402, 12, 15)),
        ("۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014", TEH, jal(1393, 2, 12, 23, 18)),
        # impossible: the recogniser decides (None), no later one may guess
        ("۳۱ مهر ۱۳۹۶", TEH, None),
        ("۳۰ اسفند ۱۴۰۲", TEH, None),
        ("۰ آذر ۱۳۹۶", TEH, None),
        ("۱۴ آذر ۲۰۱۷", TEH, None),  # Jalali month, Gregorian year
        ("۱۴ آذر ۱۳۹۶ - ۲۵:۰۰", TEH, None),
        # not a month-name date
        ("14 Azar 1396", TEH, "NOT_FOUND"),  # ASCII: skipped at once
        ("Dec 5, 2017 21:27", TEH, "NOT_FOUND"),
        ("۱۴ دیروز ۱۳۹۶", TEH, "NOT_FOUND"),  # "دی" inside a longer word is no month
        ("۱۲۰۰۰ بازدید", TEH, "NOT_FOUND"),
        ("۱۳۹۶/۰۹/۱۴", TEH, "NOT_FOUND"),  # numeric: another recogniser's job
    ],
)
def test_jalali_month_name(raw: str, zone: str, expected: str | None) -> None:
    assert iso(jalali_month_name(sub(raw, zone))) == expected


# ------------------------------------------------------------------------------------------------
# NumericJalali

AUTO = NumericJalali(two_digit_needs_context=True)
LENIENT = NumericJalali(two_digit_needs_context=False)


@pytest.mark.parametrize(
    ("raw", "auto", "lenient"),
    [
        ("1396/09/14 21:27", jal(1396, 9, 14, 21, 27), jal(1396, 9, 14, 21, 27)),
        ("1396-09-14T21:27:00", jal(1396, 9, 14, 21, 27), jal(1396, 9, 14, 21, 27)),
        ("۱۴۰۳/۱۲/۲ - ۱۳:۲۵", jal(1403, 12, 2, 13, 25), jal(1403, 12, 2, 13, 25)),
        ("96/9/5", jal(1396, 9, 5), jal(1396, 9, 5)),  # > 31: only a year
        ("49/1/1", jal(1449, 1, 1), jal(1449, 1, 1)),  # two digits < 50: 14YY
        ("50/1/1", jal(1350, 1, 1), jal(1350, 1, 1)),  # two digits >= 50: 13YY
        ("03/1/15", "NOT_FOUND", jal(1403, 1, 15)),  # ambiguous in auto (D/M/YY?)
        ("31/12/99", "NOT_FOUND", None),  # lenient: 1431/12/99 is no date
        ("۰۳/۱/۱۵", jal(1403, 1, 15), jal(1403, 1, 15)),  # Persian digits: Jalali
        ("پنجشنبه 03/1/15", jal(1403, 1, 15), jal(1403, 1, 15)),  # Persian words: Jalali
        ("96-9-5", "NOT_FOUND", "NOT_FOUND"),  # two-digit years only with "/"
        ("2017-12-05 then 1396/09/14", jal(1396, 9, 14), jal(1396, 9, 14)),  # Jalali anywhere
        ("1402/12/30", None, None),  # 1402 is a common year
        ("1396/13/01", None, None),
        ("1396/09/14 24:00", None, None),
        ("2017-12-05", "NOT_FOUND", "NOT_FOUND"),
        ("1650/01/01", "NOT_FOUND", "NOT_FOUND"),  # neither calendar
        ("1500/01/01", "NOT_FOUND", "NOT_FOUND"),
        ("1396.09.14", "NOT_FOUND", "NOT_FOUND"),
        ("1396/09/14/1", "NOT_FOUND", "NOT_FOUND"),  # part of a longer path
        ("no digits at all", "NOT_FOUND", "NOT_FOUND"),
    ],
)
def test_numeric_jalali(raw: str, auto: str | None, lenient: str | None) -> None:
    assert iso(AUTO(sub(raw))) == auto
    assert iso(LENIENT(sub(raw))) == lenient


# ------------------------------------------------------------------------------------------------
# rfc822


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 05 Dec 2017 18:27:00 GMT", instant(2017, 12, 5, 18, 27, 0)),
        ("Tue, 05 Dec 2017 21:27:00 +0330", instant(2017, 12, 5, 21, 27, 210)),
        ("Tue, 5 Dec 2017 13:27:00 EST", instant(2017, 12, 5, 13, 27, -300)),
        ("05 Dec 2017 18:27:00 -0000", instant(2017, 12, 5, 18, 27, 0)),  # -0000: UTC
        ("Tue, 05 Dec 2017 18:27 UT", instant(2017, 12, 5, 18, 27, 0)),  # no seconds
        ("Tue, 30 Feb 2017 18:27:00 GMT", None),  # impossible: decided, None
        ("Mon, 31 Dec 1699 23:00:00 GMT", None),  # before the Gregorian years
        ("Tue, 05 Dec 2017 18:27:00 XYZ", "NOT_FOUND"),  # a zone email.utils does not know
        ("Tue, 05 Dec 2017 18:27:00 GMT (x)", "NOT_FOUND"),  # must be the whole string
        ("Dec 5, 2017 21:27", "NOT_FOUND"),
        ("۱۴ آذر ۱۳۹۶ Tue, 05 Dec 2017 18:27:00 GMT", "NOT_FOUND"),  # non-ASCII: skipped
    ],
)
def test_rfc822(raw: str, expected: str | None) -> None:
    assert iso(rfc822(sub(raw))) == expected


# ------------------------------------------------------------------------------------------------
# english_month_name and numeric_gregorian (two Patterns)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dec 5, 2017 21:27", wall(2017, 12, 5, 21, 27)),
        ("December 5, 2017", "2017-12-05"),
        ("Sept. 21, 2016 10:00", wall(2016, 9, 21, 10, 0)),
        ("Wednesday, April 18, 2012", "2012-04-18"),
        ("30 April 2019 - 19:19", wall(2019, 4, 30, 19, 19)),
        ("21 March 2019 | 00:00 Code : 46597 Press Release", wall(2019, 3, 21, 0, 0)),
        ("05-Dec-2017", "2017-12-05"),
        ("5th of December, 2017", "2017-12-05"),
        ("April 30th, 2019 at 7:19 pm", wall(2019, 4, 30, 19, 19)),
        # 12-hour clock
        ("Jan 17, 2023, 1:36 PM", wall(2023, 1, 17, 13, 36)),
        ("Jan 17, 2023, 12:05 AM", wall(2023, 1, 17, 0, 5)),
        ("Jan 17, 2023, 12:05 PM", wall(2023, 1, 17, 12, 5)),
        ("Jan 17, 2023, 7:05 a.m.", wall(2023, 1, 17, 7, 5)),
        ("Jan 17, 2023, 13:36 PM", None),
        ("Jan 17, 2023, 0:30 AM", None),
        # 24-hour clock limits, own zone
        ("Dec 5, 2017 23:59:59", wall(2017, 12, 5, 23, 59, 59)),
        ("Dec 5, 2017 24:00", None),
        ("Dec 5, 2017 21:60", None),
        ("Dec 5, 2017 21:27:60", None),
        ("Dec 5, 2017 21:27 GMT", instant(2017, 12, 5, 21, 27, 0)),
        ("Dec 5, 2017 21:27 -05:00", instant(2017, 12, 5, 21, 27, -300)),
        ("Feb 30, 2019", None),
        ("Dec 5, 1396 21:27", None),  # a Jalali year with a Gregorian month
        ("hello world", "NOT_FOUND"),
        ("2017-12-05", "NOT_FOUND"),
    ],
)
def test_english_month_name(raw: str, expected: str | None) -> None:
    assert iso(english_month_name(sub(raw))) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-12-05T21:27:00+03:30", wall(2017, 12, 5, 21, 27)),
        ("2017-12-05T17:57:00Z", instant(2017, 12, 5, 17, 57, 0)),
        ("2017-12-05T21:27:00.123456+0330", wall(2017, 12, 5, 21, 27)),
        ("2017-12-05T12:00:00-05:00", instant(2017, 12, 5, 12, 0, -300)),
        ("2017-12-05 21:27 +03", instant(2017, 12, 5, 21, 27, 180)),
        ("2017-12-05T21:27:00", wall(2017, 12, 5, 21, 27)),  # no offset: the site zone
        ("2017/12/05 21:27", wall(2017, 12, 5, 21, 27)),
        ("2017-12-05 9:05 pm", wall(2017, 12, 5, 21, 5)),
        ("2017-12-05", "2017-12-05"),
        ("2017-12-05T21:27:00+25:00", None),  # impossible offset
        ("2017-13-05", None),
        ("2019-02-29", None),
        ("9999-12-31T23:59:00-05:00", "NOT_FOUND"),  # outside the Gregorian years
        ("1396/09/14", "NOT_FOUND"),  # a Jalali year
        ("96/9/5", "NOT_FOUND"),
        ("Dec 5, 2017", "NOT_FOUND"),
        ("first 1396/09/14 then 2017-12-05", "2017-12-05"),  # the first Gregorian one
    ],
)
def test_numeric_gregorian(raw: str, expected: str | None) -> None:
    assert iso(numeric_gregorian(sub(raw))) == expected


def test_numeric_gregorian_in_utc() -> None:
    assert iso(numeric_gregorian(sub("2017-12-05T12:00:00-05:00", "UTC"))) == (
        "2017-12-05T17:00:00+00:00"
    )


# ------------------------------------------------------------------------------------------------
# Earliest


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-01-01 and Dec 5, 2017", "2018-01-01"),
        ("Dec 5, 2017 and 2018-01-01", "2017-12-05"),
        ("Published 5 December 2017 Last updated 2017-12-06", "2017-12-05"),
        ("Feb 30, 2019 then 2019-03-01", None),  # the first is impossible: no fallback
        ("nothing here", "NOT_FOUND"),
    ],
)
def test_earliest_of_english_and_numeric(raw: str, expected: str | None) -> None:
    assert iso(Earliest((english_month_name, numeric_gregorian))(sub(raw))) == expected


def _marker(letter: str, day: int) -> Pattern:
    """A Pattern that finds ``letter`` and reads it as 2000-01-``day``."""
    return Pattern(
        find=re.compile(letter).search, read=lambda m, s: ParsedDate(date(2000, 1, day), s.raw)
    )


def test_earliest_prefers_the_first_listed_on_a_tie() -> None:
    a, also_a, b = _marker("a", 1), _marker("a", 2), _marker("b", 3)
    assert iso(Earliest((a, also_a))(sub("xa"))) == "2000-01-01"
    assert iso(Earliest((also_a, a))(sub("xa"))) == "2000-01-02"
    assert iso(Earliest((b, a))(sub("ab"))) == "2000-01-01"  # position, not list order
    assert iso(Earliest((b, a))(sub("xyz"))) == "NOT_FOUND"


# ------------------------------------------------------------------------------------------------
# The table and the calendar type


def test_calendar_literal_and_calendars_agree() -> None:
    assert set(get_args(Calendar)) == {"auto", "gregorian", "jalali"}
    assert {"auto", "gregorian", "jalali"} == CALENDARS


def _names(calendar: str) -> list[str]:
    return [r.name for r in RECOGNISERS if calendar in r.calendars]


def test_table_order_per_calendar() -> None:
    gregorian_dates = (
        "first Gregorian date: English month name, numeric (ISO 8601) or dotted day first"
    )
    assert _names("auto") == [
        "profile strptime formats",
        "Jalali with a month name",
        "numeric Jalali",
        "RFC 822",
        gregorian_dates,
    ]
    assert _names("jalali") == ["Jalali with a month name", "numeric Jalali"]
    assert _names("gregorian") == ["profile strptime formats", "RFC 822", gregorian_dates]


def test_each_calendar_gets_its_own_numeric_jalali() -> None:
    numeric = {
        cal: r.recognise
        for r in RECOGNISERS
        for cal in r.calendars
        if isinstance(r.recognise, NumericJalali)
    }
    assert numeric == {"auto": AUTO, "jalali": LENIENT}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # an impossible Jalali date stops the table: the English date after it is not a fallback
        ("۳۱ مهر ۱۳۹۶ Dec 5, 2017", None),
        # a Jalali date with a month name wins over a numeric Jalali one before it
        ("1396/09/15 ۱۴ آذر ۱۳۹۶", jal(1396, 9, 14)),
        # a numeric Jalali date wins over a Gregorian one before it
        ("Dec 5, 2017 1396/09/14", jal(1396, 9, 14)),
        # a profile format that reads a Jalali year is skipped, the Jalali recogniser reads it
        ("1396/09/14", jal(1396, 9, 14)),
    ],
)
def test_parse_date_takes_the_first_verdict(raw: str, expected: str | None) -> None:
    result = parse_date(raw, TEH, formats=("%Y/%m/%d",))
    assert (None if result is None else result.isoformat()) == expected


def test_subject_is_normalised_once() -> None:
    s = Subject.of("\u200f  ۱۴ آذر\u00a0 ۱۳۹۶ \u200f", ZoneInfo(TEH))
    assert (s.text, s.ascii) == ("14 آذر 1396", False)
    assert Subject.of("1396/09/14", ZoneInfo(TEH)).ascii
    assert Subject.of("۱۳۹۶/۰۹/۱۴", ZoneInfo(TEH)).ascii  # ASCII once the digits are


def test_utc_of_a_recogniser_result() -> None:
    verdict = rfc822(sub("Tue, 05 Dec 2017 18:27:00 GMT"))
    assert isinstance(verdict, ParsedDate)
    assert verdict.value == datetime(2017, 12, 5, 18, 27, tzinfo=UTC)
