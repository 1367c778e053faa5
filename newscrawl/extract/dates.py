"""One date parser for every site profile: English, RFC 822, ISO 8601 and Jalali dates.

:func:`parse_date` turns the date string a page or feed shows into a :class:`ParsedDate`: an aware
``datetime`` in the site's time zone when the string has a time, else a plain ``date``. The
pipelines export ``ParsedDate.isoformat()`` as ``published_at`` and ``ParsedDate.utc_isoformat()``
as ``published_at_utc``.

Contract
    * Not finding a date is a normal result (``None``); bad input never raises.
    * An impossible date (31 Mehr, 30 Esfand in a common year, 30 February, hour 25 ...) is
      ``None``, never a guess or a "nearest valid" date.
    * A Jalali year is never read as a Gregorian one and vice versa: Jalali years are 1200–1499,
      Gregorian years are 1700–9000 (the upper bound only keeps zone conversions from overflowing),
      anything in between is not a date.

How a string is read (after normalisation: Persian/Arabic-Indic digits to ASCII,
``normalize_persian``, whitespace collapsed to single spaces)
    1. the profile's strptime ``formats``, in order (the fast path; a format must match the whole
       string);
    2. Jalali dates with a month name (Iranian ``فروردین`` ... ``اسفند`` and the Dari/Afghan ``حمل``
       ... ``حوت``), e.g. ``سه‌شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷``;
    3. numeric ``Y/M/D`` or ``Y-M-D`` dates: the year decides the calendar (1200–1499 Jalali,
       1700–9000 Gregorian, two digits Jalali 13YY/14YY); this includes ISO 8601 with a time and an
       offset;
    4. RFC 822 (feeds), read with :func:`email.utils.parsedate_to_datetime`;
    5. English month-name dates: ``Dec 5, 2017 21:27``, ``30 April 2019 - 19:19``,
       ``Jan 17, 2023, 1:36 PM``, ``Wednesday, April 18, 2012`` ...

    When a string holds a Jalali and a Gregorian date, as tabnak's
    ``۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014`` does, the Jalali one wins, even if the two disagree.
    Otherwise the first date in the string wins (so trailing text such as
    ``Code : 46597 Press Release`` or a "Last updated" date is ignored). A time belongs to a date
    only when it directly follows it (after a space, ``-``, ``|``, ``,``, ``،``, ``/``, ``@``,
    ``at``, ``ساعت`` or ISO's ``T``). Weekday names are ignored, not checked.

Why not dateparser
    dateparser is two orders of magnitude slower (see bench/bench_dates.py), silently reads
    ``1396/09/14 21:27`` as Gregorian year 1396 with an LMT offset, and cannot read Persian month
    names with a time. We need a small, strict, predictable parser; dateparser is not a dependency.

Why jdatetime (and only ``jdatetime.date(...).togregorian()``)
    It is a maintained, dependency-free Jalali <-> Gregorian converter that validates the day (31
    Mehr, 30 Esfand in a common year raise ``ValueError``). Its ``strptime``/``set_locale`` support
    is NOT used: the locale is global mutable state, which one caller can change under another in a
    threaded crawler, and it fails on Arabic-yeh spellings anyway. Conversions are cached.

Time zones
    Zones are ``zoneinfo.ZoneInfo`` objects (from the ``tzdata`` package, so the system zone files
    do not matter), never fixed offsets: Tehran is +04:30 in summer until 2022 (not in 2006–2007)
    and +03:30 otherwise; Kabul is always +04:30. A wall time is attached to the zone with
    ``fold=0``:

    * In a DST gap (a wall time that never existed, e.g. 2022-03-22 00:30 in Tehran, where clocks
      jumped from 00:00 to 01:00) the offset from *before* the transition is used:
      ``2022-03-22T00:30:00+03:30``, i.e. 2022-03-21T21:00:00Z (the same instant as 01:30+04:30).
      The result is not None: the page said that time and it is read as a standard-time wall clock.
    * In a fold (a wall time that happened twice, e.g. 2017-09-21 23:30 in Tehran, where clocks went
      back from 24:00 to 23:00) the *first* occurrence is used: ``2017-09-21T23:30:00+04:30``.

    A string with its own offset (ISO 8601 ``+03:30``/``Z``, RFC 822 ``GMT``/``+0330``) is converted
    to the site zone, so ``isoformat()`` always shows the site's local time. (Before a zone's first
    standard offset, e.g. Tehran before 1946, tzdata gives local mean time, printed as
    ``+03:25:44``.)

Everything here is pure and thread-safe: regexes and month tables are built at import, zones and
calendar conversions sit in ``functools.lru_cache`` caches, and no per-call state is shared.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import jdatetime

from newscrawl.extract.persian import normalize_persian

__all__ = ["CALENDARS", "ParsedDate", "parse_date"]

#: The accepted values of ``parse_date(..., calendar=...)``.
CALENDARS: Final = frozenset({"auto", "jalali", "gregorian"})

MIN_GREGORIAN_YEAR: Final = 1700
# Years near datetime.MAXYEAR would overflow when converted between zones; no news site needs them.
MAX_GREGORIAN_YEAR: Final = 9000
MIN_JALALI_YEAR: Final = 1200
MAX_JALALI_YEAR: Final = 1499


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from a page.

    ``value`` is an aware ``datetime`` in the site zone when the string has a time, else a ``date``
    (a date-only string names a calendar day, not an instant, so it has no UTC form). ``raw`` is the
    string exactly as it was passed to :func:`parse_date`.
    """

    value: datetime | date
    raw: str

    @property
    def has_time(self) -> bool:
        """True when the string had a time of day (``value`` is a ``datetime``)."""
        return isinstance(self.value, datetime)

    def isoformat(self) -> str:
        """``2017-12-05T21:27:00+03:30`` (always with seconds), or ``2017-12-05`` (date only)."""
        value = self.value
        if isinstance(value, datetime):
            return value.isoformat(timespec="seconds")
        return value.isoformat()

    def utc_isoformat(self) -> str | None:
        """The same instant in UTC, ``2017-12-05T17:57:00Z``; None for a date only."""
        value = self.value
        if not isinstance(value, datetime):
            return None
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# --------------------------------------------------------------------------------------------------
# Month tables (keys are in normalised form: Persian yeh/kaf, lower-case English)

