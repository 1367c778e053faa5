"""Generic extraction on real pages, side by side: ``python -m bench.extraction``.

Issue 14's benchmark. It reads the fundus development set (``../shared/eval/fundus`` from the
project root, or ``--data DIR``: ``pages/<key>.html.gz`` and ``truth.jsonl``; see its README) and
scores, in one run:

- ``newscrawl generic``: newscrawl's generic path, through the one extraction function
  (``newscrawl.pages.extraction.extract_article``) with the generic profile ``newscrawl extract``
  builds for a saved page (``cli.extract.generic_profile``: the page's canonical or og:url, its
  ``<html lang>``, the time zone ``--tz``, default UTC as the command's), so the date finder and
  the clean step are included. A page the clean step drops, or that is "not an article", counts
  as title wrong, body empty and date missing;
- ``trafilatura default``: ``trafilatura.bare_extraction(html_bytes, url=..., with_metadata=True)``;
- ``trafilatura favor_precision``: the same with ``favor_precision=True``;
- ``htmldate``: ``htmldate.find_date(html_bytes, url=..., original_date=True)`` asking for a time.

Metrics, the same for every system:

- title: exact match after Unicode NFC and whitespace collapsing (``" ".join(s.split())``);
  case, quotes and punctuation count;
- body: F1 on 4-token shingles (multisets), per page, macro-averaged over the pages. Expected =
  the truth's ``summary`` paragraphs then its ``paragraphs`` (the standfirst is article text, as in
  the public benchmarks that score the whole body). Tokens are runs of word characters; a Han or
  kana character is a token of its own (Japanese and Chinese have no spaces). Empty output: F1 0;
- date: ``right day`` (the system's date, read in the truth's own offset when it gives a time,
  is the truth's day there), ``right instant`` (within 60 s; only a system that gives a time with
  an offset can have it), ``wrong``, ``missing``. A time without an offset, or htmldate's
  ``00:00:00`` with none, is taken as a date only.

``--variants`` also runs newscrawl's generic path with other trafilatura settings
(``newscrawl.pages.generic.OPTIONS``). ``--write`` writes the tables to
``bench/profiles/extraction.md`` (included in ``bench/RESULTS.md``). Nothing of the set is copied
into the repository: only the scores are written.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import logging
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import htmldate
import trafilatura

from newscrawl.cli.extract import generic_profile
from newscrawl.clock import utc_now_iso
from newscrawl.pages import generic
from newscrawl.pages.extraction import extract_article, saved_page

LOG = logging.getLogger("bench.extraction")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "fundus"
OUTPUT = ROOT / "bench" / "profiles" / "extraction.md"
SHINGLE = 4
INSTANT_TOLERANCE = timedelta(seconds=60)
#: The URL given for a page that names none (``newscrawl extract`` would need ``--url``).
NO_URL = "https://unknown.invalid/article"

_TOKEN_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


@dataclass(frozen=True, slots=True)
class Page:
    key: str
    url: str | None
    html: bytes
    title: str
    body: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Output:
    """What a system gave for one page (None: it gave nothing)."""

    title: str | None = None
    body: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Score:
    pages: int = 0
    titles: int = 0
    f1: float = 0.0
    right_day: int = 0
    right_instant: int = 0
    wrong: int = 0
    missing: int = 0
    seconds: float = 0.0

    def add(self, page: Page, out: Output) -> None:
        self.pages += 1
        self.titles += bool(out.title) and norm_title(out.title or "") == norm_title(page.title)
        self.f1 += body_f1(page.body, out.body or "")
        verdict = date_verdict(page.published, out.date)
        if verdict == "missing":
            self.missing += 1
        elif verdict == "wrong":
            self.wrong += 1
        else:
            self.right_day += 1
            self.right_instant += verdict == "instant"


def norm_title(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(unicodedata.normalize("NFC", text))


def shingles(text: str) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def body_f1(expected: str, got: str) -> float:
    truth, found = shingles(expected), shingles(got)
    if not truth or not found:
        return float(not truth and not found)
    common = sum((truth & found).values())
    precision, recall = common / sum(found.values()), common / sum(truth.values())
    return 2 * precision * recall / (precision + recall) if common else 0.0


def date_verdict(truth: datetime, found: str | None) -> str:
    """``missing``, ``wrong``, ``day`` or ``instant`` (see the module's docstring)."""
    if not found:
        return "missing"
    text = found.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return "wrong"
    has_time = len(text) > 10 and value.tzinfo is not None
    if truth.tzinfo is None:
        # A truth without an offset is the page's wall clock: compare the system's own.
        value = value.replace(tzinfo=None)
        has_time = has_time and truth.time() != datetime.min.time()
    if has_time and abs(value - truth) <= INSTANT_TOLERANCE:
        return "instant"
    if has_time and truth.tzinfo is not None:
        value = value.astimezone(truth.tzinfo)
    return "day" if value.date() == truth.date() else "wrong"


def load(data: Path) -> list[Page]:
    pages = []
    for line in (data / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        body = "\n\n".join([*row["summary"], *row["paragraphs"]])
        pages.append(
            Page(
                key=row["key"],
                url=row.get("url") or None,
                html=gzip.decompress((data / "pages" / f"{row['key']}.html.gz").read_bytes()),
                title=row["title"],
                body=body,
                published=datetime.fromisoformat(row["published_at"]),
            )
        )
    return pages


# -- the systems -----------------------------------------------------------------------------


def newscrawl_generic(timezone: str) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        declared = saved_page(page.html)
        url = page.url or declared.url or NO_URL
        profile = generic_profile(url, declared.lang, timezone)
        origin = "/".join(url.split("/")[:3])
        found = extract_article(profile, origin, url, page.html, None, utc_now_iso())
        item = found.item
        if item is None:
            return Output()
        return Output(title=item.title, body=item.body, date=item.published_at)

    return run


def bare_trafilatura(**options: Any) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        document = trafilatura.bare_extraction(
            page.html, url=page.url, with_metadata=True, **options
        )
        if not isinstance(document, trafilatura.settings.Document):
            return Output()
        return Output(title=document.title, body=document.text, date=document.date)

    return run


def bare_htmldate(page: Page) -> Output:
    found = htmldate.find_date(
        page.html, url=page.url, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S%z"
    )
    if found and found.endswith("T00:00:00"):
        found = found[:10]  # htmldate's midnight without an offset: a date only
    return Output(date=found)


def score(system: Callable[[Page], Output], pages: list[Page]) -> Score:
    result = Score()
    started = time.perf_counter()
    for page in pages:
        try:
            out = system(page)
        except Exception as exc:  # noqa: BLE001 (a failing page counts as nothing found, named)
            LOG.warning("%s: %s: %r", page.key, page.url, exc)
            out = Output()
        result.add(page, out)
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def with_options(options: generic.Options) -> Iterator[None]:
    saved = generic.OPTIONS
    generic.OPTIONS = options
    try:
        yield
    finally:
        generic.OPTIONS = saved


# -- the report ------------------------------------------------------------------------------


def pct(count: int, total: int) -> str:
    return f"{100 * count / total:.1f} %" if total else "-"


def table(rows: list[tuple[str, Score]]) -> list[str]:
    lines = [
        "| system | title exact | body F1 | date right day | right instant | wrong | missing | s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in rows:
        lines.append(
            f"| {name} | {pct(s.titles, s.pages)} | {s.f1 / s.pages:.4f} | "
            f"{pct(s.right_day, s.pages)} ({s.right_day}) | {s.right_instant} | {s.wrong} | "
            f"{s.missing} | {s.seconds:.0f} |"
        )
    return lines


VARIANTS = (
    ("as shipped", generic.Options()),
    ("our lxml tree", dataclasses.replace(generic.Options(), reparse=False)),
    ("no tables", dataclasses.replace(generic.Options(), include_tables=False)),
    ("favor_precision", dataclasses.replace(generic.Options(), favor_precision=True)),
    (
        "before issue 14: tree, no tables, favor_precision",
        generic.Options(favor_precision=True, include_tables=False, reparse=False),
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.extraction", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"the set (default {DEFAULT_DATA})"
    )
    parser.add_argument(
        "--tz", default="UTC", help="newscrawl's generic profile's zone (default UTC)"
    )
    parser.add_argument(
        "--variants", action="store_true", help="also newscrawl with other trafilatura settings"
    )
    parser.add_argument("--limit", type=int, default=0, help="the first N pages only")
    parser.add_argument(
        "--write", action="store_true", help=f"write the tables to {OUTPUT.relative_to(ROOT)}"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    for noisy in ("trafilatura", "htmldate", "newscrawl", "courlan"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    if not (args.data / "truth.jsonl").is_file():
        print(f"bench.extraction: skipped, no evaluation set at {args.data} (truth.jsonl missing)")
        return 0
    pages = load(args.data)
    if args.limit:
        pages = pages[: args.limit]
    rows = [
        ("newscrawl generic", score(newscrawl_generic(args.tz), pages)),
        ("trafilatura default", score(bare_trafilatura(), pages)),
        ("trafilatura favor_precision", score(bare_trafilatura(favor_precision=True), pages)),
        ("htmldate", score(bare_htmldate, pages)),
    ]
    command = "python -m bench.extraction" + (" --variants" if args.variants else "")
    lines = [
        "## Generic extraction on real pages (fundus)",
        "",
        (
            f"`{command}`, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: {len(pages)} pages of "
            f"`{args.data.name}`; newscrawl {version('newscrawl')}, trafilatura {version('trafilatura')}, "
            f"htmldate {version('htmldate')}, lxml {version('lxml')}; newscrawl's zone {args.tz}."
        ),
        "",
        *table(rows),
        "",
        (
            "Title: exact match after NFC and whitespace collapsing. Body: F1 of 4-token shingles "
            "(expected: summary + paragraphs), macro-averaged. Date: right day in the truth's offset; "
            "right instant within 60 s (only for a time with an offset); trafilatura gives a day only. "
            "A page newscrawl drops counts as title wrong, body empty, date missing. `s`: seconds."
        ),
    ]
    if args.variants:
        variant_rows = []
        for name, options in VARIANTS:
            with with_options(options):
                variant_rows.append(
                    (f"newscrawl, {name}", score(newscrawl_generic(args.tz), pages))
                )
        lines += [
            "",
            "### newscrawl's generic path with other trafilatura settings",
            "",
            *table(variant_rows),
        ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"written to {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
