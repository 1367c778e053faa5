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
``normalize_persian``, whitespace collapsed to single spaces): :data:`RECOGNISERS` is an ordered
table of small recognisers, each for one kind of date, tried in this order (those of the other
calendar are left out with ``calendar="jalali"``/``"gregorian"``); the first that finds a date of
its kind decides, and an impossible date it finds is None, not a reason to try the next one:
    1. ``profile_formats``: the profile's strptime ``formats``, in order (the fast path; a format
       must match the whole string);
    2. ``jalali_month_name``: Jalali dates with a month name (Iranian ``فروردین`` ... ``اسفند`` and
       the Dari/Afghan ``حمل`` ... ``حوت``), e.g. ``سه‌شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷``;
    3. ``NumericJalali``: numeric ``Y/M/D`` or ``Y-M-D`` dates with a Jalali year (1200–1499, or
       two digits: 13YY/14YY), anywhere in the string;
    4. ``rfc822``: RFC 822 (feeds), the whole string, read with
       :func:`email.utils.parsedate_to_datetime`;
    5. ``Earliest(english_month_name, numeric_gregorian)``: whichever Gregorian date starts first,
       English month names (``Dec 5, 2017 21:27``, ``30 April 2019 - 19:19``,
       ``Jan 17, 2023, 1:36 PM``, ``Wednesday, April 18, 2012`` ...) or numeric dates with a year in
       1700–9000, including ISO 8601 with a time and an offset.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import Enum
from functools import lru_cache
from typing import Final, Literal, Protocol, TypeAlias, get_args
from zoneinfo import ZoneInfo

import jdatetime

from newscrawl.extract.persian import normalize_persian

__all__ = ["CALENDARS", "Calendar", "ParsedDate", "parse_date"]

#: The calendars ``parse_date(..., calendar=...)`` accepts: decide from the text, or run only the
#: recognisers of one calendar. Site profiles use the same type.
Calendar: TypeAlias = Literal["auto", "gregorian", "jalali"]

#: The accepted values of ``parse_date(..., calendar=...)``.
CALENDARS: Final[frozenset[Calendar]] = frozenset(get_args(Calendar))

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

# 28.04.2023, 5.6.2024 14:30: a dotted date is day first wherever it is written (German, Russian,
# Turkish, ...; month-first dates are written with slashes). Four-digit years only.
_DOTTED_RE: Final = re.compile(
    r"(?<![\w.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)(?!\.\d)" + _TIME
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
# Shared readers: a date (and the time that follows it) to a ParsedDate


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


def _jalali_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: 96 -> 1396, 03 -> 1403 (the convention of Iranian sites).
        year += 1400 if year < 50 else 1300
    return year


def _hour_of_clock(hour: int, ampm: str | None) -> int | None:
    """The 24-hour hour of ``hour`` read with its AM/PM marker (if any); None if impossible.

    12-hour clock: 12:xx AM is 00:xx, 12:xx PM is 12:xx; "0:30 AM" and "13:00 PM" are invalid.
    """
    if ampm is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if ampm[0] in "pPب" else 0)


def _with_time(day: date | None, m: re.Match[str], sub: Subject) -> ParsedDate | None:
    """Attach the time captured by ``_TIME`` (if any) to ``day``; None if either is impossible."""
    if day is None:
        return None
    hh = m.group("H")
    if hh is None:
        return ParsedDate(day, sub.raw)
    hour = _hour_of_clock(int(hh), m.group("ampm"))
    minute = int(m.group("M"))
    ss = m.group("S")
    second = int(ss) if ss else 0
    if hour is None or minute > 59 or second > 59:
        return None
    tzs = m.group("tz")
    if tzs is None:
        # fold=0: in a gap the pre-transition offset, in a fold the first occurrence (module doc).
        return ParsedDate(
            datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=sub.zone), sub.raw
        )
    own = _fixed_offset(tzs)
    if own is None:
        return None
    dt = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=own)
    return ParsedDate(dt.astimezone(sub.zone), sub.raw)


