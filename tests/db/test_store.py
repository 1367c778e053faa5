"""save_articles / tombstones on SQLite and PostgreSQL, with hand-written records."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from newscrawl.db.compression import zstd
from newscrawl.db.models import Article, Capture, Revision
from newscrawl.db.queries import find_article, revisions
from newscrawl.db.store import StoreResult, parse_utc, save_articles
from newscrawl.db.upsert import dialect_insert
from newscrawl.export.query import capture_from_row
from newscrawl.items import RawCapture
from tests.helpers import tombstone

pytestmark = pytest.mark.db

HTML = ("<html><body>" + "<p>Ministry news paragraph.</p>" * 400 + "</body></html>").encode()


def counts(session_factory):
    with session_factory() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Article, Revision, Capture)
        }


def save(session_factory, *records, now=None):
    with session_factory.begin() as session:
        return save_articles(session, list(records), now=now)


def history(session_factory, key="mfa:en:1001"):
    with session_factory() as session:
        article = find_article(session, key)
        assert article is not None
        return article, revisions(session, article.id)


def test_new_then_changed_then_unchanged(session_factory, make_record):
    first = make_record("1001")
    other = make_record("1002")
    assert save(session_factory, first, other) == StoreResult(new=2)

    changed = make_record("1001", body="First paragraph.\n\nnew sentence")
    assert save(session_factory, changed, other) == StoreResult(changed=1, unchanged=1)

    assert save(session_factory, changed, other) == StoreResult(unchanged=2)
    assert counts(session_factory) == {"articles": 2, "revisions": 3, "captures": 0}


def test_revision_chain_and_latest_revision(session_factory, make_record):
    bodies = ["one", "two", "three"]
    for day, body in enumerate(bodies, start=1):
        save(session_factory, make_record(body=body, fetched_at=f"2024-03-0{day}T10:00:00Z"))

    article, chain = history(session_factory)
    assert [r.body for r in chain] == bodies
    assert [r.kind for r in chain] == ["content"] * 3
    assert article.latest_revision_id == chain[-1].id
    assert [r.fetched_at for r in chain] == [
        datetime(2024, 3, day, 10, tzinfo=UTC) for day in (1, 2, 3)
    ]
    assert article.first_seen_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert article.last_seen_at == datetime(2024, 3, 3, 10, tzinfo=UTC)


def test_fields_round_trip(session_factory, make_record):
    record = make_record(
        title="وزیر امور خارجه", body="بند اول.\n\nبند دوم.", published_raw="۱۴ آذر ۱۳۹۶"
    )
    save(session_factory, record)

    article, [revision] = history(session_factory)
    assert (article.site, article.lang, article.source_id) == ("mfa", "en", "1001")
    assert article.canonical_url == record.canonical_url
    assert article.url == record.url
    assert article.removed_at is None
    assert article.duplicate_of_id is None
    assert revision.title == "وزیر امور خارجه"
    assert revision.body == "بند اول.\n\nبند دوم."
    assert revision.lead == record.lead
    assert revision.tags == ["diplomacy", "visits"]
    assert revision.alternates == record.alternates
    assert revision.published_raw == "۱۴ آذر ۱۳۹۶"
    assert revision.published_at == "2017-12-05T21:27:00+03:30"
    assert revision.published_at_utc == datetime(2017, 12, 5, 17, 57, tzinfo=UTC)
    assert revision.published_at_utc.tzinfo is not None
    assert revision.content_hash == record.content_hash
    assert revision.url == record.url
    assert revision.capture_id is None


def test_date_only_and_missing_dates(session_factory, make_record):
    save(
        session_factory,
        make_record("1", published_at="2017-12-05", published_at_utc=None),
        make_record("2", published_at=None, published_at_utc=None, published_raw=None),
    )
    with session_factory() as session:
        by_id = {a.source_id: revisions(session, a.id)[0] for a in session.scalars(select(Article))}
    assert (by_id["1"].published_at, by_id["1"].published_at_utc) == ("2017-12-05", None)
    assert (by_id["2"].published_at, by_id["2"].published_raw) == (None, None)


def test_same_key_twice_in_a_batch_last_wins(session_factory, make_record):
    result = save(
        session_factory,
        make_record(title="first version", url="https://mfa.example/en/news/1001?a"),
        make_record(title="second version", url="https://mfa.example/en/news/1001?b"),
    )

    assert result == StoreResult(new=1)
    article, [revision] = history(session_factory)
    assert revision.title == "second version"
    assert article.url == "https://mfa.example/en/news/1001?b"


def test_url_and_canonical_url_follow_the_latest_fetch(session_factory, make_record):
    save(session_factory, make_record())
    save(
        session_factory,
        make_record(url="https://mfa.example/x/1001", canonical_url="https://mfa.example/c/1001"),
    )

    article, chain = history(session_factory)
    assert (article.url, article.canonical_url, len(chain)) == (
        "https://mfa.example/x/1001",
        "https://mfa.example/c/1001",
        1,
    )


def test_last_seen_at_never_goes_backwards(session_factory, make_record):
    save(session_factory, make_record(fetched_at="2024-03-05T10:00:00Z"))
    save(session_factory, make_record(fetched_at="2024-03-01T10:00:00Z"))

    article, _ = history(session_factory)
    assert article.first_seen_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert article.last_seen_at == datetime(2024, 3, 5, 10, tzinfo=UTC)


def test_now_is_used_when_the_record_has_no_fetch_time(session_factory, make_record):
    now = datetime(2024, 4, 1, 8, 30, tzinfo=UTC)
    save(session_factory, make_record(fetched_at=None), now=now)

    article, [revision] = history(session_factory)
    assert article.first_seen_at == article.last_seen_at == revision.fetched_at == now


def test_tombstone_twice_and_unknown_article(session_factory, make_record):
    save(session_factory, make_record())
    at = datetime(2024, 3, 2, 9, 0, tzinfo=UTC)

    with session_factory.begin() as session:
        assert tombstone(session, "mfa", "en", "1001", at=at, status=404) is True
    with session_factory.begin() as session:
        assert tombstone(session, "mfa", "en", "1001", at=at, status=404) is False
        assert tombstone(session, "mfa", "en", "9999", at=at, status=404) is False

    article, chain = history(session_factory)
    assert article.removed_at == at
    assert [r.kind for r in chain] == ["content", "removed"]
    tombstone_revision = chain[-1]
    assert article.latest_revision_id == tombstone_revision.id
    assert tombstone_revision.fetched_at == at
    assert (tombstone_revision.title, tombstone_revision.body, tombstone_revision.content_hash) == (
        chain[0].title,
        chain[0].body,
        chain[0].content_hash,
    )
    with session_factory() as session:
        capture = session.get(Capture, tombstone_revision.capture_id)
        assert capture is not None
        assert (capture.status, capture.raw_body()) == (404, b"")
    assert counts(session_factory)["articles"] == 1


def test_restored_after_removed(session_factory, make_record):
    save(session_factory, make_record())
    with session_factory.begin() as session:
        tombstone(session, "mfa", "en", "1001", at=datetime(2024, 3, 2, tzinfo=UTC), status=410)

    # Same content as before the removal: still a restoration.
    result = save(session_factory, make_record(fetched_at="2024-03-03T10:00:00Z"))

    assert result == StoreResult(restored=1)
    article, chain = history(session_factory)
    assert article.removed_at is None
    assert [r.kind for r in chain] == ["content", "removed", "restored"]
    assert article.latest_revision_id == chain[-1].id
    assert save(session_factory, make_record()) == StoreResult(unchanged=1)


def test_removed_article_in_the_same_session_is_refreshed(session_factory, make_record):
    save(session_factory, make_record())
    with session_factory.begin() as session:
        tombstone(session, "mfa", "en", "1001", at=datetime(2024, 3, 2, tzinfo=UTC), status=404)
        article = find_article(session, "mfa:en:1001")
        assert article is not None and article.removed_at is not None
        assert save_articles(session, [make_record(body="back")]) == StoreResult(restored=1)
        assert article.removed_at is None
        assert article.latest_revision_id == revisions(session, article.id)[-1].id


def test_captures_are_compressed_and_round_trip(session_factory, make_record):
    capture = {
        "url": "https://mfa.example/en/news/1001?ref=list",
        "status": 200,
        "headers": {"Content-Type": "text/html; charset=utf-8", "Server": "nginx"},
        "body": HTML,
        "encoding": "utf-8",
    }
    save(session_factory, make_record(capture=capture))
    save(session_factory, make_record(capture=capture))  # unchanged: no new capture

    _, [revision] = history(session_factory)
    with session_factory() as session:
        [stored] = session.scalars(select(Capture)).all()
    assert revision.capture_id == stored.id
    assert stored.body != HTML
    assert len(stored.body) < len(HTML) / 10
    assert stored.body.startswith(b"\x28\xb5\x2f\xfd")  # a Zstandard frame (RFC 8878)
    assert zstd.decompress(stored.body) == stored.raw_body() == HTML
    assert stored.headers == capture["headers"]
    assert (stored.url, stored.status, stored.encoding) == (capture["url"], 200, "utf-8")
    assert stored.fetched_at == revision.fetched_at
    assert stored.body_sha256 == hashlib.sha256(HTML).hexdigest()


def test_capture_given_as_an_object(session_factory, make_record):
    raw = RawCapture("https://mfa.example/en/news/1001", 200, {"Server": "nginx"}, HTML)
    save(session_factory, make_record(capture=raw))

    with session_factory() as session:
        [stored] = session.scalars(select(Capture)).all()
        assert (stored.raw_body(), stored.headers, stored.encoding) == (HTML, raw.headers, None)


def test_captures_written_with_zlib_before_zstd_still_read(session_factory, make_record):
    """Archives from before the Zstandard codec hold zlib bodies; they read back unchanged."""
    save(session_factory, make_record(capture=RawCapture("https://mfa.example/", 200, {}, HTML)))
    with session_factory.begin() as session:
        [stored] = session.scalars(select(Capture)).all()
        stored.body = zlib.compress(HTML, 4)  # what the writer stored before
    with session_factory() as session:
        [stored] = session.scalars(select(Capture)).all()
        assert stored.raw_body() == HTML
        assert capture_from_row(
            session.execute(
                select(
                    Capture.url.label("capture_url"),
                    Capture.status.label("capture_status"),
                    Capture.headers.label("capture_headers"),
                    Capture.body.label("capture_body"),
                    Capture.encoding.label("capture_encoding"),
                )
            ).one()
        ).body == HTML  # the exports' reader (newscrawl.export.query)


def test_capture_from_response_helper():
    at = datetime(2024, 3, 1, tzinfo=UTC)
    capture = Capture.from_response("https://x.example/", 200, {"A": "b"}, b"hello" * 50, at, None)
    assert capture.raw_body() == b"hello" * 50
    assert len(capture.body) < 250
    assert (capture.headers, capture.fetched_at, capture.encoding) == ({"A": "b"}, at, None)


def test_rollback_leaves_nothing(session_factory, make_record):
    capture = {"url": "https://mfa.example/", "status": 200, "headers": {}, "body": HTML}
    with pytest.raises(RuntimeError, match="crawl stopped"), session_factory.begin() as session:
        result = save_articles(session, [make_record(str(n), capture=capture) for n in range(20)])
        assert result.new == 20
        raise RuntimeError("crawl stopped")

    assert counts(session_factory) == {"articles": 0, "revisions": 0, "captures": 0}


def test_a_bad_record_writes_nothing(session_factory, make_record):
    bad = replace(make_record("2"), source_id="")
    with pytest.raises(ValueError, match="record 1 has no source_id"):
        save(session_factory, make_record("1"), bad)
    assert counts(session_factory)["articles"] == 0


def test_naive_now_is_refused(session_factory, make_record):
    with pytest.raises(ValueError, match="naive"):
        save(session_factory, make_record(), now=datetime(2024, 1, 1))


def test_batch_of_500_in_one_transaction(session_factory, make_record):
    capture = {"url": "https://mfa.example/", "status": 200, "headers": {}, "body": b"<p>x</p>"}
    records = [make_record(str(n), capture=capture) for n in range(500)]

    with session_factory.begin() as session:
        assert save_articles(session, records) == StoreResult(new=500)
    assert counts(session_factory) == {"articles": 500, "revisions": 500, "captures": 500}

    records[7] = make_record("7", body="changed", capture=capture)
    with session_factory.begin() as session:
        assert save_articles(session, records) == StoreResult(changed=1, unchanged=499)
    assert counts(session_factory) == {"articles": 500, "revisions": 501, "captures": 501}
    with session_factory() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Article)
                .where(Article.latest_revision_id.is_(None))
            )
            == 0
        )


def test_dialect_insert_matches_the_database(session_factory):
    with session_factory() as session:
        stmt = dialect_insert(session, Article)
        assert type(stmt).__module__.split(".")[-2] == session.get_bind().dialect.name


def test_a_large_batch_pairs_every_revision_with_its_article_and_capture(
    session_factory, make_record
):
    """1,200 records: more than one upsert chunk on SQLite (500) and more than one multi-row
    INSERT page (SQLAlchemy's 1,000). Every row has its own body and capture, so a revision or
    capture id handed back out of order would pair an article with another one's content."""

    def record(n: int, version: str):
        body = f"Paragraph of article {n}, {version}."
        capture = {
            "url": f"https://mfa.example/en/news/{n}",
            "status": 200,
            "headers": {"X-Article": str(n)},
            "body": f"<html><p>{body}</p></html>".encode(),
        }
        return make_record(str(n), body=body, capture=capture)

    first = [record(n, "first") for n in range(1200)]
    with session_factory.begin() as session:
        result = save_articles(session, first)
    assert result == StoreResult(new=1200)
    assert len(result.revisions) == 1200
    second = [record(n, "second") if n % 3 == 0 else first[n] for n in range(1200)]
    with session_factory.begin() as session:
        changed = save_articles(session, second)
    assert changed == StoreResult(changed=400, unchanged=800)

    with session_factory() as session:
        for saved in result.revisions + changed.revisions:
            stored = session.get(Revision, saved.id)
            assert stored is not None
            assert (stored.article_id, stored.kind, stored.content_hash, stored.body) == (
                saved.article_id,
                saved.kind,
                saved.content_hash,
                saved.body,
            )
        for n, expected in enumerate(second):
            article = find_article(session, f"mfa:en:{n}")
            assert article is not None and article.latest_revision is not None
            latest = article.latest_revision
            assert (latest.body, latest.content_hash) == (expected.body, expected.content_hash)
            assert latest.capture is not None
            assert latest.capture.raw_body() == expected.capture.body
            assert latest.capture.headers == {"X-Article": str(n)}
            assert len(revisions(session, article.id)) == (2 if n % 3 == 0 else 1)


# -- the typed seam: nothing made up, aware date-times only ------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [(None, TypeError), ("200", TypeError), (True, TypeError), (0, ValueError), (600, ValueError)],
)
def test_a_capture_without_a_real_status_is_refused(session_factory, make_record, status, error):
    capture = RawCapture("https://mfa.example/en/news/1001", status, {}, HTML)
    with pytest.raises(error, match="record 0: capture status"):
        save(session_factory, make_record(capture=capture))
    assert counts(session_factory) == {"articles": 0, "revisions": 0, "captures": 0}


