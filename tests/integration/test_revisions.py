"""Revisions end to end: the replica edits and deletes articles between crawls of ict_en.

A first crawl stores every article once. On the replica, three articles are then edited (a
title, a body, a corrected date) and one is deleted (it answers 404 and leaves the listings and
feeds), and the site is crawled again: exactly three new content revisions, and for the deleted
one a gone observation but no tombstone (one 404 is not evidence enough). A third crawl, with
``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL = 0``, sees the 404 again and writes the tombstone.
``newscrawl history`` shows the diffs, and a fourth crawl of the unchanged site adds nothing.
Expected values come from the replica's generator and the edits made here; the date offset is
computed with zoneinfo. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from newscrawl.cli import main as newscrawl
from newscrawl.db.models import Article, RemovalEvidence, Revision
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.runner import CrawlResult
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, crawls_ran_earlier, fresh_database, run_crawl

pytestmark = pytest.mark.crawl

ARTICLES = 60
SITE = generate_site("ict_en", ARTICLES, 0)
STORED = [a for a in SITE.articles if not {"gone", "empty_body"} & set(a.flags)]
# Ordinary articles (no special flags, a date line, the title not repeated in the body).
PLAIN = [a for a in STORED if not a.flags and a.date_raw and not a.title_in_body]
TITLE_EDIT, BODY_EDIT, DATE_EDIT, DELETED = PLAIN[:4]
NEW_TITLE = TITLE_EDIT.title + " (Updated)"
NEW_PARAGRAPH = "The ministry later added that the agreement takes effect next month."
NEW_DATE_RAW = "Jan 2, 2020 10:15"


def key(spec: ArticleSpec) -> str:
    return f"ict.gov.ir:en:{spec.id}"


def crawl(replica: ReplicaProcess, db_url: str, **settings: str) -> CrawlResult:
    result = run_crawl(
        "ict_en",
        base_url=replica.urls["ict_en"],
        database_url=db_url,
        settings={**LOOPBACK_SETTINGS, **settings},
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


@dataclass(frozen=True)
class Snapshot:
    """Row counts and every revision as (source_id, kind), in id order."""

    articles: int
    revisions: list[tuple[str, str]]
    removed: list[str]
    duplicates: int
    evidence: list[tuple[str, str, int, bool]]


def snapshot(db_url: str) -> Snapshot:
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(Article.source_id, Revision.kind)
                .join(Article, Article.id == Revision.article_id)
                .order_by(Revision.id)
            ).all()
            return Snapshot(
                articles=session.scalar(select(func.count()).select_from(Article)) or 0,
                revisions=[(source_id, kind) for source_id, kind in rows],
                removed=sorted(
                    session.scalars(
                        select(Article.source_id).where(Article.removed_at.is_not(None))
                    )
                ),
                duplicates=session.scalar(
                    select(func.count()).where(Article.duplicate_of_id.is_not(None))
                )
                or 0,
                evidence=[
                    (source_id, reason, status, revision_id is not None)
                    for source_id, reason, status, revision_id in session.execute(
                        select(
                            Article.source_id,
                            RemovalEvidence.reason,
                            RemovalEvidence.status,
                            RemovalEvidence.revision_id,
                        )
                        .join(Article, Article.id == RemovalEvidence.article_id)
                        .order_by(RemovalEvidence.id)
                    )
                ],
            )
    finally:
        engine.dispose()


def latest(db_url: str, spec: ArticleSpec) -> Revision:
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            article = session.scalars(
                select(Article).where(Article.source_id == str(spec.id))
            ).one()
            revision = session.get(Revision, article.latest_revision_id)
            assert revision is not None
            return revision
    finally:
        engine.dispose()


def history(db_url: str, spec: ArticleSpec, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert newscrawl(["history", key(spec), "--database-url", db_url]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("backend", BACKENDS)
def test_edits_make_revisions_a_deletion_a_tombstone_and_a_quiet_crawl_nothing(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica,
        fresh_database(backend, tmp_path) as db_url,
    ):
        first = crawl(replica, db_url)
        crawls_ran_earlier(db_url, timedelta(minutes=1))
        assert first.stat("newscrawl/persist/new") == len(STORED)
        before = snapshot(db_url)
        assert before.articles == len(STORED)
        assert len(before.revisions) == len(STORED)

        replica.edit("ict_en", TITLE_EDIT.id, title=NEW_TITLE)
        replica.edit("ict_en", BODY_EDIT.id, paragraphs=[*BODY_EDIT.paragraphs, NEW_PARAGRAPH])
        replica.edit("ict_en", DATE_EDIT.id, date_raw=NEW_DATE_RAW)
        replica.delete("ict_en", DELETED.id)

        second = crawl(replica, db_url)
        crawls_ran_earlier(db_url, timedelta(minutes=1))
        after = snapshot(db_url)
        added = after.revisions[len(before.revisions) :]
        assert sorted(added) == sorted(
            [
                (str(TITLE_EDIT.id), "content"),
                (str(BODY_EDIT.id), "content"),
                (str(DATE_EDIT.id), "content"),
            ]
        )
        assert after.articles == len(STORED)
        assert after.removed == []  # one 404: evidence, no tombstone
        assert after.evidence == [(str(DELETED.id), "not_found", 404, False)]
        assert after.duplicates == 0  # distinct articles are not near-duplicates
        assert second.stat("newscrawl/persist/changed") == 3
        assert second.stat("newscrawl/persist/gone_observed") == 1
        assert second.stat("newscrawl/persist/removed") == 0
        assert second.stat("newscrawl/persist/new") == 0
        assert second.stat("newscrawl/recheck/requested") == 1  # the deleted one, off the listing

        # Still live for the archive: rechecked again, and the second 404 makes the tombstone.
        confirm = crawl(replica, db_url, NEWSCRAWL_TOMBSTONE_MIN_INTERVAL="0")
        after = snapshot(db_url)
        assert after.revisions[len(before.revisions) + 3 :] == [(str(DELETED.id), "removed")]
        assert after.removed == [str(DELETED.id)]
        assert after.evidence == [(str(DELETED.id), "not_found", 404, True)] * 2
        assert confirm.stat("newscrawl/recheck/requested") == 1
        assert confirm.stat("newscrawl/persist/removed") == 1
        assert confirm.stat("newscrawl/persist/changed") == 0

        assert latest(db_url, TITLE_EDIT).title == NEW_TITLE
        assert latest(db_url, BODY_EDIT).body.split("\n\n") == [
            *BODY_EDIT.paragraphs,
            NEW_PARAGRAPH,
        ]
        offset = datetime(2020, 1, 2, 10, 15, tzinfo=ZoneInfo("Asia/Tehran")).isoformat()[-6:]
        corrected = latest(db_url, DATE_EDIT)
        assert corrected.published_raw == NEW_DATE_RAW
        assert corrected.published_at == f"2020-01-02T10:15:00{offset}"
        tombstone = latest(db_url, DELETED)
        assert tombstone.kind == "removed" and tombstone.title == DELETED.title

        lines = history(db_url, TITLE_EDIT, capsys)
        assert "  2 revision(s)" in lines
        # word-level: the title gained one word, nothing was taken away
        assert f"  title: {TITLE_EDIT.title} [+(Updated)+]" in lines
        assert "  score 0.50: title changed" in lines
        lines = history(db_url, BODY_EDIT, capsys)
        (text,) = [line for line in lines if line.startswith("  text: ")]
        assert text.endswith(f"[+{NEW_PARAGRAPH}+]") and "{-" not in text
        lines = history(db_url, DATE_EDIT, capsys)
        assert any(line.startswith("  score ") and "date changed" in line for line in lines)
        assert not any(line.startswith(("  text: ", "  title: ")) for line in lines)
        assert any(f"[published 2020-01-02T10:15:00{offset}]" in line for line in lines)
        lines = history(db_url, DELETED, capsys)
        assert any(line.startswith("  removed at ") for line in lines)
        assert any(line.startswith("#2 removed") for line in lines)
        assert "  score 1.00: removed" in lines

        third = crawl(replica, db_url)
        assert snapshot(db_url) == after
        for outcome in ("new", "changed", "restored", "removed"):
            assert third.stat(f"newscrawl/persist/{outcome}") == 0, outcome
        assert third.stat("newscrawl/persist/unchanged") == len(STORED) - 1
