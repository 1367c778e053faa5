"""The stats keys module: families name their members, readers never rebuild keys from strings."""

from __future__ import annotations

from newscrawl import stats
from newscrawl.health.check import field_counts
from newscrawl.health.outcome import run_counts


def test_a_family_lists_its_non_zero_members_sorted() -> None:
    raw = {
        "newscrawl/clean/dropped/empty_body": 2,
        "newscrawl/clean/dropped/boilerplate": 1,
        "newscrawl/clean/dropped/zero": 0,
        "newscrawl/clean/ok": 9,
        "newscrawl/clean/droppedx": 5,
    }
    assert stats.CLEAN_DROPPED.key("empty_body") == "newscrawl/clean/dropped/empty_body"
    assert stats.CLEAN_DROPPED.members(raw) == {"boilerplate": 1, "empty_body": 2}
    assert list(stats.CLEAN_DROPPED.members(raw)) == ["boilerplate", "empty_body"]


def test_count_reads_numbers_only() -> None:
    raw = {"newscrawl/article/extracted": 4, "newscrawl/health/message": "text"}
    assert stats.count(raw, stats.ARTICLE_EXTRACTED) == 4
    assert stats.count(raw, stats.HEALTH_MESSAGE) == 0
    assert stats.count(raw, "newscrawl/unset") == 0


def test_the_readers_see_what_the_written_keys_say() -> None:
    # written as the components write them, in full, by hand
    raw = {
        "newscrawl/article/extracted": 7,
        "newscrawl/extract/not_article": 1,
        "newscrawl/fields/checked": 8,
        "newscrawl/fields/missing/date": 3,
        "newscrawl/clean/dropped/empty_body": 2,
        "newscrawl/dates/unparsed": 1,
        "newscrawl/article/http_error/404": 2,
        "newscrawl/persist/new": 5,
        "newscrawl/dedup/duplicate": 1,
        "newscrawl/article/duplicate_link": 2,
    }
    counts = run_counts(raw)
    assert counts["articles"] == 7 and counts["new"] == 5 and counts["duplicates"] == 3
    assert counts["dropped"] == {"empty_body": 2}
    assert counts["errors"] == {"http_error/404": 2}
    assert counts["fields"] == {"checked": 8, "missing": {"date": 3}}
    fields = field_counts(raw)
    assert fields.pages == 8
    assert fields.missing == {"title": 1, "body": 2, "date": 3}
