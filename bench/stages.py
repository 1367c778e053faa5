"""CPU cost of each newscrawl stage per article, measured offline on saved replica pages.

The pages are fetched once from a running replica (plain HTTP, no Scrapy); then each stage runs
over all of them, in the crawl's order, timed with ``time.process_time`` (CPU of this process,
so a busy machine inflates the figures less than wall time would). Every stage is timed over
``repeat`` fresh passes and the median is kept:

- ``decode``: :func:`newscrawl.extract.encoding.decode_html` of the response body;
- ``extract``: ``ArticlePage(url, html, profile, base)``, the spider's field check and
  ``to_item`` (the parse with parsel/lxml and the CSS queries; shown split as ``parse`` and
  ``fields``);
- ``clean``: :func:`newscrawl.extract.article.clean_article`;
- ``dates``: :func:`newscrawl.extract.article.date_article`;
- ``dedup``: :func:`newscrawl.extract.article.content_hash`;
- ``persist``: :func:`newscrawl.db.store.save_articles` in batches of ``batch_size`` into a fresh
  SQLite (and PostgreSQL) database, one transaction per batch as the persist pipeline does, with
  ``link_near_duplicates`` (MinHash) in the same transaction; shown split as ``store``
  (of which ``capture compress``: compressing the response body), ``neardup`` and ``commit``.
"""

from __future__ import annotations

