"""One article's revisions over time as a self-contained HTML page (``newscrawl history --html``).

The page has no scripts and loads nothing: its style is inline, so it opens from a file, an
e-mail or an archive as it was written. It shows:

- a timeline: one mark per revision, placed by its fetch time and coloured by its significance
  score (grey for the first revision, green for 0 through amber to red for 1; a tombstone is
  black), each a link to its section;
- per revision: its number, kind, fetch time, title, published date, score and reasons, and the
  change side by side: the revision before on the left (deleted words struck through in red),
  this revision on the right (inserted words in green); changes in volatile regions and
  normalisation-only changes in grey, never hidden;
- a tombstone's evidence: each gone observation (reason, status, time, URL, final URL).

The side-by-side view is rebuilt from the two revisions' texts with the same word diff as the
stored one (:func:`newscrawl.changes.diff.word_diff`), because a stored diff keeps equal runs as
counts of the newer text's words only.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from newscrawl.changes.diff import Op, tokens, word_diff
from newscrawl.changes.score import Change, Snapshot
from newscrawl.clock import utc_iso

__all__ = ["Entry", "Evidence", "history_page", "score_colour"]

#: The score's colour: green at 0, amber at 0.5, red at 1 (hue 120 → 0).
_FIRST: Final = "#9e9e9e"
_REMOVED: Final = "#212121"

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 80em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
.timeline { position: relative; height: 3.5em; border-bottom: 2px solid #ccc; margin: 2em 1em; }
.mark { position: absolute; bottom: -0.6em; width: 1.1em; height: 1.1em; border-radius: 50%;
        margin-left: -0.55em; border: 2px solid #fff; }
.mark span { position: absolute; bottom: 1.6em; left: -1em; font-size: 0.75em; white-space: nowrap; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side { border: 1px solid #ddd; padding: 0.6em; white-space: pre-wrap; line-height: 1.5; }
.side h3 { margin: 0 0 0.4em 0; font-size: 0.9em; color: #555; }
del.change, del.moved { background: #fdd; color: #a00; }
ins.change, ins.moved { background: #dfd; color: #060; text-decoration: none; }
.volatile, .trivial { color: #888; }
.score { display: inline-block; padding: 0 0.5em; border-radius: 0.3em; color: #fff; }
table.evidence { border-collapse: collapse; } table.evidence td, table.evidence th {
  border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
"""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation a tombstone rests on."""

    reason: str
    status: int
    observed_at: datetime
    url: str
    final_url: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One revision as the page shows it."""

    kind: str
    fetched_at: datetime
    title: str | None
    published_at: str | None
    snapshot: Snapshot
    #: Its change against the revision before (None: the first revision).
    change: Change | None
    evidence: Sequence[Evidence] = ()


def score_colour(entry: Entry) -> str:
    """The timeline colour of *entry*."""
    if entry.kind == "removed":
        return _REMOVED
    if entry.change is None:
        return _FIRST
    hue = round(120 * (1 - min(max(entry.change.score, 0.0), 1.0)))
    return f"hsl({hue}, 75%, 42%)"


