"""The date finder (extract.datefinder) on pages written for these tests (tests/fixtures/datefinder).

Each page is a replica-style layout of a Persian, Dari or English ministry page with the traps the
finder must step around: a copyright meta tag and footer, a "today" widget in the header, dates
of related items, an "Updated" line, a UTC timestamp just before the site's midnight, and a
JSON-LD date that contradicts the date under the headline. The expected dates are converted here
with convertdate's Persian (Solar Hijri) calendar, not with the code under test; Tehran was
+04:30 in the summer of 2020 (daylight saving, abolished in 2022), +03:30 in 2024, Kabul is +04:30.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from convertdate import persian
from parsel import Selector

from newscrawl.extract.datefinder import FoundDate, find_date
from newscrawl.extract.dates import parse_date

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "datefinder"


def found(name: str, zone: str, url: str = "https://www.example.gov/news/1") -> FoundDate:
    html = (FIXTURES / name).read_text("utf-8")
    return find_date(Selector(text=html).root, url, zone)


def published_at(result: FoundDate, zone: str) -> str | None:
    parsed = parse_date(result.raw, zone)
    return parsed.isoformat() if parsed else None


def jalali(year: int, month: int, day: int) -> date:
    return date(*persian.to_gregorian(year, month, day))


def test_the_visible_jalali_date_under_the_headline_wins_over_a_copyright_and_a_today_widget() -> None:
    result = found("fa_visible_jalali.html", "Asia/Tehran")
    assert result == FoundDate(raw="2 تير 1399 - 12:09:08 ب.ظ", evidence="visible")
    day = jalali(1399, 4, 2)  # 2 Tir 1399
    # 12:09:08 ب.ظ (after noon) is 12:09:08, in Tehran's summer time of 2020
    assert published_at(result, "Asia/Tehran") == f"{day.isoformat()}T12:09:08+04:30"
    assert day == date(2020, 6, 22)


def test_a_dari_date_line_wins_over_the_clock_in_the_top_bar_and_the_sidebar() -> None:
    result = found("prs_today_widget.html", "Asia/Kabul")
    assert result.evidence == "visible"
    day = jalali(1402, 10, 15)  # 15 Jadi (the tenth month) 1402; ق.ظ: before noon
    assert published_at(result, "Asia/Kabul") == f"{day.isoformat()}T10:30:00+04:30"


def test_a_utc_timestamp_before_the_sites_midnight_is_the_sites_next_day() -> None:
    result = found("ar_script_meta_utc.html", "Asia/Tehran")
    assert result == FoundDate(raw="2020-06-22T20:00:00Z", evidence="meta")
    # 20:00 UTC + 4:30 is half past midnight on the day the headline's date line shows (3 Tir)
    assert published_at(result, "Asia/Tehran") == "2020-06-23T00:30:00+04:30"
    assert jalali(1399, 4, 3) == date(2020, 6, 23)


def test_a_json_ld_date_that_contradicts_the_headlines_date_gives_no_date() -> None:
    assert found("fa_conflict.html", "Asia/Tehran") == FoundDate(raw=None, conflict=True)


def test_the_url_dates_a_page_that_shows_only_other_dates() -> None:
    url = "https://www.example.gov/en/news/2023/05/17/new-broadband-targets"
    # the header's current date, a related item's date and the copyright line are not read
    assert found("en_url_only.html", "Asia/Tehran", url) == FoundDate(raw="2023-05-17", evidence="url")
    assert found("en_url_only.html", "Asia/Tehran") == FoundDate(raw=None)


def test_a_time_element_in_the_article_beats_the_sidebars_and_the_updated_line() -> None:
    result = found("en_time_in_article.html", "Asia/Tehran")
    assert result == FoundDate(raw="2024-03-07T11:45:00+03:30", evidence="time")
    assert published_at(result, "Asia/Tehran") == "2024-03-07T11:45:00+03:30"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # JSON-LD first, an Article node before another node's date
        (
            (
                '<script type="application/ld+json">{"@graph": [{"@type": "WebPage", '
                '"datePublished": "2021-01-01"}, {"@type": "NewsArticle", "datePublished": '
                '"2021-02-03"}]}</script><meta property="article:published_time" '
                'content="2021-04-05">'
            ),
            FoundDate(raw="2021-02-03", evidence="json-ld"),
        ),
        # broken JSON-LD is skipped; article:published_time before a later-listed name="date"
        (
            (
                '<script type="application/ld+json">{not json</script><meta name="date" '
                'content="2021-06-07"><meta property="article:published_time" '
                'content="2021-04-05">'
            ),
            FoundDate(raw="2021-04-05", evidence="meta"),
        ),
        # no evidence at all (no date line under the headline, none in the URL)
        ("", FoundDate(raw=None)),
    ],
)
def test_the_order_of_evidence_in_the_head(head: str, expected: FoundDate) -> None:
    html = f"<html><head>{head}</head><body><h1>Title</h1><p>Text.</p></body></html>"
    assert find_date(Selector(text=html).root, "https://example.gov/a", "UTC") == expected


def test_itemprop_date_published_and_a_visible_line_before_the_headline() -> None:
    page = (
        '<html><body><div class="kicker">Tuesday, 5 December 2017</div><h1>Title</h1>'
        '<span itemprop="datePublished" content="2017-12-05T21:27:00+03:30">5 Dec</span></body></html>'
    )
    result = find_date(Selector(text=page).root, "https://example.gov/a", "Asia/Tehran")
    assert result == FoundDate(raw="2017-12-05T21:27:00+03:30", evidence="meta")
    # without the machine-readable date, the line above the headline is the date
    alone = page.replace(' itemprop="datePublished"', "").replace(">5 Dec<", "><")
    assert find_date(Selector(text=alone).root, "https://example.gov/a", "Asia/Tehran") == FoundDate(
        raw="Tuesday, 5 December 2017", evidence="visible"
    )


def test_a_clock_in_the_top_bar_is_not_the_date_of_a_page_without_a_date_line() -> None:
    html = (FIXTURES / "prs_today_widget.html").read_text("utf-8")
    start, end = html.index('<p class="meta">'), html.index("</p>", html.index('<p class="meta">'))
    page = html[:start] + html[end + len("</p>") :]
    assert "۱۵ جدی" not in page and "۱۲ حمل" in page
    assert find_date(Selector(text=page).root, "https://example.gov/a", "Asia/Kabul") == FoundDate(raw=None)