_JALALI_MONTHS: Final[dict[str, int]] = {
    # Iranian names, with common spelling variants (no madda, Arabic yeh is normalised away before).
    "فروردین": 1,
    "اردیبهشت": 2,
    "خرداد": 3,
    "تیر": 4,
    "مرداد": 5,
    "امرداد": 5,
    "شهریور": 6,
    "مهر": 7,
    "آبان": 8,
    "ابان": 8,
    "آذر": 9,
    "اذر": 9,
    "دی": 10,
    "بهمن": 11,
    "اسفند": 12,
    # Dari (Afghan) names of the same Solar Hijri months.
    "حمل": 1,
    "ثور": 2,
    "جوزا": 3,
    "جوزاء": 3,
    "سرطان": 4,
    "اسد": 5,
    "سنبله": 6,
    "سنبلة": 6,
    "میزان": 7,
    "عقرب": 8,
    "قوس": 9,
    "جدی": 10,
    "دلو": 11,
    "حوت": 12,
}

_ENGLISH_MONTHS: Final[dict[str, int]] = {}
for _i, _name in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    _ENGLISH_MONTHS[_name] = _i
    _ENGLISH_MONTHS[_name[:3]] = _i
_ENGLISH_MONTHS["sept"] = 9


def _alternation(names: Sequence[str]) -> str:
    # Longest first, so that "june" is tried before "jun" and "اسفند" before "اسد".
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# --------------------------------------------------------------------------------------------------
# Regexes. They run on the normalised string, so every run of whitespace is exactly one space.

