"""parse_date reads back what the replica's date formatter prints, over many generated instants.

The expected value is the generating wall time itself, attached to the zone with zoneinfo; the
formatter's Jalali dates (jdatetime) are first checked against convertdate, so the expectation does
not rest on the converter the parser uses. Impossible variants (a day past the month's end, by
convertdate's month lengths) must give None.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from convertdate import persian

from newscrawl.extract.dates import parse_date
from newscrawl_replica import datefmt

ZONES = ("Asia/Tehran", "Asia/Kabul", "UTC")
WALL_FORMATS = (datefmt.en_ict, datefmt.en_msrt, datefmt.fa_short, datefmt.fa_long)
DAY_FORMATS = (datefmt.en_long_day, datefmt.fa_day, datefmt.dari_day)
RNG_SEED = 20171205


def _instants(n: int) -> list[tuple[datetime, str]]:
    rng = random.Random(RNG_SEED)
    start = datetime(1990, 1, 1)
    span = 60 * 24 * 365 * 40
    return [(start + timedelta(minutes=rng.randrange(span)), rng.choice(ZONES)) for _ in range(n)]


CASES = _instants(120)


def test_formatter_jalali_agrees_with_convertdate() -> None:
    for w, _ in CASES[:15]:  # convertdate is slow (astronomical); a sample is enough
        assert persian.to_gregorian(*datefmt.jalali(w)[:3]) == (w.year, w.month, w.day)


def test_wall_times_round_trip() -> None:
    for when, zone in CASES:
        expected = when.replace(tzinfo=ZoneInfo(zone)).isoformat()
        texts = [fmt(when) for fmt in WALL_FORMATS]
        texts += [datefmt.dari_numeric(when), datefmt.arabic_letters(datefmt.fa_short(when))]
        texts += [datefmt.ar_digits(datefmt.en_ict(when)), f"{datefmt.RLM}{texts[3]}{datefmt.RLM}"]
        for text in texts:
            got = parse_date(text, zone)
            assert got is not None and got.isoformat() == expected, (text, zone)


def test_days_round_trip() -> None:
    for when, zone in CASES:
        for fmt in DAY_FORMATS:
            got = parse_date(fmt(when.date()), zone)
            assert got is not None and got.isoformat() == when.date().isoformat(), fmt(when)


def test_instants_round_trip() -> None:
    for when, zone in CASES:
        utc = when.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        expected_utc = utc.replace(tzinfo=None).isoformat() + "Z"
        for text in (datefmt.rfc822(when, zone), datefmt.w3c(when, zone), datefmt.http_date(utc)):
            got = parse_date(text, "Asia/Tehran")
            assert got is not None and got.utc_isoformat() == expected_utc, text
            assert got.isoformat() == utc.astimezone(ZoneInfo("Asia/Tehran")).isoformat()


def test_day_after_the_jalali_month_end_is_none() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(12):
        year, month = rng.randrange(1370, 1420), rng.randrange(1, 13)
        last = persian.month_length(year, month)
        name = datefmt.FA_MONTHS[month - 1]
        gy, gm, gd = persian.to_gregorian(year, month, last)
        for text in (f"{last} {name} {year}", f"{year}/{month:02d}/{last:02d}"):
            got = parse_date(text, "Asia/Tehran")
            assert got is not None and got.isoformat() == f"{gy:04d}-{gm:02d}-{gd:02d}", text
        for text in (f"{last + 1} {name} {year}", f"{year}/{month:02d}/{last + 1:02d}"):
            assert parse_date(text, "Asia/Tehran") is None, text
