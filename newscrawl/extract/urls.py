"""URL rules: which URLs are articles, their ids, and one canonical URL per article.

Every URL variant of an article (another slug or none, tracking parameters, a fragment, http or
https, with or without ``www``, the print view) maps to the same (site, lang, id) key and the same
canonical URL on the crawl's base.

A site is a set of *origins* (scheme, host and port, RFC 6454), not of host names: the same host
on another port is another site (the replica serves each site on its own loopback port).
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


def _with_twins(hosts: set[str]) -> set[str]:
    """The hosts with their www/bare twins."""
    twins = hosts | {h.removeprefix("www.") for h in hosts}
    twins |= {f"www.{h}" for h in twins if not h.startswith("www.")}
    twins.discard("")
    return twins


def site_hosts(profile: Profile, base_url: str) -> frozenset[str]:
    """Hosts that belong to the crawl: the profile's hosts, their www/bare twins, and the base's."""
    return frozenset(_with_twins({*profile.hosts, urlsplit(base_url).hostname or ""}))


DEFAULT_PORTS = {"http": 80, "https": 443}


def url_origin(url: str) -> str | None:
    """The URL's origin as ``scheme://host:port`` (the port always written), or None.

    None for a URL that is not http(s), has no host or has an invalid port.
    """
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number, or out of range
        return None
    return f"{parts.scheme}://{parts.hostname}:{port}"


def site_origins(profile: Profile, base_url: str) -> frozenset[str]:
    """Origins that belong to the crawl (``scheme://host:port``, see :func:`url_origin`).

    The profile's hosts and their twins on the default ports of http and https (a site moving to
    https, or linking its http URLs, stays one site), and the base URL's origin with its host's
    twins. The same host on any other port is another site: a base on a non-default port (the
    replica's) makes only that port the site's.
    """
    base = urlsplit(base_url)
    hosts = _with_twins(set(profile.hosts))
    base_hosts = _with_twins({base.hostname or ""})
    if base.port is None or base.port == DEFAULT_PORTS.get(base.scheme):
        hosts |= base_hosts
    origins = {
        f"{scheme}://{host}:{port}" for host in hosts for scheme, port in DEFAULT_PORTS.items()
    }
    if base.scheme in DEFAULT_PORTS:
        port = base.port or DEFAULT_PORTS[base.scheme]
        origins |= {f"{base.scheme}://{host}:{port}" for host in base_hosts}
    return frozenset(origins)


def article_id(url: str, profile: Profile, origins: frozenset[str]) -> str | None:
    """The site's own id for an article URL, or None when the URL is not an article on the site.

    *origins* are the site's (:func:`site_origins`): a URL on the same host but another port is
    not the site's.
    """
    if url_origin(url) not in origins:
        return None
    parts = urlsplit(url)
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
    origins: frozenset[str],
) -> str:
    """The article's canonical URL on ``base_url``.

    The page's ``rel=canonical`` is used when it names the same article (it carries the site's
    preferred slug); otherwise the profile's ``canonical_path`` template. Scheme and host always
    come from ``base_url``, so http/https and www/bare-host variants collapse.
    """
    base = base_url.rstrip("/")
    if rel_canonical:
        absolute = safe_url_string(urljoin(page_url, rel_canonical.strip()))
        if article_id(absolute, profile, origins) == source_id:
            return base + urlsplit(absolute).path
    return base + profile.canonical_path.format(id=source_id)
