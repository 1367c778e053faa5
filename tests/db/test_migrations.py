"""Alembic migrations: they create the schema, match the models, and are idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from newscrawl.db.migrate import current_revision, downgrade, head_revision, upgrade
from newscrawl.db.models import (
    Article,
    Base,
    Capture,
    Fingerprint,
    LshBand,
    RemovalEvidence,
    Revision,
    capture_values,
)
from newscrawl.db.neardup import link_near_duplicates
from newscrawl.db.session import ensure_schema, make_sessionmaker
from newscrawl.db.store import save_articles
from newscrawl.extract import neardup
from newscrawl.items import Article as ArticleItem

pytestmark = pytest.mark.db

TABLES = {
    "articles",
    "revisions",
    "captures",
    "fingerprints",
    "lsh_bands",
    "crawl_runs",
    "crawl_locks",
    "deliveries",
    "removal_evidence",
}


#: The ``revisions`` columns of schemas 0001 to 0004 (0005 added ``layout``).
_OLD_REVISION_COLUMNS = (
    "id",
    "article_id",
    "kind",
    "fetched_at",
    "url",
    "content_hash",
    "title",
    "lead",
    "body",
    "tags",
    "published_at",
    "published_at_utc",
    "published_raw",
    "alternates",
    "capture_id",
)


def _store_before_0005(session: Session, record: ArticleItem) -> tuple[int, int]:
    """Store *record* as schemas before 0005 held it: (article id, revision id).

    Core inserts of explicit columns: ``save_articles`` and the ORM models write and read the
    newest schema (``revisions.layout``), which an older database does not have.
    """
    at = datetime.fromisoformat(record.fetched_at)
    article_id = session.scalar(
        insert(Article.__table__)
        .values(
            site=record.site,
            lang=record.lang,
            source_id=record.source_id,
            canonical_url=record.canonical_url,
            url=record.url,
            first_seen_at=at,
            last_seen_at=at,
        )
        .returning(Article.__table__.c.id)
    )
    revision_id = session.scalar(
        insert(Revision.__table__)
        .values(
            article_id=article_id,
            kind="content",
            fetched_at=at,
            url=record.url,
            content_hash=record.content_hash,
            title=record.title,
            lead=record.lead,
            body=record.body,
            tags=list(record.tags),
            alternates=dict(record.alternates),
        )
        .returning(Revision.__table__.c.id)
    )
    session.execute(
        update(Article.__table__)
        .where(Article.__table__.c.id == article_id)
        .values(latest_revision_id=revision_id)
    )
    assert article_id is not None and revision_id is not None
    return article_id, revision_id


def _old_revision(session: Session, revision_id: int) -> dict[str, object]:
    """A revision's row read with the columns of schemas before 0005 (Core, not the ORM)."""
    table = Revision.__table__
    columns = [table.c[name] for name in _OLD_REVISION_COLUMNS]
    return dict(session.execute(select(*columns).where(table.c.id == revision_id)).one()._mapping)


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_ensure_schema_creates_tables_in_empty_database(empty_engine):
    assert current_revision(empty_engine) is None
    assert not TABLES & set(inspect(empty_engine).get_table_names())

    ensure_schema(empty_engine)

    assert TABLES | {"alembic_version"} <= set(inspect(empty_engine).get_table_names())
    assert current_revision(empty_engine) == head_revision() == "0006"


def test_autogenerate_finds_no_difference_between_migrations_and_models(empty_engine):
    # The comparison does see tables: on the empty database it reports every table as missing.
    added = {diff[1].name for diff in _diff(empty_engine) if diff[0] == "add_table"}
    assert added == TABLES

    ensure_schema(empty_engine)

    assert _diff(empty_engine) == []


def test_ensure_schema_twice_is_a_no_op(engine, make_record):
    with make_sessionmaker(engine).begin() as session:
        save_articles(session, [make_record()])
    tables = sorted(inspect(engine).get_table_names())

    ensure_schema(engine)

    assert sorted(inspect(engine).get_table_names()) == tables
    assert current_revision(engine) == head_revision()
    with make_sessionmaker(engine).begin() as session:
        assert save_articles(session, [make_record()]).unchanged == 1


