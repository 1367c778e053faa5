"""A body from a page's embedded data (extract.embedded) on pages written for these tests
(tests/fixtures/embedded): a client-rendered Persian page whose text is only in its state JSON,
and a page whose text is only in its JSON-LD ``articleBody``."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from newscrawl.cli.extract import generic_profile
from newscrawl.extract.embedded import embedded_body
from newscrawl.pages.extraction import extract_article

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "embedded"


def body_of(name: str) -> list[str]:
    return embedded_body(lxml_html.fromstring((FIXTURES / name).read_bytes()))


def test_the_state_jsons_article_html_is_the_body_without_its_photo_caption() -> None:
    paragraphs = body_of("fa_client_rendered.html")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("وزیر ارتباطات و فناوری اطلاعات امروز در نشست خبری")
    assert paragraphs[2].endswith("همه روستاهای بالای بیست خانوار را پوشش می‌دهد.")
    assert not any("سمنان" in p for p in paragraphs)  # the caption's text
    assert "کوتاه" not in paragraphs  # a related item's shorter HTML loses to the article's


def test_jsonld_article_body_of_the_article_node_split_at_line_breaks() -> None:
    assert body_of("en_jsonld_body.html") == [
        "The ministry's rural network programme connected another 400 villages in the first half of the year.",
        "Of the 400 villages connected this year, 260 are served by fibre and the rest by fixed wireless links.",
        (
            "The programme, which began in 2019, aims to bring broadband to every village with more "
            "than twenty households by the end of the decade."
        ),
    ]


def test_a_page_without_embedded_text_has_no_body() -> None:
    page = (
        '<html><head><script>var config = {"theme": "dark", "items": [1, 2, 3]};</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "Too short."}'
        "</script></head><body><div id='app'></div></body></html>"
    )
    assert embedded_body(lxml_html.fromstring(page)) == []


def test_generic_extraction_archives_a_client_rendered_page() -> None:
    url = "https://www.example.gov/fa/news/A1403031400017"
    body = (FIXTURES / "fa_client_rendered.html").read_bytes()
    found = extract_article(
        generic_profile(url, "fa", "Asia/Tehran"), "https://www.example.gov", url, body,
        "text/html; charset=utf-8", "2026-12-02T10:00:00Z",
    )  # fmt: skip
    assert found.item is not None, found
    assert found.item.title == "اتصال چهارصد روستای دیگر به شبکه ملی اطلاعات"
    # the state's three paragraphs, not the "loading" line and <noscript> notice of the markup
    assert found.item.body.count("\n\n") == 2
    assert found.item.body.startswith("وزیر ارتباطات")
