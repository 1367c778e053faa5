"""A profile's ``max_page_size`` replaces the 16 MiB ``DOWNLOAD_MAXSIZE`` for its site's crawls.

Article pages between the two caps, sent three ways (with a Content-Length, chunked, gzipped so
that only the inflated body passes the default cap), are stored when the profile raises the cap
and refused as ``too_large`` when it does not; pages over the profile's cap are refused either way.
The counts come from the database and the crawl's stats.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import fresh_database
from tests.hostile.conftest import PROFILE
from tests.hostile.pages import article_html
from tests.hostile.server import Behaviour, Chunked, Gzipped, HostileServer, Page
from tests.hostile.test_faults import crawl, full_body, site, stored

pytestmark = [pytest.mark.crawl, pytest.mark.db]

MIB = 1024 * 1024
DEFAULT_CAP = 16 * MIB  # newscrawl.settings.DOWNLOAD_MAXSIZE
PROFILE_CAP = 24 * MIB


def padded(source_id: int, size: int) -> bytes:
    """Article *source_id*, *size* bytes long: the padding is an HTML comment, not article text."""
    html = article_html(source_id)
    padding = size - len(html) - len(b"<!--  -->")
    return html.replace(b"</body>", b"<!-- " + b"x" * padding + b" --></body>")


def sites_dir(tmp_path: Path, max_page_size: str | None) -> dict[str, str]:
    sites = tmp_path / "sites"
    sites.mkdir()
    text = PROFILE
    if max_page_size is not None:
        text = PROFILE.replace("[article]", f"max_page_size = {max_page_size}\n\n[article]")
    (sites / "hostile.toml").write_text(text, encoding="utf-8")
    return {"NEWSCRAWL_SITES_DIR": str(sites)}


BETWEEN = DEFAULT_CAP + 2 * MIB  # over the default cap, under the profile's


def routes() -> dict[str, Behaviour]:
    return site(
        {
            1: Page(article_html(1)),
            2: Page(padded(2, BETWEEN)),  # Content-Length between the caps
            3: Chunked(padded(3, BETWEEN)),  # no Content-Length: the streamed size
            4: Gzipped(padded(4, BETWEEN)),  # small on the wire, between the caps inflated
            5: Page(padded(5, PROFILE_CAP + MIB)),  # over both caps
            6: Gzipped(padded(6, PROFILE_CAP + MIB)),  # over both caps once inflated
        }
    )


@pytest.mark.parametrize(
    ("max_page_size", "kept", "too_large"),
    [
        (f'"{PROFILE_CAP // MIB} MiB"', ["1", "2", "3", "4"], 2),
        (str(PROFILE_CAP), ["1", "2", "3", "4"], 2),  # bytes
        (None, ["1"], 5),  # the default 16 MiB cap
    ],
)
def test_profile_cap_replaces_the_default(tmp_path, max_page_size, kept, too_large):
    env = sites_dir(tmp_path, max_page_size)
    pages = routes()
    with fresh_database("sqlite", tmp_path) as database_url, HostileServer(pages) as server:
        result = crawl(server, database_url, env)
        articles = stored(database_url)
    assert sorted(articles, key=int) == kept
    for source_id in kept:
        assert articles[source_id] == full_body(int(source_id))
    assert result.stat("newscrawl/article/refused/too_large") == too_large
    refused = sorted(set(map(str, range(1, 7))) - set(kept), key=int)
    for source_id in refused:
        assert f"{server.url(0)}/en/news/{source_id} (" in result.log, source_id