def test_constraint_names_follow_the_naming_convention(engine):
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("articles")["name"] == "pk_articles"
    assert {uq["name"] for uq in inspector.get_unique_constraints("articles")} == {
        "uq_articles_site_lang_source_id"
    }
    assert {fk["name"] for fk in inspector.get_foreign_keys("articles")} == {
        "fk_articles_latest_revision_id_revisions",
        "fk_articles_duplicate_of_id_articles",
    }
    assert {fk["name"] for fk in inspector.get_foreign_keys("revisions")} == {
        "fk_revisions_article_id_articles",
        "fk_revisions_capture_id_captures",
    }
    # PostgreSQL also lists the index behind the unique constraint.
    assert {ix["name"] for ix in inspector.get_indexes("articles")} - {
        "uq_articles_site_lang_source_id"
    } == {"ix_articles_canonical_url", "ix_articles_url"}
    assert {ix["name"] for ix in inspector.get_indexes("revisions")} == {"ix_revisions_article_id"}


def test_downgrade_to_base_drops_the_schema_and_upgrade_restores_it(engine):
    assert downgrade(engine, "base") is None
    assert not TABLES & set(inspect(engine).get_table_names())

    ensure_schema(engine)

    assert current_revision(engine) == head_revision()
    assert _diff(engine) == []


def test_0003_rebuilds_the_near_duplicate_index_in_the_new_layout(engine, make_record):
    """Fingerprints of the 64-permutation layout are recomputed; a copy then finds its original."""
    downgrade(engine, "0002")
    body = "The ministry connected 1,200 villages to the national fibre network this year. " * 8
    with make_sessionmaker(engine).begin() as session:
        article_id, _ = _store_before_0005(session, make_record("1", body=body))
        old_signature = bytes(range(256)) * 2  # 64 values of 8 bytes, as 0002's code stored them
        session.execute(
            insert(Fingerprint),
            [{"article_id": article_id, "content_hash": "old", "signature": old_signature}],
        )
        session.execute(
            insert(LshBand), [{"article_id": article_id, "band_key": f"{b}:0"} for b in range(16)]
        )

    ensure_schema(engine)

    assert current_revision(engine) == head_revision()
    with make_sessionmaker(engine).begin() as session:
        fp = session.get(Fingerprint, article_id)
        assert fp is not None
        latest = session.get_one(Article, article_id).latest_revision
        assert latest is not None
        new = neardup.fingerprint(latest.title, latest.lead, latest.body)
        assert new is not None
        assert (fp.signature, fp.content_hash) == (new.packed(), latest.content_hash)
        bands = select(LshBand.band_key).where(LshBand.article_id == article_id)
        keys = set(session.scalars(bands))
        assert len(keys) == neardup.BANDS and not keys & {f"{b}:0" for b in range(16)}
        copy = save_articles(session, [make_record("2", site="other", body=body + " Share.")])
        assert link_near_duplicates(session, copy.revisions).links == {
            copy.revisions[0].article_id: article_id
        }
        assert session.scalar(select(func.count()).select_from(Fingerprint)) == 2


def test_0004_gives_each_earlier_tombstone_the_one_observation_it_was_made_on(
    engine, make_record
):
    """A 0003 archive with a live article and two tombstones (a 404 and a 410, as 0003 wrote
    them: a ``removed`` revision with a body-less capture of the status) upgrades with its
    data: each tombstone gets one evidence row, the live article none, nothing else changes."""
    downgrade(engine, "0003")
    assert "removal_evidence" not in inspect(engine).get_table_names()
    at = {"2": datetime(2024, 3, 2, 9, tzinfo=UTC), "3": datetime(2024, 3, 3, 9, tzinfo=UTC)}
    tombstones = {}
    revisions = Revision.__table__
    with make_sessionmaker(engine).begin() as session:
        stored = {n: _store_before_0005(session, make_record(n)) for n in ("1", "2", "3")}
        for source_id, status in (("2", 404), ("3", 410)):
            article_id, latest_id = stored[source_id]
            url = make_record(source_id).url
            capture_id = session.scalar(
                insert(Capture)
                .values(capture_values(url, status, {}, b"", at[source_id]))
                .returning(Capture.id)
            )
            latest = _old_revision(session, latest_id)
            revision_id = session.scalar(
                insert(revisions)
                .values(
                    article_id=article_id,
                    kind="removed",
                    fetched_at=at[source_id],
                    url=url,
                    content_hash=latest["content_hash"],
                    title=latest["title"],
                    body=latest["body"],
                    tags=[],
                    alternates={},
                    capture_id=capture_id,
                )
                .returning(revisions.c.id)
            )
            session.execute(
                update(Article.__table__)
                .where(Article.__table__.c.id == article_id)
                .values(removed_at=at[source_id], latest_revision_id=revision_id)
            )
            tombstones[source_id] = (article_id, revision_id, url)
        revisions_before = session.scalar(select(func.count()).select_from(revisions))

    assert upgrade(engine, "0004") == "0004"

    assert current_revision(engine) == "0004"
    with make_sessionmaker(engine)() as session:
        rows = session.scalars(select(RemovalEvidence).order_by(RemovalEvidence.id)).all()
        assert [
            (r.article_id, r.revision_id, r.reason, r.status, r.observed_at, r.url, r.final_url)
            for r in rows
        ] == [
            (article_id, revision_id, reason, status, at[source_id], url, url)
            for (source_id, (article_id, revision_id, url)), (reason, status) in zip(
                tombstones.items(), [("not_found", 404), ("gone", 410)], strict=True
            )
        ]
        assert session.scalar(select(func.count()).select_from(revisions)) == revisions_before
        assert (
            session.scalar(
                select(func.count()).where(Article.__table__.c.removed_at.is_not(None))
            )
            == 2
        )
    ensure_schema(engine)
    assert current_revision(engine) == head_revision()
    assert _diff(engine) == []


