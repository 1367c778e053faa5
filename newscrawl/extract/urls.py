"""URL rules: which URLs are articles, their ids, and one canonical URL per article.

Every URL variant of an article (another slug or none, tracking parameters, a fragment, http or
https, with or without ``www``, the print view) maps to the same (site, lang, id) key and the same
canonical URL on the crawl's base.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urljoin, urlsplit

from w3lib.url import safe_url_string, url_query_cleaner

from newscrawl.extract.persian import to_ascii_digits
from newscrawl.profiles.model import Profile

# Query parameters that only track the visitor; they never select content.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga"})



def strip_tracking(url: str) -> str:
    """Drop tracking query parameters and the fragment; keep every other parameter."""
    query = urlsplit(url).query
    tracking = [
        key
        for key, _ in parse_qsl(query, keep_blank_values=True)
        if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)
    ]
    return url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=False)


def site_hosts(profile: Profile, base_url: str) -> frozenset[str]:
    """Hosts that belong to the crawl: the profile's hosts, their www/bare twins, and the base's."""
    hosts = set(profile.hosts)
    hosts.add(urlsplit(base_url).hostname or "")
    hosts |= {h.removeprefix("www.") for h in hosts} | {f"www.{h}" for h in hosts if not h.startswith("www.")}
    hosts.discard("")
    return frozenset(hosts)


def article_id(url: str, profile: Profile, hosts: frozenset[str]) -> str | None:
    """The site's own id for an article URL, or None when the URL is not an article on the site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in hosts:
        return None
    for pattern in profile.url_patterns:
        match = pattern.match(parts.path)
        if match:
            return to_ascii_digits(match.group("id"))
    return None


def canonical_url(
    profile: Profile,
    base_url: str,
    source_id: str,
    page_url: str,
    rel_canonical: str | None,
    hosts: frozenset[str],
) -> str:
    """The article's canonical URL on ``base_url``.

    The page's ``rel=canonical`` is used when it names the same article (it carries the site's
    preferred slug); otherwise the profile's ``canonical_path`` template. Scheme and host always
    come from ``base_url``, so http/https and www/bare-host variants collapse.
    """
    base = base_url.rstrip("/")
    if rel_canonical:
        absolute = safe_url_string(urljoin(page_url, rel_canonical.strip()))
        if article_id(absolute, profile, hosts) == source_id:
            return base + urlsplit(absolute).path
    return base + profile.canonical_path.format(id=source_id)
