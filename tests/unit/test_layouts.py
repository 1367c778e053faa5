"""Profiles with several layouts (``[[layouts]]``): loading, windows, extraction, the fallback.

The fixtures (tests/fixtures/layouts) were written for these tests: a made-up ministry whose
pages changed layout on 1 March 2024 (``moe_en.toml``: layout ``2017`` until then, ``2026``
since), one page of each layout, a page of a later redesign (November 2026) that neither layout reads, and that
redesign's "page not found". Expected fields are read off the HTML by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.health.check import check_health, summary
from newscrawl.items import Article, ArticleResponse
from newscrawl.pages.extraction import PageExtraction, extract_article
from newscrawl.pipelines.extract import ExtractPipeline
from newscrawl.profiles import ProfileError, load_profile, profile_by_name
from newscrawl.profiles.model import Profile
from newscrawl.spiderloader import spider_class
from tests.layout_pages import (
    BASE,
    FOLDER,
    NEW,
    NEW_FIELDS,
    NOT_FOUND,
    OLD,
    OLD_FIELDS,
    PROFILE,
    PROFILE_FILE,
    REDESIGN,
    REDESIGN_PARAGRAPHS,
    page,
)
from tests.pipelines.saved import newscrawl_stats, run


def extract(which: tuple[str, str], fetched_at: str, profile: Profile = PROFILE) -> PageExtraction:
    url, body = page(which)
    return extract_article(profile, BASE, url, body, "text/html; charset=utf-8", fetched_at)


def fields(item: Article | None) -> dict[str, Any]:
    assert item is not None
    return {name: getattr(item, name) for name in OLD_FIELDS}


def with_text(tmp_path: Path, old: str, new: str, text: str | None = None) -> Profile:
    """The fixture profile with *old* replaced by *new*, loaded from a file of its own."""
    text = text if text is not None else PROFILE_FILE.read_text("utf-8")
    assert old in text
    path = tmp_path / "moe_en.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return load_profile(path)


def load_error(tmp_path: Path, old: str, new: str) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        with_text(tmp_path, old, new)
    assert str(caught.value).startswith(str(tmp_path / "moe_en.toml") + ": key '")
    return caught.value


# -- the profile ---------------------------------------------------------------------------------


def test_a_profile_holds_its_layouts_in_order_with_their_windows() -> None:
    assert [(x.name, str(x.since), str(x.until)) for x in PROFILE.layouts] == [
        ("2017", "None", "2024-03-01"),
        ("2026", "2024-03-01", "None"),
    ]
    old, new = PROFILE.layouts
    assert (old.title, old.body, old.paragraphs, old.drop) == ("h1", "div.content", "p", (".share",))
    assert (new.title, new.date) == ("article.post h1.headline", "article.post time")


def test_a_profile_without_layouts_has_its_selectors_as_one_layout_named_default() -> None:
    shipped = profile_by_name("ict_en")
    assert shipped.layouts == ()
    (layout,) = shipped.all_layouts
    assert layout.name == "default" and (layout.since, layout.until) == (None, None)
    assert layout.model_dump(exclude={"name", "since", "until"}) == shipped.selectors.model_dump()
    assert shipped.layouts_at("2017-12-05T18:00:00Z") == shipped.layouts_at("2026-01-01T00:00:00Z") == (layout,)


@pytest.mark.parametrize(
    ("fetched_at", "valid"),
    [
        ("2017-12-05T18:00:00Z", ["2017"]),
        ("2024-02-29T20:29:59Z", ["2017"]),  # 23:59:59 on 29 February in Tehran (+03:30)
        ("2024-02-29T20:30:00Z", ["2026"]),  # already 1 March in Tehran: ``until`` is excluded
        ("2026-11-28T07:00:00Z", ["2026"]),
    ],
)
def test_the_window_is_the_fetch_day_in_the_sites_zone(fetched_at: str, valid: list[str]) -> None:
    assert [layout.name for layout in PROFILE.layouts_at(fetched_at)] == valid


def test_layouts_without_windows_are_all_valid_in_order(tmp_path: Path) -> None:
    text = PROFILE_FILE.read_text("utf-8").replace("until = 2024-03-01\n", "")
    profile = with_text(tmp_path, "since = 2024-03-01\n", "", text)
    assert [x.name for x in profile.layouts_at("2026-11-28T07:00:00Z")] == ["2017", "2026"]


def test_overlapping_windows_are_fine(tmp_path: Path) -> None:
    profile = with_text(tmp_path, "since = 2024-03-01", "since = 2023-06-01")
    assert [x.name for x in profile.layouts_at("2023-12-01T12:00:00Z")] == ["2017", "2026"]


def test_a_window_that_ends_before_it_starts_names_file_key_and_problem(tmp_path: Path) -> None:
    error = load_error(tmp_path, "since = 2024-03-01", "since = 2024-03-01\nuntil = 2017-01-01")
    assert (error.key, error.problem) == (
        "layouts[1]",
        "layout '2026': until (2017-01-01) must be after since (2024-03-01)",
    )
    error = load_error(tmp_path, "since = 2024-03-01", "since = 2024-03-01\nuntil = 2024-03-01")
    assert error.problem == "layout '2026': until (2024-03-01) must be after since (2024-03-01)"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('title = "h1"', 'titel = "h1"', "layouts[0].titel", "unknown key (misspelt?)"),
        ('name = "2017"', 'name = "old layout"', "layouts[0].name", "'old layout' must be letters, digits"),
        ('name = "2017"', 'name = "generic"', "layouts[0].name", "'generic' is reserved"),
        ('name = "2026"', 'name = "2017"', "layouts", "two layouts are named '2017'"),
        ("until = 2024-03-01", "until = 2024-03-01T00:00:00", "layouts[0].until", "must be a date such as 2024-03-01, not the date-time"),
        ("until = 2024-03-01", 'until = "March 2024"', "layouts[0].until", "must be a date such as 2024-03-01, not 'March 2024'"),
        ('title = "h1"', 'title = "h1[["', "layouts[0].title", "invalid CSS selector 'h1[['"),
        ('name = "2017"\n', "", "layouts[0].name", "is required"),
    ],
)
def test_a_broken_layout_names_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    error = load_error(tmp_path, old, new)
    assert error.key == key
    assert error.problem.startswith(problem), error.problem


def test_selectors_and_layouts_together_are_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[dates]", '[selectors]\ntitle = "h1"\n\n[dates]')
    assert error.key == "layouts"
    assert error.problem.startswith("give the selectors in [selectors] or in [[layouts]], not both")


# -- extraction ----------------------------------------------------------------------------------


def test_a_2017_capture_is_read_by_the_2017_layout() -> None:
    found = extract(OLD, "2017-12-05T18:00:00Z")
    assert fields(found.item) == OLD_FIELDS
    assert (found.layout, found.layout_failures, found.missing) == ("2017", (), ())


def test_a_2026_capture_is_read_by_the_2026_layout() -> None:
    found = extract(NEW, "2026-11-28T07:05:00Z")
    assert fields(found.item) == NEW_FIELDS
    assert found.item is not None and found.item.published_at_utc == "2026-11-28T07:00:00Z"
    assert (found.layout, found.layout_failures) == ("2026", ())


def test_without_windows_the_first_layout_that_reads_the_page_wins(tmp_path: Path) -> None:
    text = PROFILE_FILE.read_text("utf-8").replace("until = 2024-03-01\n", "")
    windowless = with_text(tmp_path, "since = 2024-03-01\n", "", text)
    # the 2017 page: the 2017 layout reads it, as with the windows
    old = extract(OLD, "2026-11-28T07:05:00Z", windowless)
    assert fields(old.item) == OLD_FIELDS
    # the 2026 page: the old layout's loose selectors read it too, wrongly (the site's name in
    # the masthead's h1, the "most read" box): the window is what sends it to the new layout
    wrong = extract(NEW, "2026-11-28T07:05:00Z", windowless)
    assert wrong.layout == "2017" and wrong.item is not None
    assert (wrong.item.title, wrong.item.body) == (
        "Ministry of Education",
        "Most read: school holidays for 2027 announced",
    )
    assert fields(extract(NEW, "2026-11-28T07:05:00Z").item) == NEW_FIELDS


def test_a_failed_layout_leaves_the_page_as_parsed_for_the_next_one(tmp_path: Path) -> None:
    # The 2026 layout tried first on the 2017 page, and made to find its body there (div.content)
    # but no title: its drop list ("p" here) must not empty the body the 2017 layout then reads.
    text = PROFILE_FILE.read_text("utf-8")
    first, second = text.split("[[layouts]]")[1:3]
    second, rest = second.split("\n[dates]")
    second = second.replace('body = "article.post section.story"', 'body = "div.content"')
    second = second.replace('drop = ["figure", ".share-bar"]', 'drop = ["p"]')
    swapped = text.split("[[layouts]]")[0] + "[[layouts]]" + second + "\n[[layouts]]" + first + "\n[dates]" + rest
    swapped = swapped.replace("since = 2024-03-01\n", "").replace("until = 2024-03-01\n", "")
    profile = with_text(tmp_path, "[dates]", "[dates]", swapped)
    assert [x.name for x in profile.layouts] == ["2026", "2017"]
    found = extract(OLD, "2017-12-05T18:00:00Z", profile)
    assert fields(found.item) == OLD_FIELDS


def test_a_page_no_layout_reads_is_archived_through_generic_extraction() -> None:
    found = extract(REDESIGN, "2026-11-30T09:00:00Z")
    item = found.item
    assert item is not None and found.layout == item.layout == "generic" and found.fallback_generic
    assert item.title == "New curriculum for science classes from next autumn"
    paragraphs = item.body.split("\n\n")
    for start in REDESIGN_PARAGRAPHS:
        assert sum(p.startswith(start) for p in paragraphs) == 1, start
    assert item.lead is None and item.tags == []
    # the date finder reads its article:published_time, time and offset kept (Tehran, +03:30)
    assert item.published_at == "2026-11-29T08:00:00+03:30"
    # only the 2026 layout is valid in November 2026: it missed both fields
    assert found.layout_failures == (("2026", "title"), ("2026", "body"))


def test_a_not_found_page_in_a_new_design_is_no_article() -> None:
    # No layout reads it and generic extraction finds a title but a one-line body: not archived.
    found = extract(NOT_FOUND, "2026-11-30T09:00:00Z")
    assert found.item is None and found.not_article is not None and "no title" in found.not_article
    assert found.layout is None and not found.fallback_generic
    assert found.layout_failures == (("2026", "title"), ("2026", "body"))


def test_a_2017_capture_fetched_after_the_redesign_is_not_read_by_the_old_layout() -> None:
    # Outside its window the 2017 layout is not tried: generic extraction reads the page.
    found = extract(OLD, "2025-01-01T00:00:00Z")
    assert found.layout == "generic" and found.item is not None
    assert found.item.title == OLD_FIELDS["title"]


# -- in a crawl's pipeline: stats, the flag, the health problem ---------------------------------


def crawl(*pages: tuple[tuple[str, str], str]) -> tuple[list[Any], dict[str, Any]]:
    """The fixture pages (with their fetch times) through the extract pipeline of moe_en."""
    cls = spider_class(PROFILE)
    made = get_crawler(cls, {"NEWSCRAWL_EXTRACT_PROCESSES": 0})
    made.spider = cls.from_crawler(made)
    responses = []
    for which, fetched_at in pages:
        url, body = page(which)
        responses.append(
            ArticleResponse(
                url=url,
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=body,
                source_id=url.split("/")[5],
                fetched_at=fetched_at,
            )
        )
    out = run([ExtractPipeline.from_crawler(made)], responses)
    return out, newscrawl_stats(made)


def test_a_redesign_falls_back_to_generic_with_the_stats_the_flag_and_the_health_problem(
    caplog: pytest.LogCaptureFixture,
) -> None:
    out, stats = crawl(
        (NEW, "2026-11-28T07:05:00Z"),
        (REDESIGN, "2026-11-30T09:00:00Z"),
        (NOT_FOUND, "2026-11-30T09:00:00Z"),
    )
    new, redesigned, not_found = out
    assert isinstance(new, Article) and new.layout == "2026"
    assert isinstance(redesigned, Article) and redesigned.layout == "generic"
    assert isinstance(not_found, DropItem)
    assert stats == {
        "fields/checked": 3,
        "fields/missing/title": 1,  # the not-found page (as read by the 2026 layout)
        "fields/missing/body": 1,
        "fields/missing/date": 1,
        "layout/read/2026": 1,
        "layout/fallback_generic": 1,
        "layout/failed/2026/title": 2,  # the redesigned page and the not-found page
        "layout/failed/2026/body": 2,
        "extract/not_article": 1,
        "article/extracted": 2,
        "clean/ok": 2,
        "dates/parsed": 2,  # the 2026 page, and the redesigned one's article:published_time
        "dates/found_by/meta": 1,  # (generic extraction's date finder)
    }
    assert (
        f"No layout of profile moe_en read {REDESIGN[0]} (missing: 2026 title, 2026 body); "
        "read by generic extraction"
    ) in caplog.messages
    (problem,) = [p for p in check_health({f"newscrawl/{k}": v for k, v in stats.items()}) if p.code == "layout_failed"]
    assert problem.layouts == (("2026", ("title", "body")),)
    assert summary([problem]) == (
        "results look wrong (layout failed: 2026 (title, body)): no layout of the profile read 1 "
        "of 3 article pages, archived through generic extraction (layout 'generic'): "
        "layout '2026' missed title on 2, body on 2"
    )


# -- newscrawl extract ---------------------------------------------------------------------------


def test_newscrawl_extract_reads_a_saved_page_with_the_layouts_of_its_fetch_time() -> None:
    env = {**os.environ, "NEWSCRAWL_SITES_DIR": str(FOLDER)}
    url, _ = OLD

    def extract_cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "newscrawl", "extract", "--profile", "moe_en", "--url", url]
        return subprocess.run(
            [*command, *args, str(FOLDER / OLD[1])], capture_output=True, text=True, env=env, check=False
        )

    then = extract_cli("--fetched-at", "2017-12-05")
    assert then.returncode == 0, then.stderr
    record = json.loads(then.stdout)
    assert {name: record[name] for name in OLD_FIELDS} == OLD_FIELDS
    assert record["fetched_at"] == "2017-12-05T00:00:00Z"
    # fetched now, the old page is outside the 2017 layout's window: generic extraction reads it
    assert json.loads(extract_cli().stdout)["layout"] == "generic"
    wrong = extract_cli("--fetched-at", "last year")
    assert wrong.returncode == 2
    assert "argument --fetched-at: 'last year' is not a date or an ISO 8601 time" in wrong.stderr
