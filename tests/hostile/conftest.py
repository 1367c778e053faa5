"""A site profile of the hostile server's own, in a temporary NEWSCRAWL_SITES_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest

PROFILE = """
name = "hostile"
site = "hostile.example"
lang = "en"
timezone = "UTC"
calendar = "gregorian"
base_url = "http://hostile.example"

[article]
url_patterns = ['^/en/news/(?P<id>\\d+)(?:/[^/]*)?$']
canonical_path = "/en/news/{id}"

[discovery]
listings = ["/en/news"]

[selectors]
title = "h1.title"
body = "div.body"
date = "span.date"

[dates]
formats = ["%b %d, %Y %H:%M"]
"""


@pytest.fixture
def sites_env(tmp_path: Path) -> dict[str, str]:
    """The environment that makes ``hostile`` a spider (its profile in a sites directory)."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "hostile.toml").write_text(PROFILE, encoding="utf-8")
    return {"NEWSCRAWL_SITES_DIR": str(sites)}