# A time that directly follows a date: connector, H:MM[:SS[.fff]], optional AM/PM (also Persian
# ق.ظ/ب.ظ), optional zone (Z, GMT, UTC, UT, +03:30, +0330, +03).
_TIME: Final = (
    r"(?:(?:T|\s?(?:[-–—|,،/@]\s?)?(?:(?:ساعت|at)\s?:?\s?)?)"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?(?!\d)"
    r"(?:\s?(?P<ampm>(?i:[ap]\.?m\b\.?)|[قب]\.?\s?ظ(?!\w)))?"
    r"(?:\s?(?P<tz>Z(?!\w)|(?i:GMT|UTC|UT)(?!\w)|[+-]\d{2}(?::?\d{2})?(?!\d)))?"
    r")?"
)

# 14 آذر 1396 / 14 آذرماه 96 / 5 جدی 1403, optionally followed by a time.
_JALALI_NAMED_RE: Final = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s?(?P<mon>" + _alternation(list(_JALALI_MONTHS)) + r")"
    r"(?:[\s\u200c]?ماه)?(?![^\W\d_])\s?[,،]?\s?(?P<y>\d{4}|\d{2})(?!\d)" + _TIME
)

# 1396/09/14, 1403-11-30, 96/9/5, 2017-12-05T21:27:00+03:30.
_NUMERIC_RE: Final = re.compile(
    r"(?<![\d/])(?P<y>\d{4}|\d{2})(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/])"
    + _TIME
)

_EN_MONTH: Final = r"(?i:" + _alternation(list(_ENGLISH_MONTHS)) + r")"
_ORD: Final = r"(?:st|nd|rd|th)?"
# "Dec 5, 2017" / "Wednesday, April 18, 2012" (month first) or "5 December 2017" / "05-Dec-2017"
# (day first); one regex so that search() finds whichever comes first.
_ENGLISH_RE: Final = re.compile(
    r"(?:\b(?P<md_mon>" + _EN_MONTH + r")\b\.?\s?(?P<md_d>\d{1,2})" + _ORD + r"(?!\d),?\s"
    r"(?P<md_y>\d{4})"
    r"|(?<!\d)(?P<dm_d>\d{1,2})" + _ORD + r"[\s-](?:of\s)?(?P<dm_mon>" + _EN_MONTH + r")\b\.?"
    r",?[\s-](?P<dm_y>\d{4}))(?!\d)" + _TIME
)

# RFC 822/2822 as written in feeds. Only zones that email.utils knows: anything else would come back
# naive and be silently read as UTC, so such strings go to the English recogniser (site zone)
# instead.
_RFC822_RE: Final = re.compile(
    r"(?:[A-Za-z]{3},?\s)?\d{1,2}\s[A-Za-z]{3}\s\d{2,4}\s\d{1,2}:\d{2}(?::\d{2})?\s"
    r"(?:[+-]\d{4}|GMT|UTC?|Z|[ECMPA][SD]T)"
)

_ARABIC_SCRIPT_RE: Final = re.compile(r"[\u0600-\u06FF]")

_TIME_DIRECTIVES: Final = ("%H", "%I", "%M", "%S", "%X", "%c", "%p")


# --------------------------------------------------------------------------------------------------
# Caches


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=8192)
def _jalali_to_gregorian(year: int, month: int, day: int) -> date | None:
    """Gregorian date of a Jalali date; None if it does not exist (31 Mehr, 30 Esfand 1402)."""
    if not MIN_JALALI_YEAR <= year <= MAX_JALALI_YEAR:
        return None
    try:
        result: date = jdatetime.date(year, month, day).togregorian()
    except (ValueError, TypeError, OverflowError):
        return None
    return result


@lru_cache(maxsize=256)
def _format_has_time(fmt: str) -> bool:
    return any(d in fmt for d in _TIME_DIRECTIVES)


@lru_cache(maxsize=64)
def _fixed_offset(text: str) -> tzinfo | None:
    """The tzinfo of an explicit zone (Z/GMT/UTC/UT or +HH[:MM]); None if impossible."""
    if text[0] not in "+-":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


