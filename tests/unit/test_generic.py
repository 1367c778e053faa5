"""The generic path's title fallback (pure functions) on pages written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.pages.generic import fallback_title, strip_site_name

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "generic"


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        (
            "Ministry News - New road opens in the north",
            ["Ministry News"],
            "New road opens in the north",
        ),
        (
            "New road opens in the north | Ministry News",
            ["Ministry News"],
            "New road opens in the north",
        ),
        ("New road opens – Daily Times", [], "New road opens"),
        (
            "Daily Times — New road opens in the north today",
            [],
            "New road opens in the north today",
        ),
        ("Portal :: New road opens in the north", [], "New road opens in the north"),
        (
            "New road opens in the north « DERSTANDARD",
            ["derstandard"],
            "New road opens in the north",
        ),
        ("Road - rail links: the plan - Ministry", ["ministry"], "Road - rail links: the plan"),
        ("An e-mail service starts", [], "An e-mail service starts"),
        (
            "Roads open | The Ministry of Roads and Urban Development",
            ["Ministry of Roads and Urban Development"],
            "Roads open",
        ),
        ("New road opens", ["Ministry"], "New road opens"),
    ],
)
def test_strip_site_name(title: str, names: list[str], expected: str) -> None:
    assert strip_site_name(title, names) == expected


def page(html: str) -> Selector:
    return Selector(text=html)


def test_og_title_comes_first() -> None:
    html = (
        "<html><head><title>Site | Other</title>"
        '<meta property="og:title" content="The og headline"></head><body></body></html>'
    )
    assert fallback_title(page(html)) == "The og headline"


def test_jsonld_headline_before_the_window_title_on_a_persian_page() -> None:
    html = (FIXTURES / "no_title_fa.html").read_text(encoding="utf-8")
    assert fallback_title(page(html)) == "افتتاح کتابخانه تازه در شهر"
    without_jsonld = html.replace('"headline"', '"name"')
    # <title> is "Site - Headline": the site name (og:site_name) goes.
    assert fallback_title(page(without_jsonld)) == "کتابخانه تازه در شهر گشایش یافت"


def test_no_title_anywhere() -> None:
    assert fallback_title(page("<html><body><p>text</p></body></html>")) is None
