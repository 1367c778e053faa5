"""``reextract`` after a redesign: one two-layout profile reads the 2017 and the 2026 captures.

The story, on the hand-written pages of tests/fixtures/layouts: until the redesign the profile
had only the old selectors (``[selectors]``, the implicit layout ``default``). A 2017 crawl
stored the old page; a 2026 crawl found the new page, which those selectors don't read, and
archived it through generic extraction (``layout = "generic"``). The profile then follows the
2026 layout with two ``[[layouts]]`` (``moe_en.toml``), and ``reextract`` rebuilds both captures:
the 2017 one reads as before (same content: no new revision), the 2026 one now reads with the
2026 layout (a new revision recording it). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.models import Article, Revision
from newscrawl.db.store import save_articles
from newscrawl.items import RawCapture
from newscrawl.pages.extraction import extract_article
from newscrawl.profiles import Profile, load_profile
from newscrawl.reextract import reextract, reextract_capture
from tests.layout_pages import (
    BASE,
    NEW,
    NEW_FIELDS,
    OLD,
    OLD_FIELDS,
    PROFILE,
    PROFILE_FILE,
    page,
)

pytestmark = pytest.mark.db

CONTENT_TYPE = "text/html; charset=utf-8"
OLD_FETCHED = "2017-12-05T18:00:00Z"
NEW_FETCHED = "2026-11-28T07:05:00Z"

#: The profile's selectors before the redesign, as [selectors]: on the old page they read what
#: the 2017 layout reads; the new page has none of their elements.
BEFORE_THE_REDESIGN = """
[selectors]
title = "div.news h1"
lead = "div.news .summary"
body = "div.news div.content"
date = "div.news .date"
tags = "div.news .keywords a"
drop = [".share"]

[dates]"""


def profile_before_the_redesign(tmp_path: Path) -> Profile:
    text = PROFILE_FILE.read_text("utf-8")
    start, end = text.index("# The site as it was"), text.index("[dates]")
    path = tmp_path / "moe_en.toml"
    path.write_text(text[:start] + BEFORE_THE_REDESIGN + text[end + len("[dates]") :], "utf-8")
    profile = load_profile(path)
    assert profile.layouts == () and profile.selectors.body == "div.news div.content"
    return profile


def crawled(profile: Profile, which: tuple[str, str], fetched_at: str):  # type: ignore[no-untyped-def]
    """The Article a crawl with *profile* stores for a fixture page, with its capture."""
    url, body = page(which)
    found = extract_article(profile, BASE, url, body, CONTENT_TYPE, fetched_at)
    assert found.item is not None
    capture = RawCapture(url=url, status=200, headers={"Content-Type": CONTENT_TYPE}, body=body, encoding="utf-8")
    return replace(found.item, capture=capture)


def latest(sessions: sessionmaker[Session]) -> dict[str, Revision]:
    with sessions() as session:
        rows = session.execute(
            select(Article.source_id, Revision).join(Revision, Revision.id == Article.latest_revision_id)
        ).all()
        session.expunge_all()
    return {str(source_id): revision for source_id, revision in rows}


def fields_of(revision: Revision) -> dict[str, object]:
    return {name: getattr(revision, name) for name in OLD_FIELDS}


def test_reextract_reads_each_capture_with_the_layout_of_its_fetch_time(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    before = profile_before_the_redesign(tmp_path)
    old, new = crawled(before, OLD, OLD_FETCHED), crawled(before, NEW, NEW_FETCHED)
    # what the crawls stored: the old page read by the old selectors, the new one by the fallback
    assert (old.layout, new.layout) == ("default", "generic")
    assert {name: getattr(old, name) for name in OLD_FIELDS} == {**OLD_FIELDS, "layout": "default"}
    assert new.title == NEW_FIELDS["title"] and new.lead is None
    with session_factory.begin() as session:
        assert save_articles(session, [old, new]).new == 2
    stored = latest(session_factory)
    assert (stored["1187"].layout, stored["9342"].layout) == ("default", "generic")

    result = reextract(session_factory, {"moe_en": PROFILE})

    assert (result.examined, result.updated, result.unchanged, result.failures) == (2, 1, 1, [])
    now = latest(session_factory)
    # the 2017 capture: read by the 2017 layout, the same content, so the same revision
    assert now["1187"].id == stored["1187"].id
    assert fields_of(now["1187"]) == {**OLD_FIELDS, "layout": "default"}
    # the 2026 capture: read by the 2026 layout now, a new revision on the same capture
    assert now["9342"].id != stored["9342"].id
    assert now["9342"].capture_id == stored["9342"].capture_id
    assert fields_of(now["9342"]) == NEW_FIELDS
    # what reextract makes of each capture with the two-layout profile
    with session_factory() as session:
        for source_id, expected in (("1187", OLD_FIELDS), ("9342", NEW_FIELDS)):
            article = session.scalars(select(Article).where(Article.source_id == source_id)).one()
            revision = session.get_one(Revision, article.latest_revision_id)
            assert revision.capture is not None
            found = reextract_capture(article, revision, revision.capture, PROFILE)
            assert found.item is not None
            assert {name: getattr(found.item, name) for name in OLD_FIELDS} == expected
