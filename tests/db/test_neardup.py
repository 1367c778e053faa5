"""The near-duplicate index (newscrawl.db.neardup) and its hook in the persist pipeline.

Records are written with ``save_articles`` on SQLite and PostgreSQL, as a crawl writes them;
their texts come from the replica's English generator, so they share vocabulary and templates.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from random import Random
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.models import Article, Fingerprint, LshBand
from newscrawl.db.neardup import LinkResult, link_near_duplicates
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.db.store import save_articles
from newscrawl.extract import neardup
from newscrawl.items import Article as ArticleItem
from newscrawl.pipelines.persist import PersistPipeline
from newscrawl_replica import text_en
from newscrawl_replica.textgen import between
from tests.helpers import ARCHIVE_ONLY, tombstone

pytestmark = pytest.mark.db


def story_text(seed: int) -> dict[str, str]:
    """Title, lead and body of a generated ICT article (same vocabulary for every seed)."""
    rng = Random(seed)
    st = text_en.story(rng, text_en.ICT, 2020)
    vocab = text_en.ICT
    title = text_en.title(rng, vocab, st)
    lead = text_en.lead(rng, vocab, st)
    body = "\n\n".join(text_en.paragraphs(rng, vocab, st, between(rng, 5, 9)))
    return {"title": title, "lead": lead, "body": body}


def copy_of(text: dict[str, str]) -> dict[str, str]:
    """The same press release on another site: dateline, another title suffix, footer lines."""
    paragraphs = text["body"].split("\n\n")
    paragraphs[0] = "TEHRAN (IRNA) -- " + paragraphs[0]
    paragraphs += ["Share: Facebook X Telegram", "© 2024 IRNA. All rights reserved."]
    return {
        "title": text["title"] + " | IRNA English",
        "lead": text["lead"],
        "body": "\n\n".join(paragraphs),
    }


def save(
    session_factory: sessionmaker[Session], *records: dict[str, Any], threshold: float = 0.5
) -> LinkResult:
    with session_factory.begin() as session:
        result = save_articles(session, list(records))
        return link_near_duplicates(session, result.revisions, threshold=threshold)


def links(session_factory: sessionmaker[Session]) -> dict[str, str | None]:
    """``{"site/source_id": "site/source_id" of the article it duplicates, or None}``."""
    with session_factory() as session:
        rows = session.execute(
            select(Article.id, Article.site, Article.source_id, Article.duplicate_of_id)
        ).all()
    names = {article_id: f"{site}/{source_id}" for article_id, site, source_id, _ in rows}
    return {
        f"{site}/{source_id}": names[target] if target is not None else None
        for _, site, source_id, target in rows
    }


def row_counts(session_factory: sessionmaker[Session]) -> tuple[int, int]:
    with session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Fingerprint)) or 0,
            session.scalar(select(func.count()).select_from(LshBand)) or 0,
        )


def test_copy_on_another_site_links_to_the_first_and_an_unrelated_one_does_not(
    session_factory, make_record
):
    original = story_text(1)
    save(session_factory, make_record("100", site="mfa", **original))
    result = save(
        session_factory,
        make_record("7", site="irna", **copy_of(original)),
        make_record("8", site="irna", **story_text(2)),
    )
    assert links(session_factory) == {"mfa/100": None, "irna/7": "mfa/100", "irna/8": None}
    assert (result.indexed, result.linked) == (2, 1)
    assert row_counts(session_factory) == (3, 3 * neardup.BANDS)


def test_copies_in_one_batch_link_to_the_lowest_id(session_factory, make_record):
    original = story_text(3)
    save(
        session_factory,
        make_record("1", site="mfa", **original),
        make_record("2", site="irna", **copy_of(original)),
        make_record("3", site="isna", **original),
    )
    assert links(session_factory) == {"mfa/1": None, "irna/2": "mfa/1", "isna/3": "mfa/1"}


def test_a_copy_of_a_duplicate_links_to_the_original(session_factory, make_record):
    original = story_text(4)
    copy = copy_of(original)
    save(session_factory, make_record("1", site="mfa", **original))
    save(session_factory, make_record("2", site="irna", **copy))
    # Close to the copy, not to the original (the copy's dateline and footer plus more).
    paragraphs = copy["body"].split("\n\n")
    paragraphs += ["Follow IRNA English on Telegram.", "Read more: ICT news from IRNA."] * 6
    closer = {**copy, "body": "\n\n".join(paragraphs)}
    save(session_factory, make_record("3", site="irna", **closer))
    assert links(session_factory)["irna/3"] == "mfa/1"


def test_unchanged_and_restored_content_is_not_fingerprinted_again(session_factory, make_record):
    original = story_text(5)
    record = make_record("1", site="mfa", **original)
    assert save(session_factory, record).indexed == 1
    with session_factory() as session:
        stored = session.scalars(select(Fingerprint.signature)).one()

    assert save(session_factory, record) == LinkResult()  # unchanged: no revision at all
    with session_factory.begin() as session:
        assert tombstone(
            session, "mfa", "en", "1", at=datetime(2024, 3, 2, tzinfo=UTC), status=404
        )
    assert save(session_factory, record).indexed == 0  # restored with the same content
    with session_factory() as session:
        assert session.scalars(select(Fingerprint.signature)).one() == stored
    assert row_counts(session_factory) == (1, neardup.BANDS)


def test_new_content_replaces_the_fingerprint_and_the_link(session_factory, make_record):
    original = story_text(6)
    save(session_factory, make_record("1", site="mfa", **original))
    save(session_factory, make_record("2", site="irna", **copy_of(original)))
    assert links(session_factory)["irna/2"] == "mfa/1"

    result = save(session_factory, make_record("2", site="irna", **story_text(7)))
    assert (result.indexed, result.linked) == (1, 0)
    assert links(session_factory)["irna/2"] is None
    assert row_counts(session_factory) == (2, 2 * neardup.BANDS)  # replaced, not added


def test_a_later_article_never_becomes_the_original(session_factory, make_record):
    original = story_text(8)
    save(session_factory, make_record("1", site="mfa", **story_text(9)))
    save(session_factory, make_record("2", site="irna", **original))
    # Article 1 now carries the text article 2 has: it is the older one, so it stays an original.
    save(session_factory, make_record("1", site="mfa", **copy_of(original)))
    assert links(session_factory) == {"mfa/1": None, "irna/2": None}


def test_threshold_must_be_a_similarity(session_factory):
    with session_factory.begin() as session, pytest.raises(ValueError, match="threshold"):
        link_near_duplicates(session, [], threshold=1.5)


def item(source_id: str, site: str, text: dict[str, str]) -> ArticleItem:
    return ArticleItem(
        url=f"https://{site}.example/news/{source_id}",
        canonical_url=f"https://{site}.example/news/{source_id}",
        site=site,
        lang="en",
        source_id=source_id,
        fetched_at="2024-03-01T10:00:00Z",
        content_hash=f"{site}-{source_id}-{len(text['body'])}",
        title=text["title"],
        lead=text["lead"],
        body=text["body"],
    )


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-process"])
@pytest.mark.parametrize("enabled", [True, False])
def test_persist_pipeline_links_near_duplicates_unless_disabled(db_url, enabled, writer_process):
    settings: dict[str, Any] = {
        "NEWSCRAWL_DATABASE_URL": db_url,
        "EXTENSIONS": ARCHIVE_ONLY,
        "NEWSCRAWL_DB_BATCH_SIZE": 2,
        "NEWSCRAWL_NEARDUP_ENABLED": enabled,
        "NEWSCRAWL_NEARDUP_THRESHOLD": 0.6,
        "NEWSCRAWL_DB_WRITER_PROCESS": writer_process,
        "NEWSCRAWL_WORKERS_START_AFTER": 0,
    }
    crawler = get_crawler(settings_dict=settings)
    pipeline = PersistPipeline.from_crawler(crawler)
    assert pipeline.neardup_threshold == (0.6 if enabled else None)
    original = story_text(10)

    async def crawl() -> None:
        pipeline.open_spider()
        for article in (
            item("1", "mfa", original),
            item("2", "irna", story_text(11)),
            item("3", "irna", copy_of(original)),
        ):
            await pipeline.process_item(article)
        await pipeline.close_spider()

    asyncio.run(crawl())
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            found = dict(session.execute(select(Article.source_id, Article.duplicate_of_id)).all())
            first = session.scalars(select(Article.id).where(Article.source_id == "1")).one()
    finally:
        engine.dispose()
    stats = crawler.stats
    assert stats is not None
    assert stats.get_value("newscrawl/persist/batches") == 2
    if enabled:
        assert found == {"1": None, "2": None, "3": first}
        assert stats.get_value("newscrawl/neardup/indexed") == 3
        assert stats.get_value("newscrawl/neardup/linked") == 1
    else:
        assert found == {"1": None, "2": None, "3": None}
        assert stats.get_value("newscrawl/neardup/indexed") is None


def test_the_band_lookup_is_an_index_search(engine, session_factory, make_record):
    """The candidates come from the band_key index, not from a scan of the archive."""
    save(session_factory, *(make_record(str(n), **story_text(n)) for n in range(20)))
    probe = neardup.fingerprint_text("any text at all, fingerprinted")
    assert probe is not None
    keys = list(probe.bands)
    lookup = select(LshBand.band_key, LshBand.article_id).where(LshBand.band_key.in_(keys))
    sql = str(lookup.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
            )
            assert "ix_lsh_bands_band_key" in plan and "SCAN lsh_bands" not in plan, plan
        else:
            # The table is tiny, so the planner would rightly scan it; forbid that to see that
            # the index serves the query.
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
            assert "ix_lsh_bands_band_key" in plan and "Seq Scan" not in plan, plan


def per_pair_links(texts: list[dict[str, str]], threshold: float) -> list[int | None]:
    """The links the index gives, decided pair by pair (the path before the matrix compare).

    Article *i* (in order) is linked to the lowest earlier article sharing a band with it whose
    ``neardup.similarity`` is at least *threshold* and that is an original, else to the original
    of the lowest such duplicate.
    """
    fps = [neardup.fingerprint(t["title"], t["lead"], t["body"]) for t in texts]
    out: list[int | None] = []
    for i, fp in enumerate(fps):
        assert fp is not None
        matches = [
            j
            for j in range(i)
            if set(fp.bands) & set(fps[j].bands)  # type: ignore[union-attr]
            and neardup.similarity(fp.signature, fps[j].signature) >= threshold  # type: ignore[union-attr]
        ]
        originals = [j for j in matches if out[j] is None]
        out.append(originals[0] if originals else (out[matches[0]] if matches else None))
    return out


def test_the_matrix_compare_links_as_the_per_pair_compare(session_factory, make_record):
    """Stored and in-batch candidates, copies of copies, unrelated articles from one template."""
    rng = Random(42)
    texts: list[dict[str, str]] = []
    for n in range(60):
        if texts and rng.random() < 0.4:
            source = rng.choice(texts)
            texts.append(copy_of(source) if rng.random() < 0.7 else dict(source))
        else:
            texts.append(story_text(1000 + n))
    expected = per_pair_links(texts, 0.5)
    assert sum(target is not None for target in expected) >= 15  # the set does exercise links
    records = [make_record(str(n), site="s", **text) for n, text in enumerate(texts)]
    for start in range(0, len(records), 25):  # earlier batches are stored candidates
        save(session_factory, *records[start : start + 25])
    found = links(session_factory)
    assert [found[f"s/{n}"] for n in range(len(texts))] == [
        None if target is None else f"s/{target}" for target in expected
    ]


def test_stored_signatures_of_another_layout_are_never_matched(session_factory, make_record):
    """A fingerprint row of other parameters (e.g. not yet rebuilt) is not compared."""
    original = story_text(12)
    save(session_factory, make_record("1", site="mfa", **original))
    with session_factory.begin() as session:
        fp = session.get(Fingerprint, 1)
        assert fp is not None
        fp.signature = fp.signature[: len(fp.signature) // 2]
    save(session_factory, make_record("2", site="irna", **copy_of(original)))
    assert links(session_factory)["irna/2"] is None