import functools
import statistics
import time
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.db.compression import CAPTURE_ZSTD_LEVEL, compress_body, zstd
from newscrawl.db.neardup import DEFAULT_THRESHOLD, link_near_duplicates
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.db.store import save_articles
from newscrawl.extract.article import clean_article, content_hash, date_article
from newscrawl.extract.encoding import decode_html
from newscrawl.items import Article, RawCapture
from newscrawl.pages import ArticlePage
from newscrawl.profiles import profile_by_name
from newscrawl_replica.generate import generate_site

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
FETCHED_AT = "2026-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class SavedPage:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def fetch_sample(base_url: str, articles: int, sample: int, seed: int = 0) -> list[SavedPage]:
    """``sample`` article pages of the ict_en replica at ``base_url``, spread over the listing."""
    site = generate_site("ict_en", articles, seed)
    live = [a for a in site.articles if not {"gone", "flaky"} & set(a.flags)]
    step = max(1, len(live) // sample)
    pages = []
    for art in live[::step][:sample]:
        url = base_url + art.path
        with _NO_PROXY.open(url, timeout=30) as response:
            headers = dict(response.headers.items())
            pages.append(SavedPage(url, response.status, headers, response.read()))
    return pages


@dataclass
class StageTimes:
    """Median CPU ms per article of each stage (and the sub-stages shown in brackets)."""

    pages: int
    repeat: int
    batch_size: int
    mean_page_kb: float
    ms: dict[str, float] = field(default_factory=dict)
    pg_ms: dict[str, float] = field(default_factory=dict)
    #: other choices the persist stage could make, measured the same way (ms/article unless named)
    whatif: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _timed(fn: Callable[[], None]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def _extract(pages: Sequence[SavedPage], base_url: str) -> tuple[list[Article], float, float, float]:
    """(items, decode s, parse s, fields s) — the spider's parse_article without Scrapy."""
    profile = profile_by_name("ict_en")
    items: list[Article] = []
    t_decode = t_parse = t_fields = 0.0
    clock = time.process_time
    for page in pages:
        t0 = clock()
        encoding, html = decode_html(page.body, page.headers.get("Content-Type"))
        t1 = clock()
        article = ArticlePage(page.url, html, profile, base_url)
        t2 = clock()
        # the field check of extract_article, then to_item
        for value in (article.title, article.paragraphs, article.published_raw):
            bool(value)
        item = article.to_item(fetched_at=FETCHED_AT)
        article.lang_mismatch()
        item.capture = RawCapture(page.url, page.status, dict(page.headers), page.body, encoding)
        t3 = clock()
        items.append(item)
        t_decode += t1 - t0
        t_parse += t2 - t1
        t_fields += t3 - t2
    return items, t_decode, t_parse, t_fields


def _persist(database_url: str, records: list[Article], batch_size: int,
             neardup: bool = True) -> dict[str, float]:  # fmt: skip
    """CPU seconds of writing ``records`` as the persist pipeline does: store, neardup, commit."""
    engine = make_engine(database_url)
    try:
        ensure_schema(engine)
        sessions = make_sessionmaker(engine)
        store = near = commit = 0.0
        clock = time.process_time
        for start in range(0, len(records), batch_size):
            batch = records[start : start + batch_size]
            session = sessions()
            try:
                t0 = clock()
                with session.begin():
                    result = save_articles(session, batch)
                    t1 = clock()
                    if neardup and result.revisions:
                        link_near_duplicates(session, result.revisions, threshold=DEFAULT_THRESHOLD)
                    t2 = clock()
                t3 = clock()
            finally:
                session.close()
            store += t1 - t0
            near += t2 - t1
            commit += t3 - t2
        return {"store": store, "neardup": near, "commit": commit}
    finally:
        engine.dispose()


def measure(pages: Sequence[SavedPage], base_url: str, workdir: Path, *, repeat: int = 3,
            batch_size: int = 200, pg_url_factory: Callable[[], str] | None = None,
            pg_drop: Callable[[str], None] | None = None) -> StageTimes:  # fmt: skip
    """Time every stage over ``pages``; ``pg_url_factory`` adds the persist stage on PostgreSQL."""
    profile = profile_by_name("ict_en")
    n = len(pages)
    samples: dict[str, list[float]] = {}
    pg_samples: dict[str, list[float]] = {}

    def add(table: dict[str, list[float]], name: str, seconds: float) -> None:
        table.setdefault(name, []).append(1000 * seconds / n)

    for rep in range(repeat):
        items, t_decode, t_parse, t_fields = _extract(pages, base_url)
        add(samples, "decode", t_decode)
        add(samples, "parse", t_parse)
        add(samples, "fields", t_fields)
        add(samples, "extract", t_decode + t_parse + t_fields)
        add(samples, "clean", _timed(lambda items=items: [clean_article(i, profile) for i in items]))
        add(samples, "dates", _timed(lambda items=items: [date_article(i, profile) for i in items]))

        def hash_all(items: list[Article] = items) -> None:
            for item in items:
                item.content_hash = content_hash(item)

        add(samples, "dedup", _timed(hash_all))
        records = items  # save_articles takes the Articles themselves, as the writer does
        add(samples, "capture compress", _timed(
            lambda: [compress_body(p.body) for p in pages]))  # fmt: skip
        db = workdir / f"stages-{rep}.sqlite3"
        db.unlink(missing_ok=True)
        parts = _persist(f"sqlite:///{db}", records, batch_size)
        for name, seconds in parts.items():
            add(samples, name, seconds)
        add(samples, "persist", sum(parts.values()))
        if pg_url_factory is not None and rep == 0:
            url = pg_url_factory()
            try:
                parts = _persist(url, records, batch_size)
            finally:
                if pg_drop is not None:
                    pg_drop(url)
            for name, seconds in parts.items():
                add(pg_samples, name, seconds)
            add(pg_samples, "persist", sum(parts.values()))
    whatif = _whatif(pages, records, workdir, batch_size)
    ms = {name: statistics.median(values) for name, values in samples.items()}
    ms["total"] = sum(ms[name] for name in ("extract", "clean", "dates", "dedup", "persist"))
    pg_ms = {name: statistics.median(values) for name, values in pg_samples.items()}
    return StageTimes(
        pages=n,
        repeat=repeat,
        batch_size=batch_size,
        mean_page_kb=sum(len(p.body) for p in pages) / n / 1024,
        ms=ms,
        pg_ms=pg_ms,
        whatif=whatif,
    )


def _whatif(pages: Sequence[SavedPage], records: list[Article], workdir: Path,
            batch_size: int) -> dict[str, float]:  # fmt: skip
    """The persist stage's main costs under other choices (one pass each, SQLite)."""
    from newscrawl.extract.neardup import fingerprint

    n = len(pages)
    out: dict[str, float] = {}
    raw = sum(len(p.body) for p in pages)
    codecs: list[tuple[str, Callable[[bytes], bytes]]] = [
        ("zlib level 4 (the codec before)", lambda body: zlib.compress(body, 4)),
        *((f"zstd level {level}", functools.partial(zstd.compress, level=level))
          for level in sorted({1, CAPTURE_ZSTD_LEVEL, 6})),
    ]  # fmt: skip
    for name, codec in codecs:
        compressed: list[bytes] = []

        def compress(codec: Callable[[bytes], bytes] = codec, into: list[bytes] = compressed) -> None:
            into.extend(codec(p.body) for p in pages)

        seconds = _timed(compress)
        out[f"capture {name}"] = 1000 * seconds / n
        out[f"capture {name} size %"] = 100 * sum(map(len, compressed)) / raw
    out["MinHash fingerprint only"] = 1000 * _timed(
        lambda: [fingerprint(r.title, r.lead, r.body) for r in records]) / n  # fmt: skip
    for size in sorted({batch_size, 1000}):
        db = workdir / f"whatif-{size}.sqlite3"
        db.unlink(missing_ok=True)
        parts = _persist(f"sqlite:///{db}", records, size)
        out[f"persist, batches of {size}"] = 1000 * sum(parts.values()) / n
    db = workdir / "whatif-noneardup.sqlite3"
    db.unlink(missing_ok=True)
    parts = _persist(f"sqlite:///{db}", records, batch_size, neardup=False)
    out[f"persist without near-duplicates, batches of {batch_size}"] = 1000 * sum(parts.values()) / n
    return out
