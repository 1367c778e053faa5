"""How the near-duplicate index's cost grows with the archive: ``python -m bench.neardup_growth``.

Writes the ict_en replica's articles (title, lead and body as the generator makes them; no raw
captures) into a fresh SQLite database in batches, as the persist pipeline does: ``save_articles``
then ``link_near_duplicates`` in one transaction per batch. For each slice of the archive it prints
the CPU per article of both calls and how many stored articles the batch's LSH look-up returned
as candidates (articles sharing at least one band with an article of the batch): the look-up reads
every candidate's signature, so its cost follows that number.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from newscrawl.db.models import LshBand
from newscrawl.db.neardup import DEFAULT_THRESHOLD, link_near_duplicates
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.db.store import save_articles
from newscrawl.extract.article import content_hash
from newscrawl.items import Article
from newscrawl_replica.generate import generate_site


@dataclass
class Slice:
    upto: int  # articles stored after the slice
    store_ms: float  # per article
    neardup_ms: float  # per article
    candidates: float  # stored candidates per batch (mean)
    linked: int  # articles linked as near-duplicates in the slice


def records(articles: int) -> list[Article]:
    """The replica's ict_en articles as the persist pipeline hands them to ``save_articles``."""
    site = generate_site("ict_en", articles, 0)
    out = []
    for art in reversed(site.articles):  # oldest first, as a first crawl of the archive would store
        item = Article(
            url=f"https://www.ict.gov.ir{art.path}", canonical_url=f"https://www.ict.gov.ir/en/news/{art.id}",
            site="ict.gov.ir", lang="en", source_id=str(art.id), title=art.title, lead=art.lead,
            body="\n\n".join(art.paragraphs), tags=list(art.tags), published_raw=art.date_raw,
            fetched_at="2026-01-01T00:00:00Z",
        )  # fmt: skip
        item.content_hash = content_hash(item)
        out.append(item)
    return out


def measure(articles: int, batch_size: int = 200, slices: int = 4, workdir: Path | None = None) -> list[Slice]:
    data = records(articles)
    with tempfile.TemporaryDirectory(prefix="neardup-growth-", dir=workdir) as tmp:
        engine = make_engine(f"sqlite:///{tmp}/growth.sqlite3")
        try:
            ensure_schema(engine)
            sessions = make_sessionmaker(engine)
            per_slice = max(batch_size, len(data) // slices // batch_size * batch_size)
            out: list[Slice] = []
            store = near = 0.0
            cands: list[int] = []
            linked = 0
            clock = time.process_time
            for start in range(0, len(data), batch_size):
                batch = data[start : start + batch_size]
                with sessions.begin() as session:
                    t0 = clock()
                    result = save_articles(session, batch)
                    t1 = clock()
                    keys = {
                        key for r in result.revisions
                        for key in _bands(r.title, r.lead, r.body)
                    }  # fmt: skip
                    cands.append(_candidates(session, keys))
                    t2 = clock()
                    links = link_near_duplicates(session, result.revisions, threshold=DEFAULT_THRESHOLD)
                    t3 = clock()
                store += t1 - t0
                near += t3 - t2
                linked += links.linked
                done = start + len(batch)
                if done % per_slice == 0 or done == len(data):
                    n = len(cands) * batch_size
                    out.append(Slice(done, 1000 * store / n, 1000 * near / n, statistics.mean(cands), linked))
                    store = near = 0.0
                    cands = []
                    linked = 0
            return out
        finally:
            engine.dispose()


def _bands(title: str, lead: str | None, body: str) -> tuple[str, ...]:
    from newscrawl.extract.neardup import fingerprint

    fp = fingerprint(title, lead, body)
    return fp.bands if fp else ()


def _candidates(session: Any, keys: set[str]) -> int:
    """Distinct stored articles sharing a band with the batch (what ``_decide`` reads)."""
    total: set[int] = set()
    ordered = sorted(keys)
    for i in range(0, len(ordered), 900):
        rows = session.execute(
            select(LshBand.article_id).where(LshBand.band_key.in_(ordered[i : i + 900])).distinct()
        )
        total.update(row[0] for row in rows)
    return len(total)


def render(slices: list[Slice], batch_size: int) -> str:
    lines = [
        f"{'articles stored':>16} {'save_articles':>14} {'link_near_duplicates':>21} {'candidates/batch':>17} {'linked':>7}",
    ]
    lines += [
        f"{s.upto:>16,} {s.store_ms:>11.3f} ms {s.neardup_ms:>18.3f} ms {s.candidates:>17,.0f} {s.linked:>7,}"
        for s in slices
    ]
    lines.append(f"(ms of CPU per article, batches of {batch_size}, SQLite, no raw captures)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--articles", type=int, default=20_000)
    cli.add_argument("--batch-size", type=int, default=200)
    cli.add_argument("--slices", type=int, default=4)
    args = cli.parse_args(argv)
    print(render(measure(args.articles, args.batch_size, args.slices), args.batch_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