# --------------------------------------------------------------------------------------------------
# The recognisers. Each reads one kind of date and returns a Verdict:
#   * NOT_FOUND: no date of its kind in the string; parse_date tries the next recogniser;
#   * a ParsedDate: the answer;
#   * None: it found a date of its kind that is impossible (31 Mehr, hour 25): the answer is None,
#     no later recogniser may guess another date from the same string.


class _NotFound(Enum):
    NOT_FOUND = "not found"


#: A recogniser's "no date of my kind here, try the next one".
NOT_FOUND: Final = _NotFound.NOT_FOUND

Verdict: TypeAlias = "ParsedDate | Literal[_NotFound.NOT_FOUND] | None"


@dataclass(slots=True)
class Subject:
    """What every recogniser reads: one call's string, normalised once, and its context."""

    #: the normalised string (ASCII digits, ``normalize_persian``, single spaces)
    text: str
    #: the string exactly as passed to :func:`parse_date` (kept in the ParsedDate)
    raw: str
    zone: ZoneInfo
    formats: Sequence[str] = ()
    #: ``text.isascii()``, computed once (several recognisers skip ASCII or non-ASCII text)
    ascii: bool = True

    @classmethod
    def of(cls, raw: str, zone: ZoneInfo, formats: Sequence[str] = ()) -> Subject:
        """The subject for ``raw`` (normalised as :func:`parse_date` does)."""
        text = _normalise(raw)
        return cls(text, raw, zone, formats, text.isascii())


class Recognise(Protocol):
    """A recogniser: reads one kind of date from a :class:`Subject`."""

    def __call__(self, sub: Subject, /) -> Verdict: ...


def profile_formats(sub: Subject) -> Verdict:
    """The profile's strptime formats, in order; each must match the whole (normalised) string.

    A format without a time directive gives a date; a naive result is wall time in the site zone,
    an aware one (``%z``) is converted to it. A result outside the Gregorian years is skipped: the
    format read a Jalali year (1396) as Gregorian, and the Jalali recognisers should read it.
    """
    for fmt in sub.formats:
        try:
            dt = datetime.strptime(sub.text, fmt)
        except (ValueError, TypeError):
            continue
        if not MIN_GREGORIAN_YEAR <= dt.year <= MAX_GREGORIAN_YEAR:
            continue
        if not _format_has_time(fmt):
            return ParsedDate(dt.date(), sub.raw)
        dt = dt.replace(microsecond=0)
        if dt.tzinfo is None:
            return ParsedDate(dt.replace(tzinfo=sub.zone), sub.raw)
        return ParsedDate(dt.astimezone(sub.zone), sub.raw)
    return NOT_FOUND


def jalali_month_name(sub: Subject) -> Verdict:
    """``۱۴ آذر ۱۳۹۶ - ۲۱:۲۷``, ``۱۴ آذرماه ۹۶``, ``۵ جدی ۱۴۰۳``: the first Jalali date with a month
    name (Iranian or Dari, Persian or Arabic letters), and the time that follows it."""
    if sub.ascii:
        return NOT_FOUND  # month names are in Arabic script
    m = _JALALI_NAMED_RE.search(sub.text)
    if m is None:
        return NOT_FOUND
    month = _JALALI_MONTHS[m.group("mon")]
    day = _jalali_to_gregorian(_jalali_year(m.group("y")), month, int(m.group("d")))
    return _with_time(day, m, sub)


def _may_be_numeric(text: str) -> bool:
    # A cheap pre-check: _NUMERIC_RE needs a "/" or "-" separator.
    return "/" in text or "-" in text


