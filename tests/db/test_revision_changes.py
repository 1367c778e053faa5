"""Every new revision stores its word-level diff, significance and reasons (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from newscrawl.db.models import Revision
from newscrawl.db.store import save_articles
from tests.helpers import tombstone


def _revisions(session_factory):
    with session_factory() as session:
        return session.scalars(select(Revision).order_by(Revision.id)).all()


def test_each_revision_stores_its_change(session_factory, make_record):
    bodies = [
        "Aid reached 120 families.\n\nViews: 10",
        "Aid reached 150 families.\n\nViews: 10",  # a number
        "Aid reached 150 families.\n\nViews: 11",  # the volatile counter only
    ]
    for day, body in enumerate(bodies, start=1):
        with session_factory.begin() as session:
            record = make_record(body=body, fetched_at=f"2024-03-0{day}T10:00:00Z")
            record.volatile = [body.split("\n\n")[1]]
            save_articles(session, [record])
    with session_factory.begin() as session:
        assert tombstone(session, "mfa", "en", "1001", at=datetime(2024, 3, 9, tzinfo=UTC))

    first, number, counter, removed = _revisions(session_factory)
    assert (first.significance, first.change_reasons, first.diff) == (None, None, None)
    assert first.volatile == ["Views: 10"]
    # 1 word of 11 (lead 5 + body 6): sqrt(1/11) = 0.30, with a number (0.6): 0.72
    assert 0.65 <= number.significance <= 0.75
    assert "number changed: 120 → 150" in number.change_reasons
    assert {"-": "120", "+": "150"} in number.diff["text"]
    assert counter.significance == 0
    assert counter.change_reasons == ["volatile regions only"]
    assert {"-": "10", "+": "11", "k": "volatile"} in counter.diff["text"]
    assert counter.body.endswith("Views: 11")  # the text stays in the revision
    assert (removed.kind, removed.significance, removed.change_reasons) == (
        "removed",
        1.0,
        ["removed"],
    )


def test_a_restored_article_is_compared_with_its_last_content(session_factory, make_record):
    with session_factory.begin() as session:
        save_articles(session, [make_record(fetched_at="2024-03-01T10:00:00Z")])
    with session_factory.begin() as session:
        tombstone(session, "mfa", "en", "1001", at=datetime(2024, 3, 5, tzinfo=UTC))
    with session_factory.begin() as session:
        save_articles(
            session,
            [
                make_record(
                    title="Minister meets envoy 1001 again", fetched_at="2024-03-09T10:00:00Z"
                )
            ],
        )

    restored = _revisions(session_factory)[-1]
    assert restored.kind == "restored"
    assert restored.change_reasons == ["title changed"]
    assert restored.significance == 0.5
