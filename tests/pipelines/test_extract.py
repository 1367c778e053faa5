"""ExtractPipeline on saved pages and edits of them: what it keeps, drops, counts and logs.

The seed page (ict_en 27012) gives the golden record (tests/fixtures/golden); each edit of it has an
effect known without running the code: a removed title is not an article, a body made only of the
profile's boilerplate is empty after cleaning, a boilerplate paragraph added to the body is gone
from the record, a date string in Tehran's summer has Iran's daylight-saving offset (+04:30 in
2017), a page with no date line keeps no date.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import pytest
from scrapy.exceptions import DropItem

from newscrawl.items import EXPORT_FIELDS, Article, ArticleResponse
from newscrawl.pipelines.extract import ExtractPipeline
from tests.pipelines.saved import LIVE, crawler, newscrawl_stats, response, run, saved

PATH, CONTENT_TYPE, BODY = saved("ict_en", 27012)
SEED = BODY.decode("utf-8")
BODY_RE = re.compile(r'(<div class="news-body">)(.*?)(</div>)', re.DOTALL)


def seed(html: str = SEED, path: str = PATH, **kwargs: Any) -> ArticleResponse:
    return response(html, path, content_type=CONTENT_TYPE, **kwargs)


def extract(*responses: ArticleResponse, **settings: Any) -> tuple[list[Any], dict[str, Any]]:
    made = crawler(**settings)
    out = run([ExtractPipeline.from_crawler(made)], responses)
    return out, newscrawl_stats(made)


def with_body(html: str, paragraphs: list[str]) -> str:
    """The page with its body replaced by these paragraphs."""
    new = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    replaced, count = BODY_RE.subn(lambda m: m.group(1) + new + m.group(3), html, count=1)
    assert count == 1
    return replaced


def replaced(html: str, old: str, new: str) -> str:
    assert old in html
    return html.replace(old, new)


def expected_hash(title: str, lead: str | None, body: str, published_at: str | None) -> str:
    # README: sha256 (hex) of the cleaned title, lead, body and published_at (unit-separated)
    return hashlib.sha256(
        b"".join((part or "").encode("utf-8") + b"\x1f" for part in (title, lead, body, published_at))
    ).hexdigest()


def test_the_seed_page_becomes_the_golden_article_with_its_capture(golden) -> None:
    (item,), stats = extract(seed())
    assert isinstance(item, Article)
    lead, *body = golden["paragraphs"]
    assert item.url == item.canonical_url == golden["url"]  # the page's rel=canonical
    assert (item.title, item.lead, item.body.split("\n\n")) == (golden["title"], lead, body)
    assert (item.published_at, item.published_at_utc) == (golden["published_at"], golden["published_at_utc"])
    assert item.content_hash == expected_hash(golden["title"], lead, "\n\n".join(body), golden["published_at"])
    assert item.capture is not None
    assert (item.capture.url, item.capture.body, item.capture.encoding) == (golden["url"], BODY, "utf-8")
    # the response as fetched, for reextract and the WARC records (saved.response: 200, its header)
    assert (item.capture.status, item.capture.headers) == (200, {"Content-Type": CONTENT_TYPE})
    # ict_en has no [[layouts]]: its [selectors] are the one layout, "default"
    assert item.layout == "default"
    assert stats == {
        "fields/checked": 1,
        "layout/read/default": 1,
        "article/extracted": 1,
        "clean/ok": 1,
        "dates/parsed": 1,
    }


def test_other_items_pass_through() -> None:
    other = {"not": "an article response"}
    (out,), stats = extract(other)  # type: ignore[arg-type]
    assert out is other and stats == {}


@pytest.mark.parametrize(
    "phrase",
    [
        "Characters left: 500",  # the comment form's counter
        "Share: Facebook Twitter Telegram",  # share links
        "Related news: ICT Minister Visits East Azarbaijan",  # a related-news line
        "Iran, Azerbaijan aim for ICT Cooperation",  # the title, repeated as a paragraph
    ],
)
def test_a_boilerplate_paragraph_in_the_body_is_removed(golden, phrase: str) -> None:
    body = golden["paragraphs"][1:]
    html = with_body(SEED, [phrase, *body[:3], phrase, *body[3:]])
    (item,), stats = extract(seed(html))
    assert isinstance(item, Article)
    assert item.body.split("\n\n") == body
    assert phrase not in item.body
    assert stats["clean/ok"] == 1


def test_a_body_of_only_boilerplate_is_dropped_as_empty() -> None:
    html = with_body(SEED, ["Characters left: 500", "Share: Facebook X", "Related: More news"])
    (dropped,), stats = extract(seed(html))
    assert isinstance(dropped, DropItem)
    assert str(dropped) == f"empty_body: {LIVE + PATH}"
    # The HTML had body paragraphs (so not "missing", and the layout read them); cleaning emptied them.
    assert stats == {
        "fields/checked": 1,
        "layout/read/default": 1,
        "article/extracted": 1,
        "clean/dropped/empty_body": 1,
    }


def test_a_page_without_title_is_dropped_as_not_an_article(golden, caplog: pytest.LogCaptureFixture) -> None:
    html = replaced(SEED, f'<h1 class="news-title">{golden["title"]}</h1>', "")
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (dropped,), stats = extract(seed(html))
    assert isinstance(dropped, DropItem) and LIVE + PATH in str(dropped)
    # The layout missed the title but found its body: no redesign, so no generic fallback.
    assert stats == {
        "fields/checked": 1,
        "fields/missing/title": 1,
        "layout/failed/default/title": 1,
        "extract/not_article": 1,
    }
    assert [r.getMessage() for r in caplog.records] == [
        f"Not an article: {LIVE + PATH} (no title found (soft 404 or a page that is not an article))"
    ]


def test_a_url_outside_the_profile_is_not_an_article() -> None:
    (dropped,), stats = extract(seed(path="/en/about"))
    assert isinstance(dropped, DropItem)
    assert stats["extract/not_article"] == 1 and "article/extracted" not in stats


def test_an_extraction_error_is_counted_logged_and_dropped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr("newscrawl.pipelines.extract.extract_article", broken)
    with caplog.at_level(logging.ERROR, logger="newscrawl.pipelines.extract"):
        (dropped,), stats = extract(seed())
    assert isinstance(dropped, DropItem) and str(dropped) == f"extraction failed: {LIVE + PATH}"
    assert stats == {"extract/failed": 1}
    assert [r.getMessage() for r in caplog.records] == [f"Extraction failed: {LIVE + PATH}"]


def test_the_date_is_read_in_the_sites_zone_with_its_daylight_saving(golden) -> None:
    # Iran kept daylight-saving time until 2022: +04:30 from 22 March to 21 September.
    summer = replaced(SEED, golden["published_raw"], "Jun 5, 2017 10:00")
    winter, summer_item = extract(seed(), seed(summer))[0]
    assert (winter.published_at, winter.published_at_utc) == ("2017-12-05T21:27:00+03:30", "2017-12-05T17:57:00Z")
    assert (summer_item.published_at, summer_item.published_at_utc) == (
        "2017-06-05T10:00:00+04:30",
        "2017-06-05T05:30:00Z",
    )


def test_a_page_without_a_date_is_kept_without_one_and_warned_about(
    golden, caplog: pytest.LogCaptureFixture
) -> None:
    html = replaced(SEED, golden["published_raw"], "")
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (item,), stats = extract(seed(html))
    assert isinstance(item, Article) and item.published_at is None and item.published_raw is None
    assert stats["fields/missing/date"] == 1 and stats["dates/missing"] == 1
    assert [r.getMessage() for r in caplog.records] == [f"No date on article {LIVE + PATH}; stored without one"]


def test_an_unreadable_date_is_kept_raw_and_warned_about(golden, caplog: pytest.LogCaptureFixture) -> None:
    html = replaced(SEED, golden["published_raw"], "sometime last winter")
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (item,), stats = extract(seed(html))
    assert isinstance(item, Article) and item.published_at is None
    assert item.published_raw == "sometime last winter"
    assert stats["dates/unparsed"] == 1 and "fields/missing/date" not in stats
    assert [r.getMessage() for r in caplog.records] == [
        f"Unreadable date 'sometime last winter' on article {LIVE + PATH}; stored without one"
    ]


def test_the_feed_date_stands_in_for_a_missing_page_date(golden) -> None:
    html = replaced(SEED, golden["published_raw"], "")
    (item,), stats = extract(seed(html, date_raw="Dec 6, 2017 08:05"))
    assert isinstance(item, Article) and item.published_at == "2017-12-06T08:05:00+03:30"
    assert stats["dates/from_feed"] == 1 and stats["dates/parsed"] == 1
    assert stats["fields/missing/date"] == 1  # the page itself lacks it (run health)
    (item,), stats = extract(seed(date_raw="Dec 6, 2017 08:05"))
    assert item.published_at == golden["published_at"] and "dates/from_feed" not in stats


def test_another_page_language_is_counted_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    html = replaced(SEED, '<html lang="en"', '<html lang="fa"')
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (item,), stats = extract(seed(html))
    assert isinstance(item, Article) and item.lang == "en"
    assert stats["lang/mismatch"] == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"Page language 'fa' differs from profile language 'en': {LIVE + PATH}"
    ]


def test_the_canonical_url_is_on_the_crawls_base_url() -> None:
    # A replica's loopback base: the page is the site's, and its canonical URL is on that base
    # (the saved page's rel=canonical is a path, its slug kept).
    base = "http://127.0.0.1:8400"
    made = crawler(base_url=base)
    (item,) = run([ExtractPipeline.from_crawler(made)], [response(SEED, PATH, base=base)])
    assert isinstance(item, Article) and item.canonical_url == base + PATH


def a_mixed_crawl(golden: dict[str, Any]) -> list[ArticleResponse]:
    """One of each outcome: kept, not an article, dropped by cleaning, no date, another language."""
    body = golden["paragraphs"][1:]
    return [
        seed(),
        seed(replaced(SEED, f'<h1 class="news-title">{golden["title"]}</h1>', "")),
        seed(with_body(SEED, ["Characters left: 500"])),
        seed(replaced(SEED, golden["published_raw"], ""), date_raw="Dec 6, 2017 08:05"),
        seed(with_body(replaced(SEED, '<html lang="en"', '<html lang="fa"'), ["Share: X", *body[:2]])),
    ]


def records(out: list[Any]) -> list[Any]:
    return [
        {**{name: getattr(x, name) for name in EXPORT_FIELDS}, "capture": x.capture}
        if isinstance(x, Article)
        else str(x)
        for x in out
    ]


def test_a_worker_process_gives_the_same_records_and_counts(golden) -> None:
    local, local_stats = extract(*a_mixed_crawl(golden), NEWSCRAWL_EXTRACT_PROCESSES=0)
    remote, remote_stats = extract(
        *a_mixed_crawl(golden), NEWSCRAWL_EXTRACT_PROCESSES=1, NEWSCRAWL_WORKERS_START_AFTER=0
    )
    assert [type(x) for x in local] == [Article, DropItem, DropItem, Article, Article]
    assert records(remote) == records(local)
    assert remote_stats == local_stats == {
        "fields/checked": 5,
        "fields/missing/title": 1,
        "fields/missing/date": 1,
        "layout/read/default": 4,  # all but the page without a title
        "layout/failed/default/title": 1,
        "extract/not_article": 1,
        "article/extracted": 4,
        "clean/dropped/empty_body": 1,
        "clean/ok": 3,
        "dates/parsed": 3,
        "dates/from_feed": 1,
        "lang/mismatch": 1,
    }


def test_with_a_worker_process_the_extraction_runs_there(golden, monkeypatch) -> None:
    """NEWSCRAWL_EXTRACT_PROCESSES=1 extracts in the (spawned) worker, not in the crawl's process."""

    def not_here(*args: Any) -> None:
        raise AssertionError("extracted in the crawl's own process")

    monkeypatch.setattr("newscrawl.pipelines.extract.extract_article", not_here)
    (item,), _ = extract(seed(), NEWSCRAWL_EXTRACT_PROCESSES=1, NEWSCRAWL_WORKERS_START_AFTER=0)
    assert isinstance(item, Article) and item.title == golden["title"]
    (failed,), stats = extract(seed(), NEWSCRAWL_EXTRACT_PROCESSES=0)
    assert isinstance(failed, DropItem) and stats["extract/failed"] == 1


