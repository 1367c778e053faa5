"""Benchmark: newscrawl's parse_date against dateparser.parse on the date formats the sites ship.

Run from the repository root with either of::

    .venv/bin/python -m bench.bench_dates
    .venv/bin/python bench/bench_dates.py [--quick]

dateparser is a bench-only dependency (``pip install dateparser``); the package never imports it.
For every string both parsers are timed with ``time.perf_counter`` loops after a warm-up; the figure
is the median over several repeats, in microseconds per call. The script also checks both results
against the known instants (from the research notes, not from either parser) and prints how many
each got right: dateparser handles the English strings but not the Jalali ones, which are timed for
ours only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from newscrawl.extract.dates import parse_date

TZ = "Asia/Tehran"
DATEPARSER_SETTINGS = {"TIMEZONE": TZ, "RETURN_AS_TIMEZONE_AWARE": True}

# (string, the correct UTC instant "…Z", or the calendar day "YYYY-MM-DD" for a date-only string)
ENGLISH: list[tuple[str, str]] = [
    ("Dec 5, 2017 21:27", "2017-12-05T17:57:00Z"),  # ict.gov.ir
    ("Apr 6, 2010 09:04", "2010-04-06T04:34:00Z"),  # ict.gov.ir, Tehran DST (+04:30)
    ("21 March 2019 | 00:00", "2019-03-20T20:30:00Z"),  # msrt.ir
    ("30 April 2019 - 19:19", "2019-04-30T14:49:00Z"),  # en.mehrnews.com
    ("Jan 17, 2023, 1:36 PM", "2023-01-17T10:06:00Z"),  # en.irna.ir
    ("Wednesday, April 18, 2012", "2012-04-18"),  # bakhtarnews
    ("Tue, 05 Dec 2017 18:27:00 GMT", "2017-12-05T18:27:00Z"),  # RSS pubDate
    ("Tue, 05 Dec 2017 21:27:00 +0330", "2017-12-05T17:57:00Z"),  # RSS pubDate
]
JALALI: list[tuple[str, str]] = [
    ("۱۴ آذر ۱۳۹۶ - ۲۱:۲۷", "2017-12-05T17:57:00Z"),
    ("۱۴ آذر ۱۳۹۶، ۲۱:۲۷", "2017-12-05T17:57:00Z"),
    ("سه\u200cشنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷", "2017-12-05T17:57:00Z"),
    ("۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸ 02 May 2014", "2014-05-02T18:48:00Z"),
    ("سه\u200cشنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵", "2025-02-18T07:25:00Z"),
    ("1396/09/14 21:27", "2017-12-05T17:57:00Z"),
    ("۲۸ فروردین ۱۴۰۱", "2022-04-17"),
]


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def ours(raw: str) -> str | None:
    parsed = parse_date(raw, TZ)
    if parsed is None:
        return None
    return parsed.utc_isoformat() or parsed.isoformat()


def theirs_as(expected: str, value: datetime | None) -> str | None:
    """dateparser's answer in the form of ``expected`` (midnight stands for a date-only string)."""
    if value is None:
        return None
    if "T" not in expected:
        return value.date().isoformat()
    return _utc(value)


def time_call(fn: Callable[[], Any], number: int, repeat: int) -> float:
    """Median µs per call of ``fn`` over ``repeat`` loops of ``number`` calls, after a warm-up."""
    for _ in range(max(3, number // 10)):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    opts = cli.parse_args(argv)
    try:
        import dateparser  # bench-only dependency
    except ImportError:
        print("dateparser is not installed: .venv/bin/pip install dateparser", file=sys.stderr)
        return 1

    repeat = 3 if opts.quick else 7
    n_ours = 2_000 if opts.quick else 20_000
    n_theirs = 20 if opts.quick else 200

    def dp(raw: str, **kwargs: Any) -> datetime | None:
        result: datetime | None = dateparser.parse(raw, settings=DATEPARSER_SETTINGS, **kwargs)
        return result

    print(f"Python {sys.version.split()[0]}, dateparser {dateparser.__version__}, zone {TZ}")
    print(
        f"median of {repeat} repeats; {n_ours} calls/loop for parse_date, {n_theirs} for dateparser"
    )
    print()
    header = (
        f"{'string':40} {'parse_date':>11} {'dateparser':>11} {'(en only)':>11} {'ratio':>7}  ok"
    )
    print(header)
    print("-" * len(header))

    ours_all: list[float] = []
    theirs_all: list[float] = []
    ours_right = theirs_right = theirs_en_right = 0
    for raw, expected in ENGLISH:
        t_ours = time_call(partial(parse_date, raw, TZ), n_ours, repeat)
        t_dp = time_call(partial(dp, raw), n_theirs, repeat)
        t_dp_en = time_call(partial(dp, raw, languages=["en"]), n_theirs, repeat)
        ok_ours = ours(raw) == expected
        ok_dp = theirs_as(expected, dp(raw)) == expected
        ok_dp_en = theirs_as(expected, dp(raw, languages=["en"])) == expected
        ours_right += ok_ours
        theirs_right += ok_dp
        theirs_en_right += ok_dp_en
        ours_all.append(t_ours)
        theirs_all.append(t_dp)
        marks = f"{'Y' if ok_ours else 'N'}/{'Y' if ok_dp else 'N'}"
        ratio = t_dp / t_ours
        print(f"{raw:40} {t_ours:9.2f}µs {t_dp:9.1f}µs {t_dp_en:9.1f}µs {ratio:6.0f}x  {marks}")
    mean_ours = statistics.mean(ours_all)
    mean_theirs = statistics.mean(theirs_all)
    print("-" * len(header))
    print(
        f"{'mean (English)':40} {mean_ours:9.2f}µs {mean_theirs:9.1f}µs {'':>11} "
        f"{mean_theirs / mean_ours:6.0f}x"
    )
    t_fmt = time_call(
        lambda: parse_date("Dec 5, 2017 21:27", TZ, formats=("%b %d, %Y %H:%M",)), n_ours, repeat
    )
    print(f"{'Dec 5, 2017 21:27 via profile strptime':40} {t_fmt:9.2f}µs")
    print(
        f"correct on English: parse_date {ours_right}/{len(ENGLISH)}, dateparser {theirs_right}/"
        f"{len(ENGLISH)} (languages=['en']: {theirs_en_right}/{len(ENGLISH)})"
    )

    print()
    print(f"{'Jalali string':40} {'parse_date':>11}  ok  dateparser result")
    jal_ours_right = jal_theirs_right = 0
    jal_times: list[float] = []
    for raw, expected in JALALI:
        t_ours = time_call(partial(parse_date, raw, TZ), n_ours, repeat)
        jal_times.append(t_ours)
        ok_ours = ours(raw) == expected
        got = dp(raw)
        ok_dp = theirs_as(expected, got) == expected
        jal_ours_right += ok_ours
        jal_theirs_right += ok_dp
        shown = "None" if got is None else got.isoformat()
        verdict = " (right)" if ok_dp else "" if got is None else " (WRONG)"
        print(f"{raw:40} {t_ours:9.2f}µs  {'Y' if ok_ours else 'N'}   {shown}{verdict}")
    print(f"{'mean (Jalali)':40} {statistics.mean(jal_times):9.2f}µs")
    print(
        f"correct on Jalali: parse_date {jal_ours_right}/{len(JALALI)}, "
        f"dateparser {jal_theirs_right}/{len(JALALI)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