@dataclass(frozen=True, slots=True)
class NumericJalali:
    """``1396/09/14 21:27``, ``1403-11-30``, ``96/9/5``: the first numeric date whose year is Jalali
    (1200–1499, or two digits with ``/``), wherever it is in the string, and the time after it.

    With ``two_digit_needs_context`` (``calendar="auto"``) an ASCII two-digit-year date such as
    ``02/05/03`` is ambiguous (D/M/Y?): it is read only when its first number is > 31 (``96/9/5``)
    or the raw string has Arabic-script characters (Persian digits or words).
    """

    two_digit_needs_context: bool

    def __call__(self, sub: Subject) -> Verdict:
        if not _may_be_numeric(sub.text):
            return NOT_FOUND
        for m in _NUMERIC_RE.finditer(sub.text):
            year = self.year(m, sub.raw)
            if year is not None:
                day = _jalali_to_gregorian(year, int(m.group("m")), int(m.group("d")))
                return _with_time(day, m, sub)
        return NOT_FOUND

    def year(self, m: re.Match[str], raw: str) -> int | None:
        """The Jalali year of a ``_NUMERIC_RE`` match; None if it is not a Jalali date."""
        ytext = m.group("y")
        if len(ytext) == 4:
            year = int(ytext)
            return year if MIN_JALALI_YEAR <= year <= MAX_JALALI_YEAR else None
        if m.group("sep") != "/":
            return None
        if self.two_digit_needs_context and int(ytext) <= 31 and not _ARABIC_SCRIPT_RE.search(raw):
            return None  # ambiguous: could be D/M/YY or M/D/YY
        return _jalali_year(ytext)