def test_the_worker_starts_after_the_first_articles_and_not_for_a_small_crawl(golden, monkeypatch) -> None:
    """NEWSCRAWL_WORKERS_START_AFTER=N: articles 1..N are extracted here, the rest in the worker."""
    from newscrawl.pipelines import extract as module

    here: list[str] = []

    def counted(*args: Any) -> Any:
        here.append(args[2])  # (profile, base_url, url, ...)
        return real(*args)

    real = module.extract_article
    monkeypatch.setattr(module, "extract_article", counted)
    pages = [seed() for _ in range(5)]
    out, stats = extract(*pages, NEWSCRAWL_EXTRACT_PROCESSES=1, NEWSCRAWL_WORKERS_START_AFTER=2)
    assert len(here) == 2
    assert [x.title for x in out] == [golden["title"]] * 5
    assert stats["article/extracted"] == 5
    here.clear()
    made = crawler(NEWSCRAWL_EXTRACT_PROCESSES=1, NEWSCRAWL_WORKERS_START_AFTER=5)
    pipeline = ExtractPipeline.from_crawler(made)
    out = run([pipeline], pages)
    assert len(here) == 5 and pipeline.pool is None  # five articles: no worker was spawned
    assert [x.title for x in out] == [golden["title"]] * 5


@pytest.mark.parametrize("value", ["-1", "ten", "2.5"])
def test_a_bad_workers_start_after_is_refused_with_the_setting_named(value: str) -> None:
    with pytest.raises(ValueError, match=rf"NEWSCRAWL_WORKERS_START_AFTER must be a whole number .* not '{value}'"):
        ExtractPipeline.from_crawler(crawler(NEWSCRAWL_WORKERS_START_AFTER=value))


