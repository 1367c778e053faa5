"""record_gone: gone observations are evidence, and a tombstone needs two of them hours apart.

On SQLite and PostgreSQL, with hand-written records and observations at chosen times (the rule
reads the observations' own times, so nothing waits). The stored article was fetched live at
2024-03-01T10:00:00Z (``make_record``'s ``fetched_at``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from newscrawl.db.models import Article, Capture, RemovalEvidence, Revision
from newscrawl.db.store import record_gone, save_articles
from tests.helpers import gone

pytestmark = pytest.mark.db

SIX_HOURS = timedelta(hours=6)
T0 = datetime(2024, 3, 2, 8, 0, tzinfo=UTC)  # the first gone observation, after the live fetch


def observe(session_factory, at, *, interval=SIX_HOURS, source_id="1001", **kwargs):
    with session_factory.begin() as session:
        return record_gone(
            session, gone("mfa", "en", source_id, at, **kwargs), min_interval=interval
        )


def state(session_factory):
    """(removed_at, [revision kinds], [(reason, status, observed_at, linked to the tombstone)])."""
    with session_factory() as session:
        article = session.scalars(select(Article).where(Article.source_id == "1001")).one()
        kinds = list(
            session.scalars(
                select(Revision.kind).where(Revision.article_id == article.id).order_by(Revision.id)
            )
        )
        evidence = [
            (row.reason, row.status, row.observed_at, row.revision_id is not None)
            for row in session.scalars(select(RemovalEvidence).order_by(RemovalEvidence.id))
        ]
        return article.removed_at, kinds, evidence


@pytest.fixture
def stored(session_factory, make_record):
    with session_factory.begin() as session:
        save_articles(session, [make_record()])
    return session_factory


def test_one_404_is_evidence_but_no_tombstone(stored):
    assert observe(stored, T0) == "recorded"

    assert state(stored) == (None, ["content"], [("not_found", 404, T0, False)])
    with stored() as session:
        row = session.scalars(select(RemovalEvidence)).one()
        assert (row.url, row.final_url) == ("https://mfa/en/news/1001",) * 2


def test_two_404s_closer_than_the_interval_make_no_tombstone_a_third_one_later_does(stored):
    assert observe(stored, T0) == "recorded"
    assert observe(stored, T0 + SIX_HOURS - timedelta(seconds=1)) == "recorded"
    assert state(stored)[:2] == (None, ["content"])

    last = T0 + SIX_HOURS
    assert observe(stored, last, status=410, reason="gone", final_url="https://mfa/x") == "removed"

    removed_at, kinds, evidence = state(stored)
    assert (removed_at, kinds) == (last, ["content", "removed"])
    assert evidence == [
        ("not_found", 404, T0, True),
        ("not_found", 404, T0 + SIX_HOURS - timedelta(seconds=1), True),
        ("gone", 410, last, True),
    ]
    with stored() as session:
        tombstone = session.scalars(select(Revision).where(Revision.kind == "removed")).one()
        assert tombstone.fetched_at == last
        assert set(session.scalars(select(RemovalEvidence.revision_id))) == {tombstone.id}
        capture = session.get(Capture, tombstone.capture_id)
        assert capture is not None and (capture.status, capture.url) == (410, "https://mfa/x")


def test_a_live_fetch_in_between_resets_the_evidence(stored, make_record):
    assert observe(stored, T0) == "recorded"
    with stored.begin() as session:  # the article answers 200 again an hour later
        result = save_articles(session, [make_record(fetched_at="2024-03-02T09:00:00Z")])
        assert result.unchanged == 1
    # 7 h after the first 404, but only one observation since the live fetch
    assert observe(stored, T0 + timedelta(hours=7)) == "recorded"
    assert state(stored)[:2] == (None, ["content"])

    assert observe(stored, T0 + timedelta(hours=13)) == "removed"
    _, kinds, evidence = state(stored)
    assert kinds == ["content", "removed"]
    # the observation before the live fetch stays on record, supporting nothing
    assert [linked for *_, linked in evidence] == [False, True, True]


def test_the_same_observation_twice_is_one_piece_of_evidence(stored):
    """A batch written again after a lost commit answer repeats its observations: no tombstone."""
    assert observe(stored, T0, interval=timedelta(0)) == "recorded"
    assert observe(stored, T0, interval=timedelta(0)) == "recorded"

    assert state(stored) == (None, ["content"], [("not_found", 404, T0, False)])
    assert observe(stored, T0 + timedelta(seconds=1), interval=timedelta(0)) == "removed"


def test_redirects_to_the_home_page_and_a_listing_are_evidence(stored):
    assert observe(stored, T0, status=301, reason="redirect_home", final_url="https://mfa/") == (
        "recorded"
    )
    assert (
        observe(
            stored,
            T0 + SIX_HOURS,
            status=302,
            reason="redirect_listing",
            final_url="https://mfa/en/news",
        )
        == "removed"
    )
    assert [e[:2] for e in state(stored)[2]] == [("redirect_home", 301), ("redirect_listing", 302)]


def test_unknown_and_already_removed_articles_store_nothing(stored):
    assert observe(stored, T0, source_id="9999") == "unknown"
    assert observe(stored, T0, interval=timedelta(0)) == "recorded"
    # interval 0: two suffice
    assert observe(stored, T0 + timedelta(seconds=1), interval=timedelta(0)) == "removed"
    assert observe(stored, T0 + SIX_HOURS) == "already_removed"

    with stored() as session:
        assert session.scalar(select(func.count()).select_from(RemovalEvidence)) == 2


def test_a_time_without_an_offset_is_refused(stored):
    with pytest.raises(ValueError, match="observed_at"):
        observe(stored, datetime(2024, 3, 2, 8, 0))
    with stored() as session:
        assert session.scalar(select(func.count()).select_from(RemovalEvidence)) == 0
