"""extract_article: one saved article response in, one PageExtraction out, here or in a worker.

Expected values come from tests/fixtures/golden (the seed article) and from edits of its saved HTML
whose effect is known: a removed title, body or date line, another page language.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from newscrawl.extract.article import DateStatus
from newscrawl.pages.extraction import (
    SavedPage,
    extract_article,
    extract_in_worker,
    init_worker,
    saved_page,
)
from newscrawl.profiles import profile_by_name
from newscrawl.workers import WorkerPool
from tests.helpers import FIXTURES

LIVE = "https://www.ict.gov.ir"
FETCHED = "2026-11-28T00:00:00Z"
PROFILE = profile_by_name("ict_en")
FOLDER = FIXTURES / "pages" / "ict_en"
META = json.loads((FOLDER / "27012.headers.json").read_text("utf-8"))
URL = LIVE + META["path"]
BODY = (FOLDER / "27012.html").read_bytes()


def extract(body: bytes = BODY, content_type: str | None = META["Content-Type"], date_raw: str | None = None):  # type: ignore[no-untyped-def]
    return extract_article(PROFILE, LIVE, URL, body, content_type, FETCHED, date_raw)


def without_date(html: str, golden: dict[str, Any]) -> str:
    assert html.count(golden["published_raw"]) >= 1
    return html.replace(golden["published_raw"], "")


def test_the_seed_page_gives_the_golden_fields(golden) -> None:
    found = extract()
    assert found.item is not None and found.not_article is None
    assert found.missing == ()
    assert found.encoding == "utf-8"
    assert (found.page_lang, found.lang_mismatch) == ("en", False)
    assert found.item.title == golden["title"]
    assert found.item.published_raw == golden["published_raw"]
    assert found.item.source_id == golden["source_id"]
    assert found.item.fetched_at == FETCHED


def test_the_steps_run_with_the_extraction(golden) -> None:
    found = extract()
    assert found.item is not None
    assert (found.dropped, found.date_status) == (None, DateStatus.PARSED)
    assert (found.item.published_at, found.item.published_at_utc) == (golden["published_at"], golden["published_at_utc"])
    body = found.item.body
    for boilerplate in golden["must_not_contain"]:
        assert boilerplate not in body
    assert found.item.content_hash is not None and len(found.item.content_hash) == 64
    assert not found.date_from_feed


def test_the_feed_date_stands_in_for_a_missing_page_date(golden) -> None:
    found = extract(without_date(BODY.decode("utf-8"), golden).encode("utf-8"), date_raw="Dec 6, 2017 08:05")
    assert found.item is not None and found.date_from_feed
    assert found.item.published_raw == "Dec 6, 2017 08:05"
    assert found.item.published_at == "2017-12-06T08:05:00+03:30"  # Tehran, no DST in December
    assert found.date_status is DateStatus.PARSED


def test_the_page_date_wins_over_the_feed_date(golden) -> None:
    found = extract(date_raw="Dec 6, 2017 08:05")
    assert found.item is not None and not found.date_from_feed
    assert found.item.published_at == golden["published_at"]


def test_an_article_the_clean_step_drops_says_why_and_is_not_dated(golden) -> None:
    html = BODY.decode("utf-8")
    for paragraph in golden["paragraphs"]:
        html = html.replace(paragraph, "")
    found = extract(html.encode("utf-8"))
    assert found.item is None and found.not_article is None
    assert (found.dropped, found.date_status) == ("empty_body", None)


def test_a_page_without_title_is_not_an_article_and_says_what_it_lacks(golden) -> None:
    html = BODY.decode("utf-8")
    title = golden["title"]
    assert html.count(title) >= 1
    found = extract(html.replace(title, "").encode("utf-8"))
    assert found.item is None
    assert found.not_article is not None and "no title" in found.not_article
    assert "title" in found.missing and "body" not in found.missing


def test_missing_body_and_date_are_reported_with_the_item(golden) -> None:
    html = BODY.decode("utf-8")
    for paragraph in golden["paragraphs"]:
        html = html.replace(paragraph, "")
    found = extract(without_date(html, golden).encode("utf-8"))
    assert found.missing == ("body", "date")


def test_another_page_language_is_reported() -> None:
    html = BODY.decode("utf-8")
    assert '<html lang="en"' in html
    found = extract(html.replace('<html lang="en"', '<html lang="fa"', 1).encode("utf-8"))
    assert (found.page_lang, found.lang_mismatch) == ("fa", True)


def test_a_worker_process_gives_the_same_extraction() -> None:
    pool = WorkerPool("extract", 1, initializer=init_worker, initargs=(PROFILE, LIVE))
    try:
        remote = asyncio.run(pool.run(extract_in_worker, URL, BODY, META["Content-Type"], FETCHED, None))
    finally:
        pool.close()
    assert remote == extract()


def test_the_worker_function_needs_its_initializer() -> None:
    with pytest.raises(RuntimeError, match="init_worker"):
        extract_in_worker(URL, BODY, None, FETCHED, None)


def test_the_base_url_puts_the_canonical_url_on_the_crawls_host_and_accepts_its_host() -> None:
    replica = "http://127.0.0.1:8400"
    found = extract_article(PROFILE, replica, replica + META["path"], BODY, META["Content-Type"], FETCHED)
    assert found.item is not None and found.item.canonical_url == replica + META["path"]
    # On the live base, a loopback URL is not the site's: not an article.
    found = extract_article(PROFILE, LIVE, replica + META["path"], BODY, META["Content-Type"], FETCHED)
    assert found.item is None and found.not_article is not None and "URL does not match" in found.not_article


def test_a_saved_page_declares_its_url_and_language() -> None:
    # The saved pages' rel=canonical is a path: not a URL the page can be extracted at.
    assert saved_page(BODY) == SavedPage(url=None, lang="en")
    html = BODY.decode("utf-8").replace('<html lang="en"', '<html lang="fa-IR"', 1)
    html = html.replace("<head>", '<head><meta property="og:url" content=" https://www.ict.gov.ir/en/news/5 ">', 1)
    assert saved_page(html.encode("utf-8")) == SavedPage(url="https://www.ict.gov.ir/en/news/5", lang="fa")
    moic = (FIXTURES / "pages" / "moic_dr" / "11990.html").read_bytes()
    assert saved_page(moic).lang == "fa"  # fa-AF: the primary subtag


def test_content_hash_of_a_long_body_is_the_sha256_of_its_utf8():
    """The body is hashed a slice at a time; the digest is still that of the whole text."""
    import hashlib

    from newscrawl.extract.article import content_hash
    from newscrawl.items import Article

    body = "خبر ۱ سلام\n\n" * 250_000  # 3 M characters, 2 bytes each in UTF-8: slices end mid-text
    item = Article(
        url="https://x/1", canonical_url="https://x/1", site="x", lang="fa", source_id="1",
        title="عنوان", lead=None, body=body, published_at="2024-03-01T10:00:00+03:30",
    )  # fmt: skip
    whole = "عنوان" + "\x1f" + "" + "\x1f" + body + "\x1f" + "2024-03-01T10:00:00+03:30" + "\x1f"
    assert content_hash(item) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
