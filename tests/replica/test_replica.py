"""The replica server against its generator: routes, status codes, determinism, control API, encodings.

Plain urllib only (no Scrapy). Expectations come from ``generate_site`` (the ground truth), never from
extraction code. Tests that change server state reset the site before they return.
"""

from __future__ import annotations

import gzip
import html
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from newscrawl_replica import model as m
from newscrawl_replica.generate import SITE_NAMES, generate_site
from newscrawl_replica.model import SiteData
from newscrawl_replica.process import ReplicaProcess
from newscrawl_replica.seed import load_seed

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SEED_PATH = "/en/news/27012/Iran-Azerbaijan-aim-for-ICT-Cooperation"
ARTICLES = 200  # what the session fixture in conftest.py serves


class Fetched:
    """One response: status, headers (lower-case names) and body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with OPENER.open(request, timeout=30) as resp:
            return Fetched(
                resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
            )
    except urllib.error.HTTPError as exc:
        return Fetched(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def one(pattern: str, text: str) -> str:
    found = re.findall(pattern, text, re.DOTALL)
    assert len(found) == 1, (pattern, len(found))
    return str(found[0])


def ict_fields(page: str) -> dict[str, Any]:
    """Title, lead, body paragraphs, date and tags of an ICT article page (the documented markup)."""
    body = one(r'<div class="news-body">\n(.*?)\n</div>\n', page)
    paragraphs = [strip_tags(p) for p in re.findall(r"<p>(.*?)</p>", body, re.DOTALL)]
    title = strip_tags(one(r'<h1 class="news-title">(.*?)</h1>', page))
    if body.startswith("<p><strong>"):
        assert paragraphs[0] == title
        paragraphs = paragraphs[1:]
    dates = re.findall(r'<div class="news-date">(.*?)</div>', page)
    return {
        "title": title,
        "lead": strip_tags(one(r'<div class="news-lead">(.*?)</div>', page)),
        "paragraphs": paragraphs,
        "date_raw": html.unescape(dates[0]) if dates else None,
        "tags": [strip_tags(t) for t in re.findall(r'<a href="/\w\w/tags/[^"]*">(.*?)</a>', page)],
        "canonical": one(r'<link rel="canonical" href="([^"]*)">', page),
    }


@pytest.fixture(scope="module")
def ict_en() -> SiteData:
    return generate_site("ict_en", ARTICLES)


@pytest.fixture(scope="module")
def ict_fa() -> SiteData:
    return generate_site("ict_fa", ARTICLES)


@pytest.fixture
def fresh(replica: ReplicaProcess) -> Iterator[ReplicaProcess]:
    """The shared replica, reset after the test (for tests that change state)."""
    yield replica
    for site in replica.urls:
        replica.reset(site)


# -- process -------------------------------------------------------------------------------------


def test_every_site_gets_its_own_loopback_port(replica: ReplicaProcess) -> None:
    assert replica.article_count == ARTICLES
    assert set(replica.urls) == set(SITE_NAMES)
    ports = set()
    for base in replica.urls.values():
        assert base.startswith("http://127.0.0.1:")
        ports.add(base.rsplit(":", 1)[1])
    assert len(ports) == len(SITE_NAMES)


def test_process_stops_its_child_by_pid() -> None:
    proc = ReplicaProcess(sites=["moic_dr"], articles=20)
    with proc:
        pid = proc.pid
        assert fetch(proc.url("moic_dr", "/dr/news")).status == 200
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# -- generator -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SITE_NAMES)
def test_generator_is_deterministic(name: str) -> None:
    a, b = generate_site(name, 60, seed=3), generate_site(name, 60, seed=3)
    assert [(x.id, x.title, x.paragraphs, x.date_raw, x.related) for x in a.articles] == [
        (x.id, x.title, x.paragraphs, x.date_raw, x.related) for x in b.articles
    ]
    other = generate_site(name, 60, seed=4)
    assert [x.title for x in a.articles] != [x.title for x in other.articles]


@pytest.mark.parametrize("name", SITE_NAMES)
def test_generator_layout(name: str) -> None:
    site = generate_site(name, ARTICLES)
    assert len(site.articles) == ARTICLES
    assert len(site.by_id) == ARTICLES
    keys = [(a.local_time, a.id) for a in site.articles]
    assert keys == sorted(keys, reverse=True)
    for flag in (m.NO_DATE, m.EMPTY_BODY, m.GONE, m.FLAKY):
        assert len(site.with_flag(flag)) == 1, flag
    assert site.with_flag(m.NO_DATE)[0].date_raw is None
    assert site.with_flag(m.EMPTY_BODY)[0].paragraphs == []
    assert site.with_flag(m.EMPTY_BODY)[0].lead
    for art in site.articles:
        assert 1 <= len(art.related) <= 5 and art.id not in art.related


def test_special_ids_are_fixed_whatever_the_count() -> None:
    small, big = generate_site("ict_en", 40), generate_site("ict_en", 2000)
    for aid in (27012, 4378, 5098, 26950, 24100, 26990, 26991, 26992, 26993, 26994):
        assert small.by_id[aid].flags == big.by_id[aid].flags
        assert small.by_id[aid].title == big.by_id[aid].title
    for aid in (27012, 4378, 5098, 26950, 24100):  # pinned dates
        assert small.by_id[aid].date_raw == big.by_id[aid].date_raw


def test_seed_article_is_the_golden_text(ict_en: SiteData, golden: dict[str, Any]) -> None:
    title, _, paragraphs = load_seed()
    seed = ict_en.by_id[27012]
    assert (seed.title, seed.date_raw, seed.path) == (title, "Dec 5, 2017 21:27", SEED_PATH)
    assert [seed.lead, *seed.paragraphs] == paragraphs
    assert len(seed.paragraphs) == 18
    assert [seed.lead, *seed.paragraphs] == golden["paragraphs"]
    assert seed.title == golden["title"] and seed.date_raw == golden["published_raw"]


def test_required_dates(ict_en: SiteData) -> None:
    raw = {a.id: a.date_raw for a in ict_en.articles}
    assert raw[4378] == "Apr 6, 2010 09:04"
    assert raw[5098] == "Sep 29, 2010 16:32"
    assert raw[26950] == "Sep 21, 2017 23:30"
    assert raw[24100] == "Mar 22, 2022 00:30"
    years = {
        flag: {a.local_time.year for a in ict_en.with_flag(flag)} for flag in (m.DST, m.NO_DST)
    }
    assert {2006, 2007} <= years[m.NO_DST] and {2023, 2024, 2025} <= years[m.NO_DST]
    assert len({y for y in years[m.DST] if 2008 <= y <= 2021}) >= 5
    assert re.fullmatch(
        r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d", ict_en.articles[0].date_raw or ""
    )


def test_persian_date_lines(ict_fa: SiteData) -> None:
    raw = {a.id: a.date_raw for a in ict_fa.articles}
    assert raw[40100] == "۱۴ آذر ۱۳۹۶ - ۲۱:۲۷"
    assert raw[40101] == "سه\u200cشنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷"
    assert raw[33333] == "۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸"
    assert "دي" in (raw[36000] or "")
    assert (raw[38000] or "").startswith("\u200f") and (raw[38000] or "").endswith("\u200f")
    assert re.search("[٠-٩]", raw[38001] or "") and re.search("[۰-۹]", raw[38001] or "")


def test_language_pairs_are_consistent(ict_en: SiteData, ict_fa: SiteData) -> None:
    pairs = 0
    for en in ict_en.articles:
        if en.alternate is None:
            continue
        lang, fa_path = en.alternate
        fa_id = int(fa_path.split("/")[3])
        fa = ict_fa.by_id[fa_id]
        assert lang == "fa" and fa.path == fa_path
        assert fa.alternate == ("en", en.path)
        assert fa.local_time == en.local_time
        pairs += 1
    assert pairs == 5
    assert sum(a.alternate is not None for a in ict_fa.articles) == 5


def test_slugs(ict_en: SiteData) -> None:
    assert ict_en.by_id[25527].path == "/en/news/25527/Iran-Armenia-to-Extend-IT-Collaboration"
    msrt = generate_site("msrt_en", ARTICLES)
    assert msrt.by_id[46597].path == "/en/news/46597/happy-nowruz-"
    assert all(a.slug == a.slug.lower() for a in msrt.articles)
    fa = generate_site("ict_fa", 20)
    art = fa.by_id[41872]
    assert art.path == f"/fa/news/41872/{quote(art.slug, safe='-')}"
    assert "\u200c" in art.slug


def test_publish_is_deterministic() -> None:
    from newscrawl_replica.generate import publish

    a, b = generate_site("ict_en", 30), generate_site("ict_en", 30)
    newest = a.articles[0]
    new_a, new_b = publish(a, 3), publish(b, 3)
    assert [x.title for x in new_a] == [x.title for x in new_b]
    assert [x.id for x in new_a] == [27015, 27014, 27013]
    assert a.articles[:3] == new_a and a.articles[3] is newest
    assert all(x.local_time > newest.local_time for x in new_a)


# -- ict_en over HTTP ------------------------------------------------------------------------


def test_robots(replica: ReplicaProcess) -> None:
    text = fetch(replica.url("ict_en", "/robots.txt")).text
    assert "User-agent: *\n" in text
    assert "Disallow: /en/search\n" in text and "Disallow: /_replica/\n" in text
    assert f"Sitemap: {replica.url('ict_en', '/sitemap.xml')}" in text


def test_home_links_listing_and_latest(replica: ReplicaProcess, ict_en: SiteData) -> None:
    for path in ("/", "/en/home"):
        page = fetch(replica.url("ict_en", path)).text
        assert 'href="/en/news"' in page
        assert f'href="{html.escape(ict_en.articles[0].listing_path)}"' in page


def listing_items(page: str) -> list[tuple[str, str, str | None, str]]:
    ul = one(r'<ul class="news-list">(.*?)</ul>', page)
    items = re.findall(r'<li class="news-list-item">(.*?)</li>', ul, re.DOTALL)
    out = []
    for item in items:
        href, title = re.findall(r'<a class="news-link" href="([^"]*)">(.*?)</a>', item)[0]
        date = re.findall(r'<span class="news-date">(.*?)</span>', item)
        lead = one(r'<p class="news-summary">(.*?)</p>', item)
        out.append(
            (html.unescape(href), strip_tags(title), date[0] if date else None, strip_tags(lead))
        )
    return out


def test_listing_pages_cover_every_article_once(replica: ReplicaProcess, ict_en: SiteData) -> None:
    seen: list[tuple[str, str, str | None, str]] = []
    url: str | None = replica.url("ict_en", "/en/news")
    pages = 0
    while url:
        page = fetch(url).text
        items = listing_items(page)
        assert len(items) == 20 or 'class="next"' not in page
        seen += items
        nxt = re.findall(r'<a class="next" href="([^"]*)">', page)
        url = replica.url("ict_en", html.unescape(nxt[0])) if nxt else None
        pages += 1
    assert pages == 10
    expected = [(a.listing_path, a.title, a.date_raw, a.lead) for a in ict_en.articles]
    assert seen == expected


def test_listing_variants_and_past_the_end(replica: ReplicaProcess, ict_en: SiteData) -> None:
    page1 = fetch(replica.url("ict_en", "/en/news")).text
    assert page1 == fetch(replica.url("ict_en", "/en/news?page=1")).text
    hrefs = [h for h, *_ in listing_items(page1)]
    assert "/en/news/26994" in hrefs and "/en/news/26995/" in hrefs
    assert any(h.endswith("?utm_source=rss&utm_medium=feed") for h in hrefs)
    assert any(h.endswith("#comments") for h in hrefs)
    last = fetch(replica.url("ict_en", "/en/news?page=10")).text
    assert 'class="prev"' in last and 'class="next"' not in last
    past = fetch(replica.url("ict_en", "/en/news?page=11"))
    assert past.status == 200
    assert '<ul class="news-list"></ul>' in past.text and 'class="next"' not in past.text


def test_seed_article_page(replica: ReplicaProcess) -> None:
    resp = fetch(replica.url("ict_en", SEED_PATH))
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    page = resp.text
    fields = ict_fields(page)
    title, _, paragraphs = load_seed()
    assert fields["title"] == title
    assert [fields["lead"], *fields["paragraphs"]] == paragraphs
    assert fields["date_raw"] == "Dec 5, 2017 21:27"
    assert fields["canonical"] == SEED_PATH
    assert page.startswith(
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
    )
    assert page.count(f"{title}</h2>") == 1 and page.count(f"{title}</h1>") == 1
    for boilerplate in ("Sender name is required", "Email is required", "Characters left: 500",
                        "Comment is required", '<div class="today">Saturday, November 28, 2026</div>',
                        'action="/en/news/comment/27012" method="post"', "Related news"):  # fmt: skip
        assert boilerplate in page
    for share in ("facebook.com/sharer", "twitter.com/intent", "t.me/share", "wa.me/"):
        assert share in one(r'<div class="share-links">(.*?)</div>', page)
    assert 20_000 <= len(resp.body) <= 40_000


@pytest.mark.parametrize("name", SITE_NAMES)
def test_every_article_matches_the_generator(replica: ReplicaProcess, name: str) -> None:
    site = generate_site(name, ARTICLES)
    served = {a["id"]: a for a in replica.articles(name)}
    assert list(served) == [a.id for a in site.articles]
    for art in site.articles[:60]:
        assert served[art.id]["title"] == art.title and served[art.id]["date_raw"] == art.date_raw
        resp = fetch(replica.url(name, art.path))
        if m.GONE in art.flags:
            assert resp.status == 404
            continue
        if m.FLAKY in art.flags and resp.status == 500:
            resp = fetch(replica.url(name, art.path))
        assert resp.status == 200, art.path
        page = resp.body.decode("cp1256" if art.encoding == "cp1256_meta_only" else "utf-8-sig")
        page = html.unescape(page)
        assert art.title in page and art.lead in page
        for paragraph in art.paragraphs:
            assert paragraph in re.sub(r"</?(em|strong|a)\b[^>]*>", "", page)
        if art.date_raw is not None:
            assert art.date_raw in page
        assert 20_000 <= len(resp.body) <= 45_000


def test_ict_fields_of_every_article(replica: ReplicaProcess, ict_en: SiteData) -> None:
    for art in ict_en.articles:
        if m.GONE in art.flags:
            continue
        resp = fetch(replica.url("ict_en", art.path))
        if resp.status == 500:
            resp = fetch(replica.url("ict_en", art.path))
        fields = ict_fields(resp.text)
        assert fields["title"] == art.title
        assert fields["lead"] == art.lead
        assert fields["paragraphs"] == art.paragraphs
        assert fields["date_raw"] == art.date_raw
        assert fields["tags"] == art.tags
        assert fields["canonical"] == art.path


def test_url_variants_serve_the_article(replica: ReplicaProcess) -> None:
    canonical = fetch(replica.url("ict_en", SEED_PATH)).text
    for path in ("/en/news/27012", "/en/news/27012/", "/en/news/27012/Some-Other-Slug",
                 SEED_PATH + "?utm_source=rss&utm_medium=feed"):  # fmt: skip
        resp = fetch(replica.url("ict_en", path))
        assert resp.status == 200 and resp.text == canonical, path
    printed = fetch(
        replica.url("ict_en", "/en/news/27012/print/Iran-Azerbaijan-aim-for-ICT-Cooperation")
    )
    assert printed.status == 200
    assert ict_fields(printed.text) == ict_fields(canonical)
    assert '<nav class="main-menu">' not in printed.text


def test_special_articles(replica: ReplicaProcess, ict_en: SiteData) -> None:
    assert fetch(replica.url("ict_en", ict_en.by_id[26992].path)).status == 404
    no_date = fetch(replica.url("ict_en", ict_en.by_id[26990].path)).text
    assert '<div class="news-date">' not in no_date
    assert '<span class="news-date">' in no_date  # related news keep their dates
    empty = ict_fields(fetch(replica.url("ict_en", ict_en.by_id[26991].path)).text)
    assert empty["paragraphs"] == [] and empty["lead"]
    assert fetch(replica.url("ict_en", "/en/news/99999/Nope")).status == 404
    assert fetch(replica.url("ict_en", "/images/news/27012.jpg")).status == 404


def test_flaky_article_fails_once(replica: ReplicaProcess) -> None:
    replica.reset("msrt_en")
    url = replica.url("msrt_en", "/en/news/58993/")
    assert [fetch(url).status for _ in range(3)] == [500, 200, 200]


def test_rss(replica: ReplicaProcess, ict_en: SiteData) -> None:
    resp = fetch(replica.url("ict_en", "/en/news/rss"))
    assert resp.headers["content-type"].startswith("application/rss+xml")
    items = re.findall(r"<item>(.*?)</item>", resp.text, re.DOTALL)
    assert len(items) == 50
    base = replica.urls["ict_en"]
    links = [one(r"<link>(.*?)</link>", i) for i in items]
    assert links == [f"{base}{a.path}?utm_source=rss" for a in ict_en.articles[:50]]
    dates = [re.findall(r"<pubDate>(.*?)</pubDate>", i) for i in items]
    assert sum(not d for d in dates) == 1
    offsets = {d[0][-5:] for d in dates if d}
    assert offsets <= {"+0330", "+0430"}


def test_sitemaps(replica: ReplicaProcess, ict_en: SiteData) -> None:
    index = fetch(replica.url("ict_en", "/sitemap.xml")).text
    children = re.findall(r"<loc>(.*?)</loc>", index)
    assert children == [replica.url("ict_en", f"/sitemap-news-{n}.xml") for n in (1, 2)]
    locs: list[str] = []
    for child in children:
        text = fetch(child).text
        locs += re.findall(r"<loc>(.*?)</loc>", text)
        assert "<lastmod>" in text
    assert locs == [replica.url("ict_en", html.escape(a.path)) for a in ict_en.articles]


def test_conditional_get(fresh: ReplicaProcess, ict_en: SiteData) -> None:
    url = fresh.url("ict_en", SEED_PATH)
    first = fetch(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified == "Tue, 05 Dec 2017 17:57:00 GMT"
    assert fetch(url, {"If-None-Match": etag}).status == 304
    assert fetch(url, {"If-Modified-Since": modified}).status == 304
    assert fetch(url, {"If-None-Match": '"other"'}).status == 200
    assert fetch(url, {"If-Modified-Since": "Tue, 05 Dec 2017 17:00:00 GMT"}).status == 200
    fresh.edit("ict_en", 27012, title="Iran, Azerbaijan aim for ICT Cooperation (updated)")
    edited = fetch(url, {"If-None-Match": etag})
    assert edited.status == 200 and edited.headers["etag"] != etag
    assert "(updated)</h1>" in edited.text
    assert fetch(url, {"If-Modified-Since": modified}).status == 200


# -- control API ---------------------------------------------------------------------------------


def test_control_articles(replica: ReplicaProcess, ict_en: SiteData) -> None:
    rows = replica.articles("ict_en")
    assert len(rows) == ARTICLES
    row = next(r for r in rows if r["id"] == 26992)
    assert row["state"] == "gone" and row["flags"] == ["gone"]
    seed = next(r for r in rows if r["id"] == 27012)
    assert seed["path"] == SEED_PATH and seed["date_raw"] == "Dec 5, 2017 21:27"


def test_edit_changes_the_next_fetch(fresh: ReplicaProcess, ict_en: SiteData) -> None:
    art = ict_en.articles[5]
    fresh.edit(
        "ict_en",
        art.id,
        lead="A new lead.",
        paragraphs=["One.", "Two."],
        date_raw="Jan 2, 2026 10:00",
    )
    fields = ict_fields(fetch(fresh.url("ict_en", art.path)).text)
    assert (fields["lead"], fields["paragraphs"], fields["date_raw"]) == (
        "A new lead.", ["One.", "Two."], "Jan 2, 2026 10:00",
    )  # fmt: skip
    row = next(r for r in fresh.articles("ict_en") if r["id"] == art.id)
    assert row["state"] == "edited" and row["version"] == 1
    assert "Jan 2, 2026 10:00" in fetch(fresh.url("ict_en", "/en/news")).text


def test_delete_and_restore(fresh: ReplicaProcess, ict_en: SiteData) -> None:
    art = ict_en.articles[0]
    fresh.delete("ict_en", art.id)
    assert fetch(fresh.url("ict_en", art.path)).status == 404
    assert art.title not in fetch(fresh.url("ict_en", "/en/news")).text
    assert art.path not in fetch(fresh.url("ict_en", "/en/news/rss")).text
    fresh.restore("ict_en", art.id)
    assert fetch(fresh.url("ict_en", art.path)).status == 200
    assert html.escape(art.title) in fetch(fresh.url("ict_en", "/en/news")).text


def test_publish_shifts_the_listing(fresh: ReplicaProcess, ict_en: SiteData) -> None:
    page2_before = listing_items(fetch(fresh.url("ict_en", "/en/news?page=2")).text)
    published = fresh.publish("ict_en", 3)
    assert [p["id"] for p in published] == [27015, 27014, 27013]
    page1 = listing_items(fetch(fresh.url("ict_en", "/en/news")).text)
    assert [h for h, *_ in page1[:3]] == [p["path"] for p in published]
    page2 = listing_items(fetch(fresh.url("ict_en", "/en/news?page=2")).text)
    assert page2[3:] == page2_before[:17]
    assert fetch(fresh.url("ict_en", published[0]["path"])).status == 200


def test_redesign_template(fresh: ReplicaProcess) -> None:
    url = fresh.url("ict_en", SEED_PATH)
    etag = fetch(url).headers["etag"]
    fresh.set_template("ict_en", "redesign")
    page = fetch(url)
    assert page.headers["etag"] != etag
    assert '<h1 class="headline">Iran, Azerbaijan aim for ICT Cooperation</h1>' in page.text
    assert "<time>Dec 5, 2017 21:27</time>" in page.text and '<section class="story">' in page.text
    assert 'class="news-title"' not in page.text and 'class="news-body"' not in page.text
    fresh.set_template("ict_en", "default")
    assert 'class="news-title"' in fetch(url).text


def test_request_log_and_comment_hits(fresh: ReplicaProcess) -> None:
    fresh.clear_log("ict_en")
    fetch(fresh.url("ict_en", "/en/news?page=2"))
    fetch(fresh.url("ict_en", "/en/news/26992"))
    assert fresh.comment_hits("ict_en") == 0
    fetch(fresh.url("ict_en", "/en/news/comment/27012"), method="POST")
    log = fresh.log("ict_en")
    assert log == [
        {"method": "GET", "path": "/en/news?page=2", "status": 200},
        {"method": "GET", "path": "/en/news/26992", "status": 404},
        {"method": "POST", "path": "/en/news/comment/27012", "status": 200},
    ]
    assert fresh.comment_hits("ict_en") == 1


# -- ict_fa ------------------------------------------------------------------------------------------


def test_persian_article(replica: ReplicaProcess, ict_fa: SiteData) -> None:
    art = ict_fa.by_id[41872]
    page = fetch(replica.url("ict_fa", art.path)).text
    assert page.startswith('<!DOCTYPE html>\n<html lang="fa" dir="rtl">')
    fields = ict_fields(page)
    assert (fields["title"], fields["lead"], fields["paragraphs"]) == (
        art.title,
        art.lead,
        art.paragraphs,
    )
    for text in ("نام فرستنده الزامی است", "ایمیل الزامی است", "تعداد کاراکتر باقیمانده: ۵۰۰",
                 "متن نظر الزامی است"):  # fmt: skip
        assert text in page
    assert (
        f'<link rel="alternate" hreflang="en" href="{art.alternate[1] if art.alternate else ""}">'
        in page
    )
    en = fetch(replica.url("ict_en", "/en/news/25527/Iran-Armenia-to-Extend-IT-Collaboration")).text
    assert f'<link rel="alternate" hreflang="fa" href="{art.path}">' in en


def test_windows_1256_page(replica: ReplicaProcess, ict_fa: SiteData) -> None:
    art = ict_fa.by_id[59994]
    resp = fetch(replica.url("ict_fa", art.path))
    assert resp.headers["content-type"] == "text/html"
    assert (
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">' in resp.body
    )
    assert b"<meta charset" not in resp.body
    with pytest.raises(UnicodeDecodeError):
        resp.body.decode("utf-8")
    fields = ict_fields(resp.body.decode("cp1256"))
    assert (fields["title"], fields["lead"], fields["date_raw"]) == (
        art.title,
        art.lead,
        art.date_raw,
    )
    assert fields["paragraphs"] == art.paragraphs
    assert "ي" in art.title + art.lead and not re.search("[۰-۹]", art.date_raw or "")


def test_bom_and_wrong_header_charset(replica: ReplicaProcess, ict_fa: SiteData) -> None:
    bom = fetch(replica.url("ict_fa", ict_fa.by_id[59995].path))
    assert bom.body.startswith(b"\xef\xbb\xbf<!DOCTYPE html>")
    assert ict_fields(bom.body.decode("utf-8-sig"))["title"] == ict_fa.by_id[59995].title
    wrong = fetch(replica.url("ict_fa", ict_fa.by_id[59996].path))
    assert wrong.headers["content-type"] == "text/html; charset=windows-1256"
    assert b'<meta charset="utf-8">' in wrong.body
    assert ict_fields(wrong.body.decode("utf-8"))["title"] == ict_fa.by_id[59996].title


def test_persian_listing_and_feed(replica: ReplicaProcess, ict_fa: SiteData) -> None:
    items = listing_items(fetch(replica.url("ict_fa", "/fa/news")).text)
    assert [h for h, *_ in items] == [a.listing_path for a in ict_fa.articles[:20]]
    feed = fetch(replica.url("ict_fa", "/fa/news/rss")).text
    assert feed.count("<item>") == 50 and "?utm_source=rss" in feed
    assert fetch(replica.url("ict_fa", "/fa/news/19522/")).status == 200


# -- msrt_en and moic_dr -----------------------------------------------------------------------


def test_msrt(replica: ReplicaProcess) -> None:
    msrt = generate_site("msrt_en", ARTICLES)
    page = fetch(replica.url("msrt_en", "/en/news/46597/happy-nowruz-")).text
    assert '<div class="article-view"><h1>Happy Nowruz!</h1>' in page
    category = msrt.by_id[46597].category
    assert f'<div class="date-info">21 March 2019 | 00:00 Code : 46597 {category}</div>' in page
    assert '<span class="date-today">28 November 2026</span>' in page
    assert fetch(replica.url("msrt_en", "/en/news/rss")).status == 404
    index = fetch(replica.url("msrt_en", "/sitemap.xml")).text
    children = re.findall(r"<loc>(.*?)</loc>", index)
    assert children[0].endswith("/sitemap-news.xml") and len(children) == 2
    news = fetch(children[0]).text
    assert "<news:publication_date>2019-03-21T00:00:00+03:30</news:publication_date>" in news
    # The article sitemap is a gzipped file, as government sites serve them; the same XML plain.
    assert children[1] == replica.url("msrt_en", "/sitemap-articles-1.xml.gz")
    gzipped = fetch(children[1])
    assert gzipped.headers["content-type"] == "application/x-gzip"
    assert "content-encoding" not in gzipped.headers
    xml = gzip.decompress(gzipped.body)
    assert xml == fetch(replica.url("msrt_en", "/sitemap-articles-1.xml")).body
    assert gzipped.body[4:8] == bytes(4)  # no timestamp in the gzip header: the same bytes every run
    articles = re.findall(r"<loc>(.*?)</loc>", xml.decode("utf-8"))
    assert articles == [replica.url("msrt_en", a.path) for a in msrt.articles]
    listing = fetch(replica.url("msrt_en", "/en/news?page=2")).text
    hrefs = re.findall(r'<a class="archive-title" href="([^"]*)">', listing)
    assert hrefs == [a.path for a in msrt.articles[15:30]]
    assert 'class="pager-next" rel="next" href="/en/news?page=3"' in listing


def test_moic(replica: ReplicaProcess) -> None:
    moic = generate_site("moic_dr", ARTICLES)
    page = fetch(replica.url("moic_dr", "/dr/node/10450")).text
    assert page == fetch(replica.url("moic_dr", "/index.php/dr/node/10450")).text
    assert '<html lang="fa-AF" dir="rtl">' in page
    assert '<link rel="canonical" href="/dr/node/10450">' in page
    assert (
        '<div class="field field--name-created field--type-created">سه\u200cشنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵</div>'
        in page
    )
    assert '<span class="today-date">شنبه ۷ قوس ۱۴۰۵</span>' in page
    assert "آخرین اخبار" in page
    art = moic.by_id[10450]
    assert f'<h1 class="page-header"><span>{html.escape(art.title)}</span></h1>' in page
    first = fetch(replica.url("moic_dr", "/dr/news")).text
    assert 'class="pager__item--next" href="?start=10"' in first
    hrefs = re.findall(r'<h3 class="views-field-title"><a href="([^"]*)">', first)
    assert hrefs == [a.listing_path for a in moic.articles[:10]]
    last = fetch(replica.url("moic_dr", "/dr/news?start=190")).text
    assert "pager__item--next" not in last
    assert "views-row" not in fetch(replica.url("moic_dr", "/dr/news?start=200")).text
    feed = fetch(replica.url("moic_dr", "/dr/rss.xml")).text
    assert feed.count("<item>") == 20 and "+0430</pubDate>" in feed


# -- command line and fixed ports ------------------------------------------------------------


def test_cli_registers_the_replica_subcommand() -> None:
    import argparse

    from newscrawl_replica import cli

    parser = argparse.ArgumentParser(prog="newscrawl")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["replica"])
    assert (args.port, args.articles, args.seed, args.site, args.func) == (
        8400,
        200,
        0,
        None,
        cli.run,
    )
    args = parser.parse_args(["replica", "--port", "9000", "--site", "ict_en", "--site", "moic_dr"])
    assert args.port == 9000 and args.site == ["ict_en", "moic_dr"]


def _free_port_pair() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def test_fixed_port_gives_consecutive_ports() -> None:
    import asyncio

    from newscrawl_replica.server import run_sites

    port = _free_port_pair()
    seen: dict[str, str] = {}
    statuses: list[int] = []
    tasks: list[object] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def announce(urls: dict[str, str]) -> None:
            seen.update(urls)

            async def probe() -> None:
                for name, path in (("msrt_en", "/en/news"), ("moic_dr", "/dr/news")):
                    resp = await loop.run_in_executor(None, fetch, urls[name] + path)
                    statuses.append(resp.status)
                stop.set()

            tasks.append(loop.create_task(probe()))

        await asyncio.wait_for(
            run_sites(["msrt_en", "moic_dr"], port=port, articles=20, announce=announce, stop=stop),
            60,
        )

    asyncio.run(main())
    assert seen == {
        "msrt_en": f"http://127.0.0.1:{port}",
        "moic_dr": f"http://127.0.0.1:{port + 1}",
    }
    assert statuses == [200, 200]