def history_page(title: str, canonical_url: str, entries: Sequence[Entry]) -> str:
    """The HTML page of an article's *entries* (its revisions, oldest first)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="und"><head><meta charset="utf-8">',
        f"<title>History: {e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>History of {e(title)}</h1>",
        f'<p><a href="{e(canonical_url)}">{e(canonical_url)}</a> · {len(entries)} revision(s)</p>',
        _timeline(entries),
    ]
    previous: Entry | None = None
    for number, entry in enumerate(entries, start=1):
        parts.append(_section(number, entry, previous))
        if entry.kind != "removed":
            previous = entry
    parts.append("</body></html>")
    return "\n".join(parts)


def _timeline(entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    start, end = entries[0].fetched_at, entries[-1].fetched_at
    span = (end - start).total_seconds() or 1.0
    marks = []
    for number, entry in enumerate(entries, start=1):
        left = 100 * (entry.fetched_at - start).total_seconds() / span
        label = f"#{number} {entry.fetched_at:%Y-%m-%d}"
        marks.append(
            f'<a class="mark" href="#rev-{number}" title="{html.escape(_summary(entry))}" '
            f'style="left: {left:.2f}%; background: {score_colour(entry)}">'
            f"<span>{label}</span></a>"
        )
    return f'<div class="timeline">{"".join(marks)}</div>'


def _summary(entry: Entry) -> str:
    if entry.change is None:
        return f"{entry.kind}: first revision"
    reasons = "; ".join(entry.change.reasons) or "no change"
    return f"{entry.kind}: score {entry.change.score:.2f}: {reasons}"


def _section(number: int, entry: Entry, previous: Entry | None) -> str:
    e = html.escape
    out = [
        f'<section id="rev-{number}">',
        f"<h2>Revision #{number}: {e(entry.kind)}, fetched {utc_iso(entry.fetched_at)}</h2>",
        f"<p><b>{e(entry.title or '(no title)')}</b> · published {e(entry.published_at or '-')}",
    ]
    if entry.change is not None:
        reasons = "; ".join(entry.change.reasons) or "no change"
        out.append(
            f' · <span class="score" style="background: {score_colour(entry)}">score '
            f"{entry.change.score:.2f}</span> {e(reasons)}"
        )
    out.append("</p>")
    if entry.kind == "removed":
        out.append(_evidence(entry.evidence))
    elif previous is not None:
        out.append(_sides(number, previous, entry))
    out.append("</section>")
    return "\n".join(out)


def _sides(number: int, old: Entry, new: Entry) -> str:
    left, right = [], []
    for label, before, after in (
        ("title", old.snapshot.title, new.snapshot.title),
        ("text", old.snapshot.text, new.snapshot.text),
    ):
        ops = word_diff(
            before, after, old_volatile=old.snapshot.volatile, new_volatile=new.snapshot.volatile
        )
        old_html, new_html = _render_sides(ops, before, after)
        left.append(f"<p><i>{label}:</i> {old_html}</p>")
        right.append(f"<p><i>{label}:</i> {new_html}</p>")
    return (
        '<div class="sides">'
        f'<div class="side"><h3>before (revision #{number - 1 if number > 1 else 1})</h3>'
        f"{''.join(left)}</div>"
        f'<div class="side"><h3>revision #{number}</h3>{"".join(right)}</div></div>'
    )


def _render_sides(ops: Sequence[Op], old: str | None, new: str | None) -> tuple[str, str]:
    """(old side, new side) of *ops*: equal words on both, deletions left, insertions right."""
    a, b = tokens(old), tokens(new)
    i = j = 0
    left: list[str] = []
    right: list[str] = []
    for op in ops:
        if "=" in op:
            count = op["="]
            left.append(html.escape(" ".join(a[i : i + count])))
            right.append(html.escape(" ".join(b[j : j + count])))
            i, j = i + count, j + count
            continue
        kind = op.get("k") or "change"
        if "-" in op:
            i += len(op["-"].split(" "))
            left.append(f'<del class="{kind}">{html.escape(op["-"])}</del>')
        if "+" in op:
            j += len(op["+"].split(" "))
            right.append(f'<ins class="{kind}">{html.escape(op["+"])}</ins>')
    return " ".join(p for p in left if p), " ".join(p for p in right if p)


def _evidence(evidence: Sequence[Evidence]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(item.reason)}</td><td>{item.status}</td><td>{utc_iso(item.observed_at)}</td>"
        f"<td>{e(item.url)}</td><td>{e(item.final_url)}</td></tr>"
        for item in evidence
    )
    return (
        "<p>The article was removed from the site. Evidence:</p>"
        '<table class="evidence"><tr><th>reason</th><th>status</th><th>observed</th>'
        f"<th>url</th><th>final url</th></tr>{rows}</table>"
    )