def test_a_negative_number_of_processes_is_refused() -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_EXTRACT_PROCESSES must be 0 or more"):
        ExtractPipeline.from_crawler(crawler(NEWSCRAWL_EXTRACT_PROCESSES=-1))


# -- encodings ----------------------------------------------------------------------------------
# The Persian text here was written for these tests. windows-1256 has no Persian yeh (U+06CC) nor
# Persian digits: a windows-1256 site writes the Arabic yeh (U+064A) and ASCII digits, and the
# stored text has the Persian yeh again (the Persian normalisation, README "Text").

FA_TITLE = "افتتاح کتابخانه دیجیتال در شهرستان کاشان"
FA_LEAD = "کتابخانه تازه با هزار کتاب الکترونیکی و ده رایانه برای همه باز است."
FA_BODY = [
    (
        "روز یکشنبه کتابخانه دیجیتال شهرستان کاشان با حضور مدیرکل ارتباطات استان گشایش یافت. "
        "این کتابخانه در ساختمان قدیمی پست شهر ساخته شده و اینترنت پرسرعت دارد."
    ),
    (
        "مسئول کتابخانه گفت: «کودکان و نوجوانان می‌توانند هر روز از ساعت هشت صبح تا شش عصر از "
        "رایانه‌ها استفاده کنند و برای این کار هزینه‌ای نمی‌پردازند.»"
    ),
    "قرار است ژورنال‌های علمی و روزنامه‌های محلی هم تا پایان پاییز به مجموعه افزوده شوند.",
]
FA_PATH, FA_CONTENT_TYPE, FA_BODY_BYTES = saved("ict_fa", 59995)
FA_PAGE = FA_BODY_BYTES.decode("utf-8-sig")  # the saved page starts with a BOM
FA_OLD_TITLE = "۸۰ روستای استان تهران به شبکه ملی اطلاعات متصل شد"
FA_OLD_LEAD = "۲۲ طرح اقتصاد دیجیتال در استان تهران به بهره‌برداری رسید."
FA_OLD_PARAGRAPHS = re.compile(r'(<div class="news-body">\n)(?:<p>.*?</p>\n)+')
TO_WINDOWS_1256 = str.maketrans({"ی": "ي", **{chr(0x06F0 + d): str(d) for d in range(10)}})