def test_0005_adds_the_revision_layout_empty_for_earlier_revisions(engine, make_record):
    """A 0004 archive upgrades with its revisions unchanged and no layout (not known); the
    revisions written after it carry theirs; the downgrade drops the column, data kept."""
    downgrade(engine, "0004")
    assert "layout" not in {c["name"] for c in inspect(engine).get_columns("revisions")}
    with make_sessionmaker(engine).begin() as session:
        _, old_id = _store_before_0005(session, make_record("1"))
        before = _old_revision(session, old_id)

    ensure_schema(engine)

    assert current_revision(engine) == head_revision() == "0006"
    assert _diff(engine) == []
    with make_sessionmaker(engine).begin() as session:
        assert _old_revision(session, old_id) == before
        assert session.scalar(select(Revision.layout).where(Revision.id == old_id)) is None
        saved = save_articles(session, [make_record("2", layout="2026")])
        (new_id,) = (r.id for r in saved.revisions)
        assert session.scalar(select(Revision.layout).where(Revision.id == new_id)) == "2026"

    assert downgrade(engine, "0004") == "0004"

    assert "layout" not in {c["name"] for c in inspect(engine).get_columns("revisions")}
    with make_sessionmaker(engine)() as session:
        assert _old_revision(session, old_id) == before
        assert _old_revision(session, new_id)["title"] == "Minister meets envoy 2"
    # SQLite rebuilds the table to drop a column: its CHECK constraint on kind must survive.
    checks = {c["name"] for c in inspect(engine).get_check_constraints("revisions")}
    assert "ck_revisions_kind" in checks


def test_0006_adds_the_change_columns_empty_for_earlier_revisions(engine, make_record):
    """A 0005 archive upgrades with its revisions unchanged and no score (none was measured);
    the revisions written after it carry theirs; the downgrade drops the columns, data kept."""
    downgrade(engine, "0005")
    columns = {c["name"] for c in inspect(engine).get_columns("revisions")}
    assert not columns & {"significance", "change_reasons", "diff", "volatile"}
    with make_sessionmaker(engine).begin() as session:
        _, old_id = _store_before_0005(session, make_record("1"))
        before = _old_revision(session, old_id)

    ensure_schema(engine)

    assert current_revision(engine) == head_revision() == "0006"
    with make_sessionmaker(engine).begin() as session:
        assert _old_revision(session, old_id) == before
        old = session.execute(
            select(Revision.significance, Revision.change_reasons, Revision.diff).where(
                Revision.id == old_id
            )
        ).one()
        assert tuple(old) == (None, None, None)
        edited = make_record("1", body="A new first paragraph.", fetched_at="2024-03-05T10:00:00Z")
        (new,) = save_articles(session, [edited]).revisions
        score = session.scalar(select(Revision.significance).where(Revision.id == new.id))
        assert score is not None and 0 < score <= 1  # measured against the 0005 revision

    assert downgrade(engine, "0005") == "0005"
    with make_sessionmaker(engine)() as session:
        assert _old_revision(session, old_id) == before
