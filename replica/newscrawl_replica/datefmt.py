"""Date strings as the replica sites print them (English, Persian/Jalali, Dari), plus feed/HTTP forms.

Every function takes a naive wall-clock ``datetime`` in the site's zone; zones are applied only for the
machine-readable forms (RFC 822, W3C). Jalali dates come from jdatetime.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jdatetime

# The replica's fixed "today": page headers show it, it never comes from the clock.
TODAY = date(2026, 11, 28)

EN_MONTHS_ABBR = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

FA_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
DARI_MONTHS = (
    "حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله",
    "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت",
)  # fmt: skip
# Index 0 is Saturday (jdatetime's weekday()).
FA_WEEKDAYS = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")
DARI_WEEKDAYS = ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه")

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
RLM = "\u200f"


def fa_digits(text: str) -> str:
    """ASCII digits to Persian digits (۰-۹)."""
    return text.translate(_FA_DIGITS)


def ar_digits(text: str) -> str:
    """ASCII digits to Arabic-Indic digits (٠-٩)."""
    return text.translate(_AR_DIGITS)


def arabic_letters(text: str) -> str:
    """Persian yeh/kaf to the Arabic letters (ی -> ي, ک -> ك), as older Persian pages write them."""
    return text.translate(_ARABIC_LETTERS)


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """A cached ZoneInfo."""
    return ZoneInfo(name)


def jalali(when: date) -> tuple[int, int, int, int]:
    """(year, month, day, weekday with Saturday = 0) of a Gregorian date (or of a datetime's date)."""
    return _jalali(when.year, when.month, when.day)


@lru_cache(maxsize=65536)
def _jalali(year: int, month: int, day: int) -> tuple[int, int, int, int]:
    j = jdatetime.date.fromgregorian(date=date(year, month, day))
    return j.year, j.month, j.day, j.weekday()


def en_ict(when: datetime) -> str:
    """ICT English date line: ``Dec 5, 2017 21:27``."""
    return f"{EN_MONTHS_ABBR[when.month - 1]} {when.day}, {when.year} {when:%H:%M}"


def en_msrt(when: datetime) -> str:
    """MSRT English date: ``21 March 2019 | 00:00``."""
    return f"{when.day} {EN_MONTHS[when.month - 1]} {when.year} | {when:%H:%M}"


def en_long_day(when: date) -> str:
    """``Saturday, November 28, 2026``."""
    return f"{EN_WEEKDAYS[when.weekday()]}, {EN_MONTHS[when.month - 1]} {when.day}, {when.year}"


def fa_short(when: datetime) -> str:
    """ICT Persian date line: ``۱۴ آذر ۱۳۹۶ - ۲۱:۲۷``."""
    y, m, d, _ = jalali(when)
    return fa_digits(f"{d} {FA_MONTHS[m - 1]} {y} - {when:%H:%M}")


def fa_long(when: datetime) -> str:
    """ICT Persian date line with weekday: ``سه‌شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷``."""
    y, m, d, wd = jalali(when)
    return fa_digits(f"{FA_WEEKDAYS[wd]} {d} {FA_MONTHS[m - 1]} {y} ساعت {when:%H:%M}")


def fa_day(when: date) -> str:
    """``شنبه ۷ آذر ۱۴۰۵`` (a page header's today)."""
    y, m, d, wd = jalali(when)
    return fa_digits(f"{FA_WEEKDAYS[wd]} {d} {FA_MONTHS[m - 1]} {y}")


def dari_numeric(when: datetime) -> str:
    """MoIC Drupal date: ``سه‌شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵``."""
    y, m, d, wd = jalali(when)
    return fa_digits(f"{DARI_WEEKDAYS[wd]} {y}/{m:02d}/{d:02d} - {when:%H:%M}")


def dari_day(when: date) -> str:
    """``شنبه ۷ قوس ۱۴۰۵`` (MoIC header's today, Dari month names)."""
    y, m, d, wd = jalali(when)
    return fa_digits(f"{DARI_WEEKDAYS[wd]} {d} {DARI_MONTHS[m - 1]} {y}")


def aware(when: datetime, tz: str) -> datetime:
    """Attach the zone (fold=0 for repeated times; a non-existent time keeps the pre-gap offset)."""
    return when.replace(tzinfo=zone(tz))


def rfc822(when: datetime, tz: str) -> str:
    """RSS pubDate: ``Tue, 05 Dec 2017 21:27:00 +0330``."""
    a = aware(when, tz)
    offset = a.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    day = EN_WEEKDAYS[a.weekday()][:3]
    return (
        f"{day}, {a.day:02d} {EN_MONTHS_ABBR[a.month - 1]} {a.year} {a:%H:%M:%S} "
        f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def w3c(when: datetime, tz: str) -> str:
    """Sitemap date-time: ``2017-12-05T21:27:00+03:30``."""
    return aware(when, tz).isoformat(timespec="seconds")


def http_date(when_utc: datetime) -> str:
    """An HTTP-date (RFC 9110 IMF-fixdate) of an aware or UTC-naive datetime."""
    if when_utc.tzinfo is not None:
        when_utc = when_utc.astimezone(UTC)
    day = EN_WEEKDAYS[when_utc.weekday()][:3]
    return (
        f"{day}, {when_utc.day:02d} {EN_MONTHS_ABBR[when_utc.month - 1]} {when_utc.year} "
        f"{when_utc:%H:%M:%S} GMT"
    )


def to_utc(when: datetime, tz: str) -> datetime:
    """The naive local time as an aware UTC datetime."""
    return aware(when, tz).astimezone(UTC)