def rfc822(sub: Subject) -> Verdict:
    """``Tue, 05 Dec 2017 18:27:00 GMT`` (feeds), the whole string, read by
    :func:`email.utils.parsedate_to_datetime` and converted to the site zone."""
    if not sub.ascii or _RFC822_RE.fullmatch(sub.text) is None:
        return NOT_FOUND
    try:
        dt = email.utils.parsedate_to_datetime(sub.text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not MIN_GREGORIAN_YEAR <= dt.year <= MAX_GREGORIAN_YEAR:
        return None
    if dt.tzinfo is None:  # "-0000": UTC, with the sender's local zone unknown (RFC 5322 3.3)
        dt = dt.replace(tzinfo=UTC)
    return ParsedDate(dt.astimezone(sub.zone), sub.raw)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A recogniser in two steps: ``find`` the date in the text, ``read`` the match.

    Split so that :class:`Earliest` can compare where several kinds of date start.
    """

    find: Callable[[str], re.Match[str] | None]
    read: Callable[[re.Match[str], Subject], ParsedDate | None]

    def __call__(self, sub: Subject) -> Verdict:
        m = self.find(sub.text)
        return NOT_FOUND if m is None else self.read(m, sub)


def _find_english(text: str) -> re.Match[str] | None:
    return _ENGLISH_RE.search(text)


def _read_english(m: re.Match[str], sub: Subject) -> ParsedDate | None:
    if m.group("md_mon") is not None:
        mon, d, y = m.group("md_mon", "md_d", "md_y")
    else:
        mon, d, y = m.group("dm_mon", "dm_d", "dm_y")
    return _with_time(_gregorian(int(y), _ENGLISH_MONTHS[mon.lower()], int(d)), m, sub)


def _find_numeric_gregorian(text: str) -> re.Match[str] | None:
    """The first ``Y-M-D``/``Y/M/D`` date with a four-digit Gregorian year (1700–9000)."""
    if not _may_be_numeric(text):
        return None
    for m in _NUMERIC_RE.finditer(text):
        ytext = m.group("y")
        if len(ytext) == 4 and MIN_GREGORIAN_YEAR <= int(ytext) <= MAX_GREGORIAN_YEAR:
            return m
    return None


def _read_numeric(m: re.Match[str], sub: Subject) -> ParsedDate | None:
    day = _gregorian(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return _with_time(day, m, sub)


def _find_dotted(text: str) -> re.Match[str] | None:
    """The first ``D.M.YYYY`` date with a Gregorian year (1700–9000)."""
    if "." not in text:
        return None
    for m in _DOTTED_RE.finditer(text):
        if MIN_GREGORIAN_YEAR <= int(m.group("y")) <= MAX_GREGORIAN_YEAR:
            return m
    return None


#: ``Dec 5, 2017 21:27``, ``30 April 2019 - 19:19``, ``Jan 17, 2023, 1:36 PM``,
#: ``Wednesday, April 18, 2012``, ``05-Dec-2017``: English month names, 12- or 24-hour clock.
english_month_name: Final = Pattern(_find_english, _read_english)

#: ISO 8601 and other numeric Gregorian dates: ``2017-12-05T21:27:00+03:30``, ``2017/12/05 21:27``.
numeric_gregorian: Final = Pattern(_find_numeric_gregorian, _read_numeric)

#: Dotted day-first dates: ``28.04.2023``, ``5.6.2024 14:30``.
dotted_day_first: Final = Pattern(_find_dotted, _read_numeric)


@dataclass(frozen=True, slots=True)
class Earliest:
    """Of several patterns, the date that starts first in the string (so a trailing "Last updated"
    date is ignored); on a tie the pattern listed first wins."""

    patterns: tuple[Pattern, ...]

    def __call__(self, sub: Subject) -> Verdict:
        best: re.Match[str] | None = None
        reader = None
        for pattern in self.patterns:
            m = pattern.find(sub.text)
            if m is not None and (best is None or m.start() < best.start()):
                best, reader = m, pattern.read
        if best is None or reader is None:
            return NOT_FOUND
        return reader(best, sub)


@dataclass(frozen=True, slots=True)
class Recogniser:
    """One row of :data:`RECOGNISERS`: a recogniser and the calendars it runs for."""

    name: str
    calendars: frozenset[Calendar]
    recognise: Recognise


_JALALI_CALENDARS: Final[frozenset[Calendar]] = frozenset({"auto", "jalali"})
_GREGORIAN_CALENDARS: Final[frozenset[Calendar]] = frozenset({"auto", "gregorian"})

#: The recognisers, in the order parse_date tries them; the first verdict that is not NOT_FOUND is
#: the answer. The order is the precedence: a Jalali date wins over a Gregorian one in the same
#: string (tabnak's ``۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014``), RFC 822 must match the whole string.
RECOGNISERS: Final[tuple[Recogniser, ...]] = (
    Recogniser("profile strptime formats", _GREGORIAN_CALENDARS, profile_formats),
    Recogniser("Jalali with a month name", _JALALI_CALENDARS, jalali_month_name),
    Recogniser("numeric Jalali", frozenset({"auto"}), NumericJalali(two_digit_needs_context=True)),
    Recogniser(
        "numeric Jalali", frozenset({"jalali"}), NumericJalali(two_digit_needs_context=False)
    ),
    Recogniser("RFC 822", _GREGORIAN_CALENDARS, rfc822),
    Recogniser(
        "first Gregorian date: English month name, numeric (ISO 8601) or dotted day first",
        _GREGORIAN_CALENDARS,
        Earliest((english_month_name, numeric_gregorian, dotted_day_first)),
    ),
)

# The table of each calendar, built once.
_TABLES: Final[dict[str, tuple[Recognise, ...]]] = {
    cal: tuple(r.recognise for r in RECOGNISERS if cal in r.calendars) for cal in CALENDARS
}


def parse_date(
    raw: str | None,
    tz: str | ZoneInfo,
    *,
    formats: Sequence[str] = (),
    calendar: Calendar = "auto",
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
    table = _TABLES.get(calendar)
    if table is None:
        raise ValueError(f"calendar must be one of {sorted(CALENDARS)}, not {calendar!r}")
    zone = tz if isinstance(tz, ZoneInfo) else _zone(tz)
    if not isinstance(raw, str) or not raw:
        return None
    text = _normalise(raw)
    if not text:
        return None
    sub = Subject(text, raw, zone, formats, text.isascii())
    for recognise in table:
        verdict = recognise(sub)
        if verdict is not NOT_FOUND:
            return verdict
    return None
