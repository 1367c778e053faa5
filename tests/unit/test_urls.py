"""URL variants of one article resolve to one id and one canonical URL (newscrawl.extract.urls)."""

import pytest

from newscrawl.extract.urls import article_id, canonical_url, site_origins, strip_tracking
from newscrawl.profiles import profile_by_name

PROFILE = profile_by_name("ict_en")
LIVE = "https://www.ict.gov.ir"
HOSTS = site_origins(PROFILE, LIVE)
CANONICAL = "https://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation"

VARIANTS = [
    "https://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation",
    "https://www.ict.gov.ir/en/news/27012",
    "https://www.ict.gov.ir/en/news/27012/",
    "https://www.ict.gov.ir/en/news/27012/Other-Slug",
    "https://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation?utm_source=rss&utm_medium=feed",
    "https://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation#comments",
    "http://www.ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation",
    "https://ict.gov.ir/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation",
    "http://ict.gov.ir/en/news/27012",
    "https://www.ict.gov.ir/en/news/27012/print/Iran-Azerbaijan-aim-for-ICT-Cooperation",
    "https://www.ict.gov.ir/en/news/۲۷۰۱۲/Persian-digits",
]


@pytest.mark.parametrize("url", VARIANTS)
def test_variants_share_id_and_canonical(url):
    clean = strip_tracking(url)
    assert article_id(clean, PROFILE, HOSTS) == "27012"
    # The page names its canonical path; every variant maps onto the live base.
    assert canonical_url(PROFILE, LIVE, "27012", clean, "/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation", HOSTS) == CANONICAL


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ict.gov.ir/en/news",
        "https://www.ict.gov.ir/en/news?page=2",
        "https://www.ict.gov.ir/en/home",
        "https://www.ict.gov.ir/fa/news/27012/x",
        "https://example.com/en/news/27012/x",
        "https://www.ict.gov.ir/en/news/abc/x",
        "mailto:pr@ict.gov.ir",
    ],
)
def test_not_articles(url):
    assert article_id(url, PROFILE, HOSTS) is None


def test_canonical_falls_back_to_template():
    url = "https://www.ict.gov.ir/en/news/27012/x"
    assert canonical_url(PROFILE, LIVE, "27012", url, None, HOSTS) == "https://www.ict.gov.ir/en/news/27012"
    # a rel=canonical naming another article is not trusted
    assert canonical_url(PROFILE, LIVE, "27012", url, "/en/news/999/y", HOSTS) == "https://www.ict.gov.ir/en/news/27012"


def test_canonical_uses_crawl_base():
    base = "http://127.0.0.1:8400"
    hosts = site_origins(PROFILE, base)
    url = f"{base}/en/news/27012/Other?utm_source=x"
    assert article_id(url, PROFILE, hosts) == "27012"
    assert canonical_url(PROFILE, base, "27012", url, "/en/news/27012/Slug", hosts) == f"{base}/en/news/27012/Slug"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.ir/x?utm_source=rss&id=3#top", "https://a.ir/x?id=3"),
        ("https://a.ir/x?fbclid=abc", "https://a.ir/x"),
        ("https://a.ir/x?page=2&utm_campaign=c", "https://a.ir/x?page=2"),
        ("https://a.ir/x", "https://a.ir/x"),
    ],
)
def test_strip_tracking(url, expected):
    assert strip_tracking(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters go, blank ones too; the fragment goes
        ("https://h.ir/a?utm_source=&id=5", "https://h.ir/a?id=5"),
        ("https://h.ir/a?fbclid=x&utm_campaign=y#comments", "https://h.ir/a"),
        # every other parameter stays, in order, repeats included (they may select content)
        ("https://h.ir/a?tag=b&page=2&tag=b", "https://h.ir/a?tag=b&page=2&tag=b"),
        ("https://h.ir/a?utmost=1", "https://h.ir/a?utmost=1"),  # not a utm_ prefix
    ],
)
def test_strip_tracking_drops_only_trackers_and_the_fragment(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected
