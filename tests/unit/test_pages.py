"""Page objects and the processing steps on saved HTML (tests/fixtures/pages), no network.

Expected values come from tests/fixtures/golden or from the replica generator's ground truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.extract.article import DateStatus
from newscrawl.extract.encoding import decode_html
from newscrawl.items import Article
from newscrawl.pages import ArticlePage, NotAnArticle
from newscrawl.pages.extraction import PageExtraction, extract_article
from newscrawl.profiles import profile_by_name
from newscrawl_replica.generate import generate_site
from tests.helpers import FIXTURES

LIVE = "https://www.ict.gov.ir"


def load(site: str, article_id: int) -> tuple[str, str]:
    """(url on the live base, decoded html) of a saved page."""
    folder = FIXTURES / "pages" / site
    meta = json.loads((folder / f"{article_id}.headers.json").read_text("utf-8"))
    _, html = decode_html((folder / f"{article_id}.html").read_bytes(), meta["Content-Type"])
    return meta["path"], html


def extract_saved(site: str, article_id: int, base: str = LIVE) -> tuple[PageExtraction, Article]:
    """The crawl's extraction (page object and steps) of a saved page on *base*."""
    folder = FIXTURES / "pages" / site
    meta = json.loads((folder / f"{article_id}.headers.json").read_text("utf-8"))
    body = (folder / f"{article_id}.html").read_bytes()
    found = extract_article(
        profile_by_name(site), base, base + meta["path"], body, meta["Content-Type"], "2026-11-28T00:00:00Z"
    )
    assert found.item is not None, (found.not_article, found.dropped)
    return found, found.item


def test_seed_article_matches_golden(golden):
    found, item = extract_saved("ict_en", 27012)
    assert item.url == golden["url"] == item.canonical_url
    assert (item.site, item.lang, item.source_id) == (golden["site"], golden["lang"], golden["source_id"])
    assert item.title == golden["title"]
    assert [item.lead, *item.body.split("\n\n")] == golden["paragraphs"]
    assert (item.published_raw, item.published_at, item.published_at_utc) == (
        golden["published_raw"], golden["published_at"], golden["published_at_utc"])
    record = json.dumps([item.title, item.lead, item.body, item.tags])
    for phrase in golden["must_not_contain"]:
        assert phrase not in record
    assert item.tags and not found.lang_mismatch


def test_article_without_date_line_keeps_no_date():
    found, item = extract_saved("ict_en", 26990)
    assert item.published_raw is None
    assert found.date_status is DateStatus.MISSING
    # the related-news block carries dates of its own; none may be taken
    assert item.published_at is None
    assert item.body


@pytest.mark.parametrize("article_id", [59994, 59995, 59996])
def test_persian_encodings_decode_to_the_right_text(article_id):
    spec = generate_site("ict_fa", 60, 0).by_id[article_id]
    _, item = extract_saved("ict_fa", article_id)
    persian = str.maketrans({"ي": "ی", "ك": "ک"})
    assert item.title == spec.title.translate(persian)
    assert item.body.split("\n\n") == [p.translate(persian) for p in spec.paragraphs]


def test_moic_page_date_is_the_articles():
    path, html = load("moic_dr", 11990)
    spec = generate_site("moic_dr", 60, 0).by_id[11990]
    profile = profile_by_name("moic_dr")
    item = ArticlePage("https://moic.gov.af" + path, html, profile).to_item(fetched_at="2026-11-28T00:00:00Z")
    # 11990 has no date line: neither the header's today nor the sidebar's dates may stand in
    assert spec.date_raw is None and item.published_raw is None


def test_url_outside_the_profile_is_not_an_article():
    _, html = load("ict_en", 27012)
    page = ArticlePage("https://www.ict.gov.ir/en/home", html, profile_by_name("ict_en"))
    with pytest.raises(NotAnArticle):
        page.to_item(fetched_at="2026-11-28T00:00:00Z")


def test_soft_404_is_not_an_article():
    page = ArticlePage(LIVE + "/en/news/1/x", "<html><body><p>Page not found</p></body></html>", profile_by_name("ict_en"))
    with pytest.raises(NotAnArticle, match="no title"):
        page.to_item(fetched_at="2026-11-28T00:00:00Z")


def test_language_mismatch_is_noticed():
    _, html = load("ict_en", 27012)
    page = ArticlePage(LIVE + "/en/news/27012/x", html.replace('lang="en"', 'lang="fa"', 1), profile_by_name("ict_en"))
    assert page.page_lang == "fa" and page.lang_mismatch()


def run_extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newscrawl", "extract", *args], capture_output=True, text=True, check=False)


def test_extract_cli_with_profile_prints_the_golden_record(golden):
    page = FIXTURES / "pages" / "ict_en" / "27012.html"
    done = run_extract("--profile", "ict_en", "--url", golden["url"], str(page))
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["title"] == golden["title"]
    assert [record["lead"], *record["body"].split("\n\n")] == golden["paragraphs"]
    assert record["published_at"] == golden["published_at"]


def test_extract_cli_generic_extraction_without_profile(golden):
    page = FIXTURES / "pages" / "ict_en" / "27012.html"
    done = run_extract("--url", golden["url"], "--tz", "Asia/Tehran", str(page))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["title"] == golden["title"]
    assert golden["paragraphs"][5] in record["body"].split("\n\n")
    # the date finder reads the date line under the headline, with its time, in --tz's zone
    assert record["published_at"] == golden["published_at"]
    for phrase in golden["must_not_contain"]:
        assert phrase not in record["body"]


def test_extract_cli_reports_a_bad_file_and_goes_on(tmp_path: Path, golden):
    good = FIXTURES / "pages" / "ict_en" / "27012.html"
    done = run_extract("--profile", "ict_en", "--url", golden["url"], str(tmp_path / "missing.html"), str(good))
    assert done.returncode == 1
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["file"].endswith("missing.html") and "error" in first
    assert second["title"] == golden["title"]


def test_extract_cli_unknown_profile():
    done = run_extract("--profile", "nope", "x.html")
    assert done.returncode == 2 and "unknown site 'nope'" in done.stderr