def test_a_capture_mapping_without_a_status_is_no_capture(make_record):
    with pytest.raises(TypeError, match="status"):
        make_record(capture={"url": "https://mfa.example/", "headers": {}, "body": HTML})


def test_a_capture_without_its_url_is_refused(session_factory, make_record):
    with pytest.raises(ValueError, match="record 0: its capture has no url"):
        save(session_factory, make_record(capture=RawCapture("", 200, {}, HTML)))


@pytest.mark.parametrize("name", ["title", "canonical_url", "content_hash"])
def test_a_record_without_a_required_field_is_refused(session_factory, make_record, name):
    with pytest.raises(ValueError, match=f"record 1 has no {name}"):
        save(session_factory, make_record("1"), replace(make_record("2"), **{name: None}))
    assert counts(session_factory)["articles"] == 0


@pytest.mark.parametrize("name", ["fetched_at", "published_at_utc"])
def test_a_date_time_without_an_offset_is_refused(session_factory, make_record, name):
    with pytest.raises(ValueError, match=f"record 0: {name}=.* is naive"):
        save(session_factory, make_record(**{name: "2024-03-01T10:00:00"}))
    assert counts(session_factory)["articles"] == 0


def test_a_date_time_that_is_no_iso_string_is_refused(session_factory, make_record):
    with pytest.raises(ValueError, match="not an ISO 8601 date-time"):
        save(session_factory, make_record(fetched_at="1 March 2024"))


def test_date_times_with_an_offset_are_stored_in_utc(session_factory, make_record):
    save(
        session_factory,
        make_record(
            fetched_at="2024-03-01T13:30:00+03:30", published_at_utc="2017-12-05T21:27:00+03:30"
        ),
    )
    article, [revision] = history(session_factory)
    assert article.first_seen_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert revision.published_at_utc == datetime(2017, 12, 5, 17, 57, tzinfo=UTC)


def test_parse_utc():
    assert parse_utc("2017-12-05T17:57:00Z", "x") == datetime(2017, 12, 5, 17, 57, tzinfo=UTC)
    assert parse_utc("2017-12-05T21:27:00+03:30", "x") == datetime(
        2017, 12, 5, 17, 57, tzinfo=UTC
    )
    assert parse_utc(None, "x") is None
    assert parse_utc("", "x") is None
    with pytest.raises(ValueError, match=r"x=.* is naive"):
        parse_utc("2017-12-05T17:57:00", "x")
