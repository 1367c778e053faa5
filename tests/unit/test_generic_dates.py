"""Dates on the generic path end to end: ``extract_article`` with the generic profile that
``newscrawl extract`` uses, on pages written for these tests (tests/fixtures/datefinder)."""

from __future__ import annotations

from pathlib import Path

from newscrawl.cli.extract import generic_profile
from newscrawl.extract.article import DateStatus
from newscrawl.pages.extraction import PageExtraction, extract_article

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "datefinder"
FETCHED = "2026-12-02T10:00:00Z"


def extracted(html: str | bytes, zone: str, url: str = "https://www.example.gov/fa/news/7") -> PageExtraction:
    body = html.encode("utf-8") if isinstance(html, str) else html
    profile = generic_profile(url, "fa", zone)
    return extract_article(profile, "https://www.example.gov", url, body, "text/html; charset=utf-8", FETCHED)


def test_the_visible_jalali_date_is_the_articles_with_its_time() -> None:
    found = extracted((FIXTURES / "fa_visible_jalali.html").read_bytes(), "Asia/Tehran")
    assert found.item is not None
    # 2 Tir 1399 is 2020-06-22 (see test_datefinder); 12:09:08 in the afternoon, +04:30 that summer
    assert (found.item.published_at, found.item.published_at_utc) == (
        "2020-06-22T12:09:08+04:30",
        "2020-06-22T07:39:08Z",
    )
    assert (found.date_status, found.date_evidence, found.date_conflict) == (DateStatus.PARSED, "visible", False)


def test_disagreeing_dates_leave_the_article_undated_and_say_so() -> None:
    found = extracted((FIXTURES / "fa_conflict.html").read_bytes(), "Asia/Tehran")
    assert found.item is not None and found.item.body  # archived, only without a date
    assert (found.item.published_at, found.date_status, found.date_conflict) == (None, DateStatus.MISSING, True)


def test_a_copyright_year_is_not_a_date_even_for_htmldate() -> None:
    text = "The ministry described its broadband plans for the provinces in a long statement. " * 4
    page = (
        "<html><head><title>Broadband plans</title></head><body><h1>Broadband plans</h1>"
        f"<p>{text}</p><p>{text}</p><footer>&copy; 2016 Ministry. All rights reserved.</footer>"
        "</body></html>"
    )
    found = extracted(page, "Asia/Tehran", "https://www.example.gov/en/news/7")
    assert found.item is not None
    assert (found.item.published_at, found.date_evidence) == (None, None)


def test_a_feed_date_stands_in_only_when_the_page_has_none() -> None:
    url = "https://www.example.gov/en/news/7"
    text = "The ministry described its broadband plans for the provinces in a long statement. " * 4
    page = f"<html><body><h1>Broadband plans</h1><p>{text}</p><p>{text}</p></body></html>"
    profile = generic_profile(url, "en", "Asia/Tehran")
    body = page.encode()
    found = extract_article(profile, "https://www.example.gov", url, body, None, FETCHED, "2024-01-02")
    assert found.item is not None
    assert (found.item.published_at, found.date_from_feed, found.date_evidence) == ("2024-01-02", True, None)
