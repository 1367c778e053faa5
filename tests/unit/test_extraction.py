"""extract_article: one saved article response in, one PageExtraction out, here or in a worker.

Expected values come from ../shared/golden (the seed article) and from edits of its saved HTML
whose effect is known: a removed title, body or date line, another page language.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from newscrawl.pages.extraction import extract_article, extract_in_worker, init_worker
from newscrawl.profiles import profile_by_name
from newscrawl.workers import WorkerPool
from tests.helpers import FIXTURES, SHARED

GOLDEN = json.loads((SHARED / "golden" / "ict_en_27012.json").read_text("utf-8"))
LIVE = "https://www.ict.gov.ir"
FETCHED = "2026-11-28T00:00:00Z"
PROFILE = profile_by_name("ict_en")
FOLDER = FIXTURES / "pages" / "ict_en"
META = json.loads((FOLDER / "27012.headers.json").read_text("utf-8"))
URL = LIVE + META["path"]
BODY = (FOLDER / "27012.html").read_bytes()


def extract(body: bytes = BODY, content_type: str | None = META["Content-Type"]):  # type: ignore[no-untyped-def]
    return extract_article(PROFILE, LIVE, URL, body, content_type, FETCHED)


def test_the_seed_page_gives_the_golden_fields() -> None:
    found = extract()
    assert found.item is not None and found.not_article is None
    assert found.missing == ()
    assert found.encoding == "utf-8"
    assert (found.page_lang, found.lang_mismatch) == ("en", False)
    assert found.item.title == GOLDEN["title"]
    assert found.item.published_raw == GOLDEN["published_raw"]
    assert found.item.source_id == GOLDEN["source_id"]
    assert found.item.fetched_at == FETCHED


def test_a_page_without_title_is_not_an_article_and_says_what_it_lacks() -> None:
    html = BODY.decode("utf-8")
    title = GOLDEN["title"]
    assert html.count(title) >= 1
    found = extract(html.replace(title, "").encode("utf-8"))
    assert found.item is None
    assert found.not_article is not None and "no title" in found.not_article
    assert "title" in found.missing and "body" not in found.missing


def test_missing_body_and_date_are_reported_with_the_item() -> None:
    html = BODY.decode("utf-8")
    for paragraph in GOLDEN["paragraphs"]:
        html = html.replace(paragraph, "")
    html = html.replace(GOLDEN["published_raw"], "")
    found = extract(html.encode("utf-8"))
    assert found.missing == ("body", "date")


def test_another_page_language_is_reported() -> None:
    html = BODY.decode("utf-8")
    assert '<html lang="en"' in html
    found = extract(html.replace('<html lang="en"', '<html lang="fa"', 1).encode("utf-8"))
    assert (found.page_lang, found.lang_mismatch) == ("fa", True)


def test_a_worker_process_gives_the_same_extraction() -> None:
    pool = WorkerPool("extract", 1, initializer=init_worker, initargs=(PROFILE, LIVE))
    try:
        remote = asyncio.run(pool.run(extract_in_worker, URL, BODY, META["Content-Type"], FETCHED))
    finally:
        pool.close()
    assert remote == extract()


def test_the_worker_function_needs_its_initializer() -> None:
    with pytest.raises(RuntimeError, match="init_worker"):
        extract_in_worker(URL, BODY, None, FETCHED)
