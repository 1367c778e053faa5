"""find_article, revisions and count_articles."""

from __future__ import annotations

import pytest

from newscrawl.db.queries import count_articles, find_article, parse_key, revisions
from newscrawl.db.store import save_articles

pytestmark = pytest.mark.db


@pytest.fixture
def stored(session_factory, make_record):
    with session_factory.begin() as session:
        save_articles(
            session,
            [
                make_record("1001"),
                make_record("1001", lang="fa"),
                make_record("77", site="moh"),
            ],
        )
    with session_factory.begin() as session:
        save_articles(
            session,
            [make_record("1001", url="https://mfa.example/en/news/1001?page=2", body="edited")],
        )
    return session_factory


@pytest.mark.parametrize(
    "ref",
    [
        "mfa:en:1001",
        "https://mfa.example/en/news/1001",  # canonical URL
        "https://mfa.example/en/news/1001?page=2",  # last fetched URL
        "https://mfa.example/en/news/1001?ref=list",  # URL of an older revision
        "  mfa:en:1001\n",
    ],
)
def test_find_article(stored, ref):
    with stored() as session:
        article = find_article(session, ref)
        assert article is not None
        assert article.key == "mfa:en:1001"


@pytest.mark.parametrize("ref", ["mfa:de:1001", "https://mfa.example/none", "nothing"])
def test_find_article_unknown(stored, ref):
    with stored() as session:
        assert find_article(session, ref) is None


def test_revisions_in_order(stored):
    with stored() as session:
        article = find_article(session, "mfa:en:1001")
        assert article is not None
        chain = revisions(session, article.id)
        assert [r.body for r in chain] == ["First paragraph.\n\nold sentence", "edited"]
        assert revisions(session, -1) == []


def test_count_articles(stored):
    with stored() as session:
        assert count_articles(session) == 3
        assert count_articles(session, site="mfa") == 2
        assert count_articles(session, site="moh") == 1
        assert count_articles(session, site="nope") == 0


def test_parse_key():
    assert parse_key("mfa:en:1001") == ("mfa", "en", "1001")
    assert parse_key("https://mfa.example/en:1") is None
    assert parse_key("mfa:en") is None
