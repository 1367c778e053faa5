"""Listing, feed and sitemap page objects on inline documents."""

import gzip

import pytest

from newscrawl.pages import FeedPage, ListingPage, SitemapPage
from newscrawl.pages.listing import Entry, NotASitemap, SitemapTooLarge
from newscrawl.profiles import profile_by_name

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title>
<item><title>A</title><link>https://www.ict.gov.ir/en/news/1/A?utm_source=rss</link>
<pubDate>Tue, 05 Dec 2017 21:27:00 +0330</pubDate></item>
<item><title>B</title><link>/en/news/2/B</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>A</title><link rel="alternate" href="https://example.org/news/1"/><link rel="edit" href="/edit/1"/>
<published>2017-12-05T21:27:00+03:30</published></entry>
<entry><title>B</title><link href="/news/2"/><updated>2018-01-01T00:00:00Z</updated></entry>
</feed>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.ir/sitemap-1.xml</loc></sitemap><sitemap><loc> /sitemap-2.xml </loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.ir/en/news/7/x</loc><lastmod>2019-03-22</lastmod>
<news:news><news:publication_date>2019-03-21T00:00:00+03:30</news:publication_date></news:news></url>
<url><loc>https://a.ir/en/news/8/y</loc><lastmod>2019-03-23</lastmod></url>
</urlset>"""


def test_rss_items_with_and_without_dates():
    entries = FeedPage("https://www.ict.gov.ir/en/news/rss", RSS).entries()
    assert [(e.url, e.date_raw) for e in entries] == [
        ("https://www.ict.gov.ir/en/news/1/A?utm_source=rss", "Tue, 05 Dec 2017 21:27:00 +0330"),
        ("https://www.ict.gov.ir/en/news/2/B", None),
    ]


def test_atom_entries_use_the_alternate_link():
    entries = FeedPage("https://example.org/feed.atom", ATOM).entries()
    assert [(e.url, e.date_raw) for e in entries] == [
        ("https://example.org/news/1", "2017-12-05T21:27:00+03:30"),
        ("https://example.org/news/2", "2018-01-01T00:00:00Z"),
    ]


def test_sitemap_index_and_news_sitemap():
    index = SitemapPage("https://a.ir/sitemap.xml", INDEX)
    assert index.is_index
    assert index.sitemaps() == ["https://a.ir/sitemap-1.xml", "https://a.ir/sitemap-2.xml"]
    news = SitemapPage("https://a.ir/sitemap-news.xml", NEWS)
    assert not news.is_index
    assert [(e.url, e.date_raw) for e in news.entries()] == [
        ("https://a.ir/en/news/7/x", "2019-03-21T00:00:00+03:30"),  # the news date wins over lastmod
        ("https://a.ir/en/news/8/y", "2019-03-23"),
    ]


def test_gzipped_sitemap_bytes_read_like_plain_ones():
    packed = gzip.compress(NEWS)
    page = SitemapPage("https://a.ir/sitemap-news.xml.gz", packed)
    assert page.gzipped and page.compressed_size == len(packed) and page.size == len(NEWS)
    assert [(e.url, e.date_raw) for e in page.entries()] == [
        ("https://a.ir/en/news/7/x", "2019-03-21T00:00:00+03:30"),
        ("https://a.ir/en/news/8/y", "2019-03-23"),
    ]
    assert page.errors == ()
    plain = SitemapPage("https://a.ir/sitemap-news.xml", NEWS)
    assert not plain.gzipped and plain.compressed_size is None


def test_gzipped_sitemap_over_max_size_is_refused():
    packed = gzip.compress(INDEX)
    assert SitemapPage("https://a.ir/s.xml.gz", packed, max_size=len(INDEX)).sitemaps()  # at the limit
    with pytest.raises(SitemapTooLarge):
        SitemapPage("https://a.ir/s.xml.gz", packed, max_size=len(INDEX) - 1)


def test_full_google_news_entry_and_an_index_has_no_entries():
    news = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.ir/en/news/9/z</loc>
    <news:news><news:publication><news:name>A</news:name><news:language>en</news:language></news:publication>
    <news:publication_date>2024-05-06</news:publication_date><news:title>Z</news:title></news:news></url></urlset>"""
    assert SitemapPage("https://a.ir/n.xml", news).entries() == [Entry("https://a.ir/en/news/9/z", "2024-05-06")]
    index = SitemapPage("https://a.ir/sitemap.xml", INDEX)
    assert index.entries() == [] and SitemapPage("https://a.ir/n.xml", news).sitemaps() == []


def test_a_feed_is_not_a_sitemap():
    with pytest.raises(NotASitemap, match="<rss>"):
        SitemapPage("https://a.ir/sitemap.xml", RSS)


def test_listing_links_and_next_page():
    html = """<html><body><ul class="news-list">
    <li class="news-list-item"><a class="news-link" href="/en/news/5/Five">Five</a></li>
    <li class="news-list-item"><a class="news-link" href="/en/news/5/Five">again</a></li>
    <li class="news-list-item"><a class="news-link" href="/en/news/6/">Six</a></li></ul>
    <a href="/en/news/9/Menu-link">not in the list</a>
    <div class="pagination"><a class="next" href="/en/news?page=3">Next</a></div></body></html>"""
    page = ListingPage("https://www.ict.gov.ir/en/news?page=2", html, profile_by_name("ict_en"))
    assert page.links() == ["https://www.ict.gov.ir/en/news/5/Five", "https://www.ict.gov.ir/en/news/6/"]
    assert page.next_page() == "https://www.ict.gov.ir/en/news?page=3"
    last = ListingPage("https://www.ict.gov.ir/en/news?page=9", "<ul class='news-list'></ul>", profile_by_name("ict_en"))
    assert last.links() == [] and last.next_page() is None
