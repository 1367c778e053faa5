"""Volatile regions: a profile's ``[volatile]`` selectors and patterns, from the page to the score.

The page is tests/fixtures/changes/article.html (written by hand); each test edits it in a known
way and extracts both versions with the crawl's one extraction path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.changes.render import render_ops
from newscrawl.changes.score import ALERT_THRESHOLD, Snapshot, compare
from newscrawl.items import EXPORT_FIELDS, Article
from newscrawl.pages.extraction import extract_article
from newscrawl.profiles import ProfileError, load_profile
from tests.helpers import FIXTURES
from tests.unit.test_profiles import VALID

PAGE = (FIXTURES / "changes" / "article.html").read_text("utf-8")
URL = "https://demo.example/news/77"

# The profile of tests/unit/test_profiles.py, with a date selector and volatile regions.
PROFILE_TOML = VALID.replace('body = ".body"', 'body = ".body"\ndate = ".date"') + """
[volatile]
selectors = [".views", ".share-count"]
patterns = ['Updated: [^.]*\\.']
"""


@pytest.fixture
def profile(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "demo_site.toml"
    path.write_text(PROFILE_TOML, encoding="utf-8")
    return load_profile(path)


def extract(profile, html: str) -> Article:  # type: ignore[no-untyped-def]
    found = extract_article(profile, profile.base_url, URL, html.encode(), "text/html; charset=utf-8", "2024-05-02T00:00:00Z")
    assert found.item is not None, found
    return found.item


def snapshot(item: Article) -> Snapshot:
    return Snapshot(item.title or "", item.lead, item.body, item.published_at, item.volatile)


def test_extraction_records_the_volatile_texts(profile) -> None:
    item = extract(profile, PAGE)
    assert item.volatile == ["Views: 1,204", "Shared 88 times", "Updated: 2 May 2024, 10:15."]
    assert "Views: 1,204" in item.body  # the text stays in the article
    assert "volatile" not in EXPORT_FIELDS


def test_a_counter_and_a_stamp_change_score_zero_and_are_marked(profile) -> None:
    old = extract(profile, PAGE)
    new = extract(profile, PAGE.replace("Views: 1,204", "Views: 1,377").replace("10:15", "16:40"))
    assert old.content_hash != new.content_hash  # a new revision, which ...
    change = compare(snapshot(old), snapshot(new))
    assert change.score == 0  # ... counts for nothing
    assert change.reasons == ["volatile regions only"]
    plain = render_ops(change.diff["text"], new.body, "plain")
    assert "Views: (~{-1,204-}[+1,377+]~)" in plain
    assert "(~{-10:15.-}[+16:40.+]~)" in plain


def test_a_real_edit_beside_the_counter_still_counts(profile) -> None:
    old = extract(profile, PAGE)
    new = extract(profile, PAGE.replace("Views: 1,204", "Views: 1,377").replace("met 120 families", "met 150 families"))
    change = compare(snapshot(old), snapshot(new))
    assert "number changed: 120 → 150" in change.reasons
    assert change.score >= ALERT_THRESHOLD


def test_without_the_rules_the_counter_counts(profile) -> None:
    bare = profile.model_copy(update={"volatile": type(profile.volatile)()})
    old = extract(bare, PAGE)
    new = extract(bare, PAGE.replace("Views: 1,204", "Views: 1,377"))
    change = compare(snapshot(old), snapshot(new))
    assert change.score > 0.5  # a number changed: exactly why a profile marks it volatile


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("patterns = ['Updated: [^.]*\\.']", "patterns = ['Updated: [']", "volatile.patterns[0]", "invalid regular expression"),
        ('selectors = [".views", ".share-count"]', 'selectors = [".views[["]', "volatile.selectors[0]", "invalid CSS selector"),
        ('selectors = [".views", ".share-count"]', 'selector = [".views"]', "volatile.selector", "unknown key"),
    ],
)
def test_a_broken_volatile_rule_names_its_key(tmp_path: Path, old: str, new: str, key: str, problem: str) -> None:
    assert old in PROFILE_TOML
    path = tmp_path / "demo_site.toml"
    path.write_text(PROFILE_TOML.replace(old, new), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message and f"'{key}'" in message and problem in message