# --------------------------------------------------------------------------------------------------
# Parsing


def _normalise(raw: str) -> str:
    if raw.isascii():
        return " ".join(raw.split())
    return " ".join(normalize_persian(raw, ascii_digits=True).split())


def _gregorian(year: int, month: int, day: int) -> date | None:
    if not MIN_GREGORIAN_YEAR <= year <= MAX_GREGORIAN_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_time(day: date | None, m: re.Match[str], zone: ZoneInfo, raw: str) -> ParsedDate | None:
    """Attach the time captured by ``_TIME`` (if any) to ``day``; None if either is impossible."""
    if day is None:
        return None
    hh = m.group("H")
    if hh is None:
        return ParsedDate(day, raw)
    hour, minute = int(hh), int(m.group("M"))
    ss = m.group("S")
    second = int(ss) if ss else 0
    ampm = m.group("ampm")
    if ampm is not None:
        # 12-hour clock: 12:xx AM is 00:xx, 12:xx PM is 12:xx; "0:30 AM", "13:00 PM" are invalid.
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm[0] in "pPب" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    tzs = m.group("tz")
    if tzs is None:
        # fold=0: in a gap the pre-transition offset, in a fold the first occurrence (module doc).
        return ParsedDate(
            datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone), raw
        )
    own = _fixed_offset(tzs)
    if own is None:
        return None
    dt = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=own)
    return ParsedDate(dt.astimezone(zone), raw)


def _jalali_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: 96 -> 1396, 03 -> 1403 (the convention of Iranian sites).
        year += 1400 if year < 50 else 1300
    return year


def _from_formats(s: str, raw: str, formats: Sequence[str], zone: ZoneInfo) -> ParsedDate | None:
    for fmt in formats:
        try:
            dt = datetime.strptime(s, fmt)
        except (ValueError, TypeError):
            continue
        if not MIN_GREGORIAN_YEAR <= dt.year <= MAX_GREGORIAN_YEAR:
            # strptime read a Jalali year (1396) as Gregorian: never accept that, let the Jalali
            # recognisers below read the string instead.
            continue
        if not _format_has_time(fmt):
            return ParsedDate(dt.date(), raw)
        dt = dt.replace(microsecond=0)
        if dt.tzinfo is None:
            return ParsedDate(dt.replace(tzinfo=zone), raw)
        return ParsedDate(dt.astimezone(zone), raw)
    return None


def _from_rfc822(s: str, raw: str, zone: ZoneInfo) -> ParsedDate | None:
    try:
        dt = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not MIN_GREGORIAN_YEAR <= dt.year <= MAX_GREGORIAN_YEAR:
        return None
    if dt.tzinfo is None:  # "-0000": UTC, with the sender's local zone unknown (RFC 5322 3.3)
        dt = dt.replace(tzinfo=UTC)
    return ParsedDate(dt.astimezone(zone), raw)


def _from_english(m: re.Match[str], zone: ZoneInfo, raw: str) -> ParsedDate | None:
    if m.group("md_mon") is not None:
        mon, d, y = m.group("md_mon", "md_d", "md_y")
    else:
        mon, d, y = m.group("dm_mon", "dm_d", "dm_y")
    return _with_time(_gregorian(int(y), _ENGLISH_MONTHS[mon.lower()], int(d)), m, zone, raw)


