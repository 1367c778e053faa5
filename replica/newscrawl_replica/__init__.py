"""The offline replica of the target ministry news sites.

A deterministic generator (:mod:`.generate`) builds each site's articles; an aiohttp server
(:mod:`.server`) serves every site on its own loopback port, so a spider only needs another base URL.
:class:`.process.ReplicaProcess` runs the server as a child process for tests and benchmarks, and
``python -m newscrawl_replica`` (or ``newscrawl replica``) runs it in the foreground.
"""

from __future__ import annotations

from newscrawl_replica.generate import SITE_NAMES, generate_site
from newscrawl_replica.model import ArticleSpec, SiteData

__all__ = ["SITE_NAMES", "ArticleSpec", "SiteData", "generate_site"]
