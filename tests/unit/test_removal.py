"""newscrawl.removal: which answers are evidence of a removal, and when evidence suffices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newscrawl.removal import (
    is_challenge,
    min_interval,
    redirect_reason,
    removal_confirmed,
    status_reason,
)

BASE = "https://www.ict.gov.ir"
LISTINGS = ("/en/news", "/en/press/")
CLOUDFLARE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b"<meta http-equiv=\"refresh\" content=\"390\"></head><body><script>window._cf_chl_opt={cvId: '3'}"
    b"</script></body></html>"
)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "not_found"), (410, "gone"), (200, None), (403, None), (429, None), (500, None),
     (503, None), (301, None)],
)  # fmt: skip
def test_only_404_and_410_are_evidence_by_status(status, reason):
    assert status_reason(status) == reason


@pytest.mark.parametrize(
    ("final_url", "reason"),
    [
        (f"{BASE}/", "redirect_home"),
        (BASE, "redirect_home"),
        (f"{BASE}/en", "redirect_home"),
        (f"{BASE}/en/?utm_source=x", "redirect_home"),
        (f"{BASE}/en/news", "redirect_listing"),
        (f"{BASE}/en/news/?page=2", "redirect_listing"),
        (f"{BASE}/en/press", "redirect_listing"),
        (f"{BASE}/en/news/27012", None),  # the article itself, or another one
        (f"{BASE}/en/news/27012/Slug", None),
        (f"{BASE}/fa", None),  # another language's home
        (f"{BASE}/en/search", None),
        ("https://ict.gov.ir/", None),  # another host
        ("http://www.ict.gov.ir/", None),  # another scheme
        ("https://www.ict.gov.ir:8443/", None),  # another port
    ],
)
def test_redirects_to_the_home_page_or_a_listing(final_url, reason):
    assert redirect_reason(final_url, BASE, "en", LISTINGS) == reason


def test_a_base_url_with_a_path_has_its_home_there():
    base = "http://127.0.0.1:8080/mirror"
    assert redirect_reason("http://127.0.0.1:8080/mirror/", base, "en", LISTINGS) == "redirect_home"
    assert redirect_reason("http://127.0.0.1:8080/mirror/en/news", base, "en", LISTINGS) == (
        "redirect_listing"
    )
    assert redirect_reason("http://127.0.0.1:8080/", base, "en", LISTINGS) is None


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"cf-mitigated": "challenge"}, b"<html></html>"),
        ({"CF-Mitigated": " Challenge "}, b""),
        ({}, CLOUDFLARE),
        ({}, CLOUDFLARE.replace(b"Just a moment...", b"Attention Required! | Cloudflare")),
        ({}, b"<html><script>window._cf_chl_opt = {}</script></html>"),
    ],
)
def test_challenge_pages(headers, body):
    assert is_challenge(headers, body)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Server": "cloudflare", "cf-ray": "8a1b"}, b"<html><title>Minister meets envoy</title>"),
        # Cloudflare injects its challenge-platform script into ordinary pages: not a challenge
        ({}, b'<html><script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'),
        ({}, b"<p>The minister said: just a moment... before answering.</p>"),
        ({"cf-mitigated": "none"}, b""),
        # a marker past the scanned head of a long page (e.g. quoted in an article's body)
        ({}, b"<p>x</p>" * 4096 + b"<title>just a moment...</title>"),
    ],
)
def test_ordinary_pages_are_no_challenge(headers, body):
    assert not is_challenge(headers, body)


T = datetime(2024, 3, 2, 8, tzinfo=UTC)
SIX = timedelta(hours=6)


@pytest.mark.parametrize(
    ("offsets", "confirmed"),
    [
        ([], False),
        ([0], False),
        ([0, 5.99], False),
        ([0, 6], True),
        ([6, 0], True),  # order does not matter
        ([0, 1, 2, 3], False),  # many observations, all within the interval
        ([0, 3, 7], True),
    ],
)
def test_two_observations_the_interval_apart(offsets, confirmed):
    assert removal_confirmed([T + timedelta(hours=h) for h in offsets], SIX) is confirmed


def test_interval_zero_still_needs_two_observations():
    assert not removal_confirmed([T], timedelta(0))
    assert removal_confirmed([T, T], timedelta(0))


@pytest.mark.parametrize("hours", [-1.0, float("nan"), float("inf")])
def test_min_interval_refuses_what_is_no_duration(hours):
    with pytest.raises(ValueError, match="NEWSCRAWL_TOMBSTONE_MIN_INTERVAL"):
        min_interval(hours)


def test_min_interval_in_hours():
    assert min_interval(6) == SIX
    assert min_interval(0.5) == timedelta(minutes=30)
    assert min_interval(0) == timedelta(0)
