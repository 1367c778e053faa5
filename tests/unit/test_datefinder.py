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


def find(body: str, head: str = "", zone: str = "UTC", **options: object) -> FoundDate:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return find_date(Selector(text=html).root, "https://example.gov/a", zone, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("head", "raw"),
    [
        ('<meta name="pubdate" content="2019-03-04">', "2019-03-04"),
        ('<meta itemprop="datePublished" content="2019-03-05">', "2019-03-05"),
        # an empty tag is no evidence; the next key in order is
        ('<meta property="article:published_time" content=""><meta name="date" content="2019-03-06">', "2019-03-06"),
        # the first of two tags with one key
        (
            ('<meta property="article:published_time" content="2019-03-07">'
            '<meta property="article:published_time" content="2019-03-08">'),
            "2019-03-07",
        ),
        # a date in another meta tag is not a publication date
        ('<meta name="description" content="2019-03-09">', None),
    ],
)
def test_meta_tags(head: str, raw: str | None) -> None:
    assert find("<h1>Title</h1><p>Text.</p>", head).raw == raw


def test_json_ld_types_as_a_list_and_a_broken_block_before_a_good_one() -> None:
    head = (
        '<script type="application/ld+json">{broken</script>'
        '<script type="application/ld+json">[{"@type": "Person", "datePublished": "2018-01-01"},'
        ' {"@type": ["NewsArticle", "Article"], "datePublished": "2018-02-02"}]</script>'
    )
    assert find("<h1>Title</h1>", head) == FoundDate(raw="2018-02-02", evidence="json-ld")


@pytest.mark.parametrize(
    ("body", "raw", "evidence"),
    [
        # the machine-readable date of an itemprop element, not its text
        (
            '<h1>T</h1><time itemprop="datePublished" datetime="2017-12-05T21:27:00+03:30">Tuesday</time>',
            "2017-12-05T21:27:00+03:30",
            "meta",
        ),
        ('<h1>T</h1><span itemprop="datePublished">5 December 2017</span>', "5 December 2017", "meta"),
        # <time> in the article, not before it; <main> when there is no <article>
        (
            ('<div><time datetime="2001-01-01">x</time></div>'
            '<article><h1>T</h1><p>Text</p><p><time datetime="2017-12-05">y</time></p></article>'),
            "2017-12-05",
            "time",
        ),
        (
            ('<div><time datetime="2001-01-01">x</time></div>'
            '<main><h1>T</h1><p><time datetime="2017-12-06">y</time></p></main>'),
            "2017-12-06",
            "time",
        ),
        # no <article>, no <main>, no headline: any <time>
        ('<div><p>Text</p><time datetime="2017-12-07">y</time></div>', "2017-12-07", "time"),
        # a related item's <time> inside the article is not the article's
        (
            ('<article><h1>T</h1><div class="related"><time datetime="2001-01-01">x</time></div>'
            '<p><time datetime="2017-12-08">y</time></p></article>'),
            "2017-12-08",
            "time",
        ),
        # the article's own <header> holds its date line
        (
            ('<header class="masthead">Monday, 1 January 2001</header><article><header><h1>T</h1>'
            "<span>8 March 2017</span></header><p>Text</p></article>"),
            "8 March 2017",
            "visible",
        ),
        # a date in child elements is read as its text
        ('<h1>T</h1><div class="d"><span>9</span> <span>March 2017</span></div>', "9 March 2017", "visible"),
        # after the headline first, then before it (nearest first); excluded boxes are skipped
        (
            ('<div>1 May 2017</div><span>x</span><h1>T</h1><div class="comment-count">2 comments</div>'
            "<div>3 May 2017</div>"),
            "3 May 2017",
            "visible",
        ),
        ('<div>1 May 2017</div><div>2 May 2017</div><h1>T</h1><p>Text</p>', "2 May 2017", "visible"),
        ('<div>1 May 2017</div><span>x</span><h1>T</h1><p>Text</p>', "1 May 2017", "visible"),
    ],
)
def test_candidates_in_the_page(body: str, raw: str, evidence: str) -> None:
    assert find(body) == FoundDate(raw=raw, evidence=evidence)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fillers", "found"), [(39, True), (40, False)])
