"""Mutable per-site server state: edits, deletions, publishing, the template switch, the request log.

One :class:`ReplicaState` per served site. The control API (:mod:`.control`) changes it; every change
clears the rendered-page cache, so the next fetch shows it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from newscrawl_replica import model as m
from newscrawl_replica.datefmt import to_utc
from newscrawl_replica.generate import generate_site, publish
from newscrawl_replica.model import ArticleSpec, SiteData

TEMPLATES = ("default", "redesign")
LOG_LIMIT = 200_000  # request log entries kept (oldest dropped first)
# Last-Modified of edited articles counts up from here (one minute per edit); articles without a
# date line use SITE_EPOCH so that no header leaks their date.
EDIT_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
SITE_EPOCH = datetime(2025, 12, 1, tzinfo=UTC)


class Page(NamedTuple):
    """A rendered response body and its Content-Type header value."""

    body: bytes
    content_type: str


class PageCache:
    """A bounded LRU of rendered responses: key -> :class:`Page` (``limit=None``: unbounded)."""

    def __init__(self, limit: int | None = 2048) -> None:
        self._data: OrderedDict[tuple[Any, ...], Page] = OrderedDict()
        self._limit = limit

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: tuple[Any, ...]) -> Page | None:
        """The cached value, marked as recently used."""
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: tuple[Any, ...], value: Page) -> None:
        """Store a value, evicting the least recently used one past the limit."""
        self._data[key] = value
        if self._limit is not None and len(self._data) > self._limit:
            self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()


class ReplicaState:
    """The live state of one replica site."""

    def __init__(self, site: SiteData, count: int, cache_limit: int | None = 2048) -> None:
        self.count = count
        self.cache = PageCache(cache_limit)
        self.log: deque[tuple[str, str, int]] = deque(maxlen=LOG_LIMIT)
        self.comment_hits = 0
        self._load(site)

    def _load(self, site: SiteData) -> None:
        self.site = site
        self.deleted: set[int] = set()
        self.edited: set[int] = set()
        self.flaky_served: set[int] = set()
        self.template = "default"
        self.edit_seq = 0
        self.last_modified: dict[int, datetime] = {}
        self.generation = 0
        self._reorder()

    def _reorder(self) -> None:
        """Recompute the listing order and drop every cached page."""
        self.visible: list[ArticleSpec] = [
            a for a in self.site.articles if a.id not in self.deleted
        ]
        self.generation += 1
        self.cache.clear()

    # -- lookups used by the renderers ------------------------------------------------------

    def article(self, aid: int) -> ArticleSpec | None:
        """The article with id ``aid`` if it exists at all (deleted and gone ones included)."""
        return self.site.by_id.get(aid)

    def is_live(self, art: ArticleSpec) -> bool:
        """False for deleted and "gone" articles, which answer 404."""
        return art.id not in self.deleted and m.GONE not in art.flags

    def etag(self, art: ArticleSpec) -> str:
        """A strong ETag that changes with every edit and with the template."""
        return f'"{self.site.name}-{art.id}-v{art.version}-{self.template}"'

    def modified(self, art: ArticleSpec) -> datetime:
        """The article's Last-Modified instant (aware, UTC)."""
        if art.id in self.last_modified:
            return self.last_modified[art.id]
        if art.date_raw is None:
            return SITE_EPOCH
        return to_utc(art.local_time, self.site.tz)

    def state_of(self, art: ArticleSpec) -> str:
        """``deleted``, ``gone``, ``edited`` or ``live`` (for the control API)."""
        if art.id in self.deleted:
            return "deleted"
        if m.GONE in art.flags:
            return "gone"
        return "edited" if art.id in self.edited else "live"

    def take_flaky(self, art: ArticleSpec) -> bool:
        """True exactly once for a "flaky" article: its first request fails."""
        if m.FLAKY not in art.flags or art.id in self.flaky_served:
            return False
        self.flaky_served.add(art.id)
        return True

    # -- control API ------------------------------------------------------------------------

    def edit(self, aid: int, changes: dict[str, Any]) -> ArticleSpec:
        """Change title/lead/paragraphs/date_raw of an article in place."""
        art = self.site.by_id[aid]
        if "title" in changes:
            art.title = str(changes["title"])
        if "lead" in changes:
            art.lead = str(changes["lead"])
        if "paragraphs" in changes:
            art.paragraphs = [str(p) for p in changes["paragraphs"]]
        if "date_raw" in changes:
            raw = changes["date_raw"]
            art.date_raw = None if raw is None else str(raw)
        art.version += 1
        self.edit_seq += 1
        self.edited.add(aid)
        self.last_modified[aid] = EDIT_EPOCH + timedelta(minutes=self.edit_seq)
        self._reorder()
        return art

    def _require(self, aid: int) -> None:
        if aid not in self.site.by_id:
            raise KeyError(aid)

    def delete(self, aid: int) -> None:
        """Make an article answer 404 and drop it from listings and feeds."""
        self._require(aid)
        self.deleted.add(aid)
        self._reorder()

    def restore(self, aid: int) -> None:
        """Undo :meth:`delete`."""
        self._require(aid)
        self.deleted.discard(aid)
        self._reorder()

    def publish(self, count: int) -> list[ArticleSpec]:
        """Publish ``count`` new articles at the top of the listing."""
        fresh = publish(self.site, count)
        self._reorder()
        return fresh

    def set_template(self, name: str) -> None:
        """Switch the article template (``default`` or ``redesign``)."""
        if name not in TEMPLATES:
            raise ValueError(f"unknown template {name!r}; expected one of {TEMPLATES}")
        self.template = name
        self._reorder()

    def reset(self, regenerate: Callable[[], SiteData] | None = None) -> None:
        """Back to the generated data: no edits, deletions, publications or flaky history."""
        site = (
            regenerate()
            if regenerate
            else generate_site(self.site.name, self.count, self.site.seed)
        )
        self._load(site)

    def record(self, method: str, path: str, status: int) -> None:
        """Append one request to the bounded request log."""
        self.log.append((method, path, status))