def parse_date(
    raw: str | None,
    tz: str | ZoneInfo,
    *,
    formats: Sequence[str] = (),
    calendar: str = "auto",
) -> ParsedDate | None:
    """Read the date in ``raw`` as shown on a site whose local zone is ``tz``.

    Args:
        raw: the date string as the page shows it (Persian digits, bidi marks, weekday prefixes and
            trailing text are fine). None or an empty string gives None.
        tz: the site's IANA zone name (``"Asia/Tehran"``) or a ``ZoneInfo``; zone objects are
            cached. Strings without their own offset are read as wall time in this zone (``fold=0``:
            in a DST gap the pre-transition offset, in a fold the first occurrence, see the module
            docstring); strings with an offset (ISO 8601, RFC 822) are converted to it.
        formats: strptime formats from the site profile, tried first on the normalised string (ASCII
            digits, ``normalize_persian``, single spaces). Each must match the whole string;
            ``%b``/``%B`` are English (C locale). Use ``%z`` for an offset. A format that yields a
            year outside 1700–9000 is skipped (e.g. it read a Jalali year as Gregorian) and the
            built-ins run. Ignored when ``calendar="jalali"``.
        calendar: ``"auto"`` (decide from the text), ``"jalali"`` or ``"gregorian"`` (only the
            recognisers of that calendar run). With ``"auto"``, an ASCII two-digit-year date such as
            ``02/05/03`` is ambiguous (D/M/Y?) and is only read as Jalali when its first number is >
            31 (``96/9/5``); with Persian digits or letters in the string it is always read as
            Jalali.

    Returns:
        A :class:`ParsedDate`, or None when no date can be read or the date found is impossible.

    Raises:
        ValueError: ``calendar`` is not one of :data:`CALENDARS` (a programming error).
        zoneinfo.ZoneInfoNotFoundError: ``tz`` names no zone (a configuration error; validate
            profiles at load time). Nothing about ``raw`` ever raises.
    """
    if calendar not in CALENDARS:
        raise ValueError(f"calendar must be one of {sorted(CALENDARS)}, not {calendar!r}")
    zone = tz if isinstance(tz, ZoneInfo) else _zone(tz)
    if not isinstance(raw, str) or not raw:
        return None
    s = _normalise(raw)
    if not s:
        return None

    jalali = calendar != "gregorian"
    gregorian = calendar != "jalali"

    if formats and gregorian:
        found = _from_formats(s, raw, formats, zone)
        if found is not None:
            return found

    ascii_only = s.isascii()
    if jalali and not ascii_only:
        m = _JALALI_NAMED_RE.search(s)
        if m is not None:
            month = _JALALI_MONTHS[m.group("mon")]
            day = _jalali_to_gregorian(_jalali_year(m.group("y")), month, int(m.group("d")))
            return _with_time(day, m, zone, raw)

    # Numeric dates: the first Jalali one wins over any Gregorian date; keep the first Gregorian.
    first_gregorian: re.Match[str] | None = None
    for m in _NUMERIC_RE.finditer(s):
        ytext = m.group("y")
        if len(ytext) == 2:
            if m.group("sep") != "/" or not jalali:
                continue
            if calendar == "auto" and int(ytext) <= 31 and not _ARABIC_SCRIPT_RE.search(raw):
                continue  # ambiguous: could be D/M/YY or M/D/YY
            is_jalali = True
        else:
            year = int(ytext)
            if MIN_JALALI_YEAR <= year <= MAX_JALALI_YEAR:
                is_jalali = True
            elif MIN_GREGORIAN_YEAR <= year <= MAX_GREGORIAN_YEAR:
                is_jalali = False
            else:
                continue  # neither calendar: not a date
        if is_jalali:
            if jalali:
                day = _jalali_to_gregorian(
                    _jalali_year(ytext), int(m.group("m")), int(m.group("d"))
                )
                return _with_time(day, m, zone, raw)
        elif gregorian and first_gregorian is None:
            first_gregorian = m

    if not gregorian:
        return None

    if ascii_only and _RFC822_RE.fullmatch(s):
        return _from_rfc822(s, raw, zone)

    english = _ENGLISH_RE.search(s)
    if first_gregorian is not None and (
        english is None or first_gregorian.start() < english.start()
    ):
        g = first_gregorian
        day = _gregorian(int(g.group("y")), int(g.group("m")), int(g.group("d")))
        return _with_time(day, g, zone, raw)
    if english is not None:
        return _from_english(english, zone, raw)
    return None