def test_the_date_line_is_at_most_forty_elements_after_the_headline(fillers: int, found: bool) -> None:
    body = "<h1>T</h1>" + "<p>x</p>" * fillers + "<p>5 December 2017</p>"
    assert find(body).raw == ("5 December 2017" if found else None)


@pytest.mark.parametrize(("fillers", "found"), [(11, True), (12, False)])
def test_the_date_line_is_at_most_twelve_elements_before_the_headline(fillers: int, found: bool) -> None:
    body = "<p>5 December 2017</p>" + "<p>x</p>" * fillers + "<h1>T</h1>"
    assert find(body).raw == ("5 December 2017" if found else None)


@pytest.mark.parametrize(("length", "found"), [(120, True), (121, False)])
def test_a_date_line_is_at_most_120_characters(length: int, found: bool) -> None:
    line = "5 December 2017 " + "x" * (length - len("5 December 2017 "))
    assert len(line) == length
    assert (find(f"<h1>T</h1><p>{line}</p>").raw is not None) is found


def test_a_timestamp_agrees_with_the_date_line_in_its_own_offset() -> None:
    # 23:00 at +02:00 is 01:30 the next day in Tehran; the page's line shows the day of its offset
    head = '<meta property="article:published_time" content="2020-06-22T23:00:00+02:00">'
    assert find("<h1>T</h1><p>22 June 2020</p>", head, "Asia/Tehran") == FoundDate(
        raw="2020-06-22T23:00:00+02:00", evidence="meta"
    )
    assert find("<h1>T</h1><p>24 June 2020</p>", head, "Asia/Tehran").conflict


def test_the_profiles_formats_and_calendar_are_the_parsers() -> None:
    assert find("<h1>T</h1><p>05|12|2017</p>").raw is None
    assert find("<h1>T</h1><p>05|12|2017</p>", formats=("%d|%m|%Y",)).raw == "05|12|2017"
    assert find("<h1>T</h1><p>1396/09/14</p>").raw == "1396/09/14"
    assert find("<h1>T</h1><p>1396/09/14</p>", calendar="gregorian").raw is None


def test_a_photo_captions_date_is_not_the_articles() -> None:
    # Both captions (a <figcaption> and a paragraph in a "picBox") sit between the headline and
    # the date line and each names the day its photo was taken.
    result = found("en_photo_caption.html", "Asia/Tehran")
    assert result == FoundDate(raw="Published 4 June 2024", evidence="visible")
    assert published_at(result, "Asia/Tehran") == "2024-06-04"


def test_a_labelled_date_line_far_from_the_headline_dates_the_page() -> None:
    # no <h1>, no structured data: the side column's "Datum" line (a dotted date is day first)
    page = (
        "<html><body><div class='story'><h2 class='title'>Rural broadband reaches 400 villages</h2>"
        "<p>The ministry connected another 400 villages in the first half of the year.</p></div>"
        "<div class='col1'><ul class='smallList'><li><strong>Datum</strong> 28.04.2023</li>"
        "<li><strong>Autor</strong> Jane Roe</li></ul></div></body></html>"
    )
    result = find_date(
        Selector(text=page).root, "https://www.example.gov/de/a-65464327", "Europe/Berlin"
    )
    assert result == FoundDate(raw="Datum 28.04.2023", evidence="label")


def headline_page(line: str) -> str:
    return (
        "<html><head><meta property='article:published_time' content='2024-08-27T10:32:24Z'>"
        f"</head><body><article><h1>Rural broadband reaches 400 villages</h1><p>{line}</p>"
        "<p>The ministry connected another 400 villages in the first half of the year.</p>"
        "</article></body></html>"
    )


