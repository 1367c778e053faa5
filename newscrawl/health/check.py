"""Run health: do a crawl's results look right? A pure check of its stats against the site's history.

A run is unhealthy when

- **every source failed**: each listing, feed and sitemap it started from (the spider's start
  requests, ``newscrawl/source/requested``) could not be fetched (``newscrawl/source/failed/<cause>``:
  an HTTP error status, a DNS failure, a refused connection, a timeout); the message names the
  causes (``newscrawl/source/errors``: ``HTTP 404 on /en/news``, ``DNS lookup failed for …``), or
- **the site's first run stored nothing** (``first_run``: the database holds no finished run of
  the site, so there is no history to compare with): no article new, changed or unchanged in the
  database. A first crawl of a mistyped path or a dead host is otherwise a quiet success, or
- **no articles were extracted** although the site's previous finished runs extracted some
  (``history``: the ``counts`` of those runs, see :mod:`newscrawl.db.runs`), and none was found
  unchanged either (an incremental crawl skips archived articles, ``article/skipped_known``, or
  gets a 304 for them, ``article/not_modified``), or
- **title, body or date is missing** on more than ``max_missing_share`` (the setting
  ``NEWSCRAWL_HEALTH_MAX_MISSING_SHARE``, 0.5) of the article pages fetched, once at least
  ``min_pages`` (``NEWSCRAWL_HEALTH_MIN_PAGES``, 5) article pages were fetched. This is what a
  site redesign looks like: the profile's selectors stop matching, or
- **a layout failed** (``layout_failed``): article pages that no layout of the profile read
  (``newscrawl/layout/fallback_generic``) were archived through generic extraction instead, as
  ``layout = "generic"``. Any such page counts, since each is an article the profile no longer
  reads; the message names each layout and the fields it missed
  (``newscrawl/layout/failed/<layout>/<field>``, counted for every page no layout read).

Per-field counts come from the spider, which checks every article page it fetched (HTTP 200)
before extracting: ``newscrawl/fields/checked`` and ``newscrawl/fields/missing/<field>``. The
pipelines' own counts are read too, and the larger of the two wins for each field:

| field | spider | pipelines |
|---|---|---|
| pages | ``fields/checked`` | ``article/extracted`` + ``extract/not_article`` + ``extract/failed`` |
| title | ``fields/missing/title`` | ``extract/not_article`` (no title: not an article) |
| body | ``fields/missing/body`` | ``clean/dropped/empty_body`` (empty after cleaning) |
| date | ``fields/missing/date`` (the page shows none) | ``dates/missing`` + ``dates/unparsed`` |

The check runs at spider close as a spidermon monitor (:mod:`newscrawl.health.monitors`), which leaves
its verdict in the stats (:data:`STATUS_KEY`, :data:`PROBLEMS_KEY`, :data:`MESSAGE_KEY`) for the run record
(:mod:`newscrawl.extensions.runs`) and for ``newscrawl crawl``'s exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl import stats as keys
from newscrawl.stats import count

__all__ = [
    "DEFAULT_MAX_MISSING_SHARE",
    "DEFAULT_MIN_PAGES",
    "FIELDS",
    "HISTORY_RUNS",
    "MESSAGE_KEY",
    "PROBLEMS_KEY",
    "STATUS_KEY",
    "FieldCounts",
    "Problem",
    "applies",
    "check_health",
    "field_counts",
    "summary",
]

#: The fields every article must have.
FIELDS = ("title", "body", "date")
_FIELD_ORDER = {name: index for index, name in enumerate(FIELDS)}
#: Default of ``NEWSCRAWL_HEALTH_MAX_MISSING_SHARE``.
DEFAULT_MAX_MISSING_SHARE = 0.5
#: Default of ``NEWSCRAWL_HEALTH_MIN_PAGES``: fewer article pages than this are too few to judge.
DEFAULT_MIN_PAGES = 5
#: How many previous finished runs make the history.
HISTORY_RUNS = 5

#: Stats the health monitor sets: ``ok``, ``failed``, ``skipped`` (not judged) or ``error``.
STATUS_KEY = keys.HEALTH_STATUS
#: ... the problems it found, one message each (a list of strings) ...
PROBLEMS_KEY = keys.HEALTH_PROBLEMS
#: ... and a one-line summary of them (see :func:`summary`), for the run record and the CLI.
MESSAGE_KEY = keys.HEALTH_MESSAGE


@dataclass(frozen=True)
class Problem:
    """One reason a run looks wrong."""

    #: ``sources_failed``, ``first_run_empty``, ``no_articles``, ``missing_field`` or
    #: ``layout_failed``.
    code: str
    message: str
    #: The field, for ``missing_field``.
    field: str | None = None
    #: For ``layout_failed``: each layout that failed and the fields it missed, in order.
    layouts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class FieldCounts:
    """Article pages fetched and, per field, how many of them lacked it."""

    pages: int
    missing: dict[str, int] = field(default_factory=dict)

    def share(self, name: str) -> float:
        """The share of article pages missing field *name* (0 when no page was fetched)."""
        return self.missing.get(name, 0) / self.pages if self.pages else 0.0


def field_counts(stats: Mapping[str, Any]) -> FieldCounts:
    """Article pages and missing fields, from the spider's and the pipelines' stats (see above)."""
    not_article = count(stats, keys.EXTRACT_NOT_ARTICLE)
    derived_pages = (
        count(stats, keys.ARTICLE_EXTRACTED) + not_article + count(stats, keys.EXTRACT_FAILED)
    )
    derived = {
        "title": not_article,
        "body": count(stats, keys.CLEAN_DROPPED.key("empty_body")),
        "date": count(stats, keys.DATES.key("missing")) + count(stats, keys.DATES.key("unparsed")),
    }
    pages = max(count(stats, keys.FIELDS_CHECKED), derived_pages)
    missing = {name: max(count(stats, keys.FIELDS_MISSING.key(name)), derived[name]) for name in FIELDS}
    return FieldCounts(pages, missing)


def applies(finish_reason: str | None) -> bool:
    """True for runs that ran to their end (``finished`` or a ``closespider_*`` limit)."""
    return finish_reason == "finished" or (finish_reason or "").startswith("closespider_")


def check_health(
    stats: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]] = (),
    *,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
    min_pages: int = DEFAULT_MIN_PAGES,
    first_run: bool = False,
) -> list[Problem]:
    """The problems of a run with these final *stats*; empty when it looks right.

    *history* holds the ``counts`` of the site's previous finished runs (newest first); their
    ``articles`` say how many articles those runs extracted. *first_run* says that the run
    stores into a database that holds no finished run of the site.
    """
    if not 0 <= max_missing_share < 1:
        raise ValueError(f"the maximum missing share must be in [0, 1), not {max_missing_share}")
    problems = []
    extracted = count(stats, keys.ARTICLE_EXTRACTED)
    # an incremental crawl may find only articles it already has: not fetched or not modified
    unchanged = count(stats, keys.ARTICLE_SKIPPED_KNOWN) + count(stats, keys.ARTICLE_NOT_MODIFIED)
    before = [int(counts.get("articles") or 0) for counts in history]
    causes = "; ".join(str(e) for e in stats.get(keys.SOURCE_ERRORS) or ())
    requested = count(stats, keys.SOURCE_REQUESTED)
    failed = sum(keys.SOURCE_FAILED.members(stats).values())
    stored = unchanged + sum(
        count(stats, key) for key in (keys.PERSIST_NEW, keys.PERSIST_CHANGED, keys.PERSIST_UNCHANGED)
    )
    if requested and failed >= requested:
        problems.append(
            Problem(
                "sources_failed",
                f"every source failed ({failed} of {requested}): {causes or 'see the log'}",
            )
        )
    elif first_run and stored == 0:
        found = f"{extracted} articles extracted"
        problems.append(
            Problem(
                "first_run_empty",
                f"the site's first run stored no articles ({found}"
                + (f"; {failed} of {requested} sources failed: {causes})" if failed else ")"),
            )
        )
    if extracted == 0 and unchanged == 0 and any(before):
        problems.append(
            Problem(
                "no_articles",
                f"no articles extracted, but the previous {len(before)} finished run(s) "
                f"extracted up to {max(before)}",
            )
        )
    counts = field_counts(stats)
    fallback = count(stats, keys.LAYOUT_FALLBACK_GENERIC)
    if fallback:
        problems.append(_layout_failed(stats, fallback, counts.pages))
    if counts.pages >= max(min_pages, 1):
        for name in FIELDS:
            share = counts.share(name)
            if share > max_missing_share:
                problems.append(
                    Problem(
                        "missing_field",
                        f"{name} missing on {counts.missing[name]} of {counts.pages} article "
                        f"pages ({share:.0%} > {max_missing_share:.0%})",
                        name,
                    )
                )
    return problems


def _layout_failed(stats: Mapping[str, Any], fallback: int, pages: int) -> Problem:
    """``layout_failed``: *fallback* pages read by generic extraction; which layouts missed what."""
    missed: dict[str, dict[str, int]] = {}
    for member, number in keys.LAYOUT_FAILED.members(stats).items():  # layouts in name order
        layout, _, name = member.rpartition("/")
        missed.setdefault(layout, {})[name] = number
    for layout, fields in missed.items():  # title before body, as extraction reads them
        missed[layout] = dict(sorted(fields.items(), key=lambda f: _FIELD_ORDER.get(f[0], len(FIELDS))))
    layouts = tuple((layout, tuple(fields)) for layout, fields in missed.items())
    detail = "; ".join(
        f"layout {layout!r} missed " + ", ".join(f"{name} on {n}" for name, n in fields.items())
        for layout, fields in missed.items()
    )
    return Problem(
        "layout_failed",
        f"no layout of the profile read {fallback} of {max(pages, fallback)} article pages, "
        f"archived through generic extraction (layout 'generic')"
        + (f": {detail}" if detail else ": no layout was valid at their fetch time"),
        layouts=layouts,
    )


def summary(problems: Sequence[Problem]) -> str:
    """One line naming every problem (and so every missing field and every failed layout)."""
    missing = [p.field for p in problems if p.field]
    failed = [
        f"{layout} ({', '.join(fields)})" if fields else layout
        for p in problems
        for layout, fields in p.layouts
    ]
    parts = [f"missing: {', '.join(missing)}"] if missing else []
    if failed:
        parts.append(f"layout failed: {', '.join(failed)}")
    head = f"results look wrong ({'; '.join(parts)})" if parts else "results look wrong"
    return f"{head}: " + "; ".join(p.message for p in problems)