def windows_1256_page() -> bytes:
    """The saved ict_fa page with this text, in windows-1256, its charset declared nowhere."""
    html = replaced(FA_PAGE, '<meta charset="utf-8">', "")
    html = replaced(html, FA_OLD_TITLE, FA_TITLE)
    html = replaced(html, FA_OLD_LEAD, FA_LEAD)
    html, count = FA_OLD_PARAGRAPHS.subn(
        lambda m: m.group(1) + "".join(f"<p>{p}</p>\n" for p in FA_BODY), html, count=1
    )
    assert count == 1
    assert "charset" not in html.lower() and "charset" not in FA_CONTENT_TYPE
    return html.translate(TO_WINDOWS_1256).encode("windows-1256")  # strict: every character fits


def test_a_windows_1256_page_declaring_no_charset_is_detected_and_stored_as_written(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = windows_1256_page()
    made = crawler("ict_fa")
    page = response(body, FA_PATH, content_type=FA_CONTENT_TYPE)
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (item,) = run([ExtractPipeline.from_crawler(made)], [page])
    stats = newscrawl_stats(made)
    assert isinstance(item, Article)
    assert (item.title, item.lead, item.body) == (FA_TITLE, FA_LEAD, "\n\n".join(FA_BODY))
    # 19 Shahrivar 1404 is 10 September 2025; Iran has kept +03:30 all year since 2022.
    assert item.published_at == "2025-09-10T20:47:00+03:30"
    assert item.capture is not None and (item.capture.encoding, item.capture.body) == ("cp1256", body)
    assert stats["encoding/detected"] == 1 and stats["clean/ok"] == 1
    assert "encoding/replacement_chars" not in stats
    assert caplog.records == []


def test_undecodable_bytes_under_a_utf8_header_are_counted_and_warned_about(
    golden, caplog: pytest.LogCaptureFixture
) -> None:
    # One byte that is never UTF-8 (0xFF) in the title and two (0xFE 0xFE) in a body paragraph:
    # each decodes to one U+FFFD, 3 in all.
    title, first = golden["title"], golden["paragraphs"][1]
    html = replaced(SEED, f'<h1 class="news-title">{title}</h1>', f'<h1 class="news-title">{title} @1@</h1>')
    html = replaced(html, f"<p>{first}</p>", f"<p>{first} @2@</p>")
    body = html.encode("utf-8").replace(b"@1@", b"\xff").replace(b"@2@", b"\xfe\xfe")
    assert CONTENT_TYPE == "text/html; charset=utf-8"
    with caplog.at_level(logging.WARNING, logger="newscrawl.pipelines.extract"):
        (item,), stats = extract(seed(body))  # type: ignore[arg-type]
    assert isinstance(item, Article)
    assert item.title == f"{title} \ufffd"
    assert item.body.split("\n\n")[0] == f"{first} \ufffd\ufffd"
    assert item.capture is not None and item.capture.encoding == "utf-8"
    assert stats["encoding/replacement_chars"] == 3
    assert stats["encoding/pages_with_replacement_chars"] == 1
    assert "encoding/detected" not in stats
    assert [r.getMessage() for r in caplog.records] == [
        f"3 replacement characters (U+FFFD) in article {LIVE + PATH} decoded as utf-8; stored with them"
    ]