def test_a_sentence_that_names_another_day_does_not_contradict_the_meta_date() -> None:
    page = headline_page("This story was reported on the radio on 26.08.2024 at 06:00.")
    result = find_date(Selector(text=page).root, "https://www.example.gov/news/1", "UTC")
    assert result == FoundDate(raw="2024-08-27T10:32:24Z", evidence="meta")


@pytest.mark.parametrize(
    "line", ["26.08.2024", "By Jane Roe, 26 August 2024", "Published 26.08.2024, 06:00"]
)
def test_a_date_line_under_the_headline_that_names_another_day_is_a_conflict(line: str) -> None:
    result = find_date(
        Selector(text=headline_page(line)).root, "https://www.example.gov/news/1", "UTC"
    )
    assert result == FoundDate(raw=None, conflict=True)


def newspaper_page(published: str, header: str, edition_line: str) -> str:
    """A daily's article: the header shows its print edition's date, the JSON-LD the instant it
    went online, and a line under the text, further from the headline than a date line is
    looked for, names the edition."""
    paragraphs = "<p>Activists met for a counter-summit while the official summit went on.</p>"
    return (
        '<html><head><script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "datePublished": "{published}"}}</script></head><body>'
        f'<div class="Date">{header}</div><h1>Nairobi from below</h1>{paragraphs * 45}'
        f'<div class="source">{edition_line}</div></body></html>'
    )


@pytest.mark.parametrize(
    "edition_line",
    [
        'Erschienen in der <a href="/2026/05-18/">Ausgabe vom 18.05.2026</a>, Seite 9',
        "A version of this article appeared in print on May 18, 2026, Section A, Page 9.",
        "Paru dans l'édition du 18.05.2026",
    ],
)
def test_a_header_date_the_page_names_its_print_editions_is_no_conflict_the_evening_before(
    edition_line: str,
) -> None:
    # online at 19:30 on the 17th, in the paper of the 18th: the header shows the paper's day
    page = newspaper_page("2026-05-17T19:30:02+02:00", "18.05.2026", edition_line)
    result = find_date(Selector(text=page).root, "https://www.example.de/a/1", "Europe/Berlin")
    assert result == FoundDate(raw="2026-05-17T19:30:02+02:00", evidence="json-ld")


@pytest.mark.parametrize(
    ("published", "header", "edition_line"),
    [
        # two days before its edition: not the evening before
        ("2026-05-16T19:30:02+02:00", "18.05.2026", "Erschienen in der Ausgabe vom 18.05.2026"),
        # after its edition's day
        ("2026-05-19T08:00:00+02:00", "18.05.2026", "Erschienen in der Ausgabe vom 18.05.2026"),
        # the evening before the edition named, but the header shows another day than the
        # edition's: the header's date is not explained
        ("2026-05-18T19:30:02+02:00", "17.05.2026", "Erschienen in der Ausgabe vom 19.05.2026"),
        # no line names an edition
        ("2026-05-17T19:30:02+02:00", "18.05.2026", "Seite 9, Schwerpunkt"),
    ],
)
def test_a_header_date_that_is_no_named_edition_of_the_day_after_stays_a_conflict(
    published: str, header: str, edition_line: str
) -> None:
    page = newspaper_page(published, header, edition_line)
    result = find_date(Selector(text=page).root, "https://www.example.de/a/1", "Europe/Berlin")
    assert result == FoundDate(raw=None, conflict=True)


def test_a_persian_dailys_header_shows_its_print_editions_jalali_date() -> None:
    day = jalali(1405, 2, 28)  # 28 Ordibehesht 1405, the day of the paper
    assert day == date(2026, 5, 18)
    # online at 21:10 the evening before, Tehran time (+03:30 since 2022)
    page = newspaper_page(
        "2026-05-17T21:10:00+03:30", "۲۸ اردیبهشت ۱۴۰۵", "در نسخه چاپی ۲۸ اردیبهشت ۱۴۰۵ صفحه ۳"
    )
    result = find_date(Selector(text=page).root, "https://www.example.ir/news/1", "Asia/Tehran")
    assert result == FoundDate(raw="2026-05-17T21:10:00+03:30", evidence="json-ld")
