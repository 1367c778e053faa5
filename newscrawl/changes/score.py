"""The significance of a change between two revisions: a score from 0 to 1 and its reasons.

:func:`compare` diffs the title and the text (lead and body) word by word
(:func:`newscrawl.changes.diff.word_diff`) and compares the dates. Each kind of evidence gives a
component between 0 and 1, and the score is ``1 - prod(1 - component)`` (any one strong signal
makes the change significant; weak ones add up without reaching 1):

- the text: ``sqrt(f)``, f the share of words changed (a replaced run counts its longer side,
  a moved passage a quarter of its words) in the longer of the two texts. The square root keeps
  a small edit visible: one sentence of ten words in a 300-word article (f = 3 %) gives 0.18, a
  rewritten half (f = 50 %) 0.71, one word in 300 0.06;
- the title changed: :data:`TITLE_WEIGHT`;
- the published date changed: :data:`DATE_WEIGHT`;
- a number replaced by another one (a figure in a statement, a date in the text):
  :data:`NUMBER_WEIGHT`;
- a name replaced by another one (capitalised words in Latin script; Persian has no capitals,
  so there only the other signals count): :data:`NAME_WEIGHT`;
- the article removed (a tombstone): 1, reason ``removed`` (:func:`removal`).

Changes that say nothing new score 0: whitespace (not part of any word), punctuation only,
Persian normalisation (ي/ی, ك/ک, ZWNJ, Persian/Arabic/Latin digits) - the diff's ``trivial``
operations - and changes inside a profile's volatile regions (``volatile``). They stay in the
diff, marked, and add nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from newscrawl.changes.diff import Op, keys_of, tokens, word_diff

__all__ = [
    "ALERT_THRESHOLD",
    "DATE_WEIGHT",
    "NAME_WEIGHT",
    "NUMBER_WEIGHT",
    "TITLE_WEIGHT",
    "Change",
    "Snapshot",
    "change_columns",
    "compare",
    "removal",
]

TITLE_WEIGHT: Final = 0.5
DATE_WEIGHT: Final = 0.4
NUMBER_WEIGHT: Final = 0.6
NAME_WEIGHT: Final = 0.4
#: A moved passage counts this share of its words as changed.
MOVED_WEIGHT: Final = 0.25
#: The default ``--min-score`` of ``newscrawl changes``, ``feed`` and ``notify``: below it a
#: change is not worth an alert (a typo fixed in a long article scores about 0.06).
ALERT_THRESHOLD: Final = 0.2
#: At most this many numbers or names are named in one reason.
_MAX_NAMED: Final = 3
_PUNCT: Final = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts of a revision a change is measured on."""

    title: str
    lead: str | None
    body: str
    published_at: str | None
    #: Texts of the profile's volatile regions in this revision (``revisions.volatile``).
    volatile: Sequence[str] = ()

    @property
    def text(self) -> str:
        """The lead and the body, as one text."""
        return f"{self.lead}\n\n{self.body}" if self.lead else self.body


@dataclass(frozen=True, slots=True)
class Change:
    """A change's score (0..1), its reasons (the evidence, in words) and its compact diff."""

    score: float
    reasons: list[str] = field(default_factory=list)
    #: ``{"title": [ops], "text": [ops]}`` plus ``"date": [old, new]`` when the date changed,
    #: or ``{"removed": true}`` for a removal.
    diff: dict[str, Any] = field(default_factory=dict)


def change_columns(old: Snapshot | None, new: Snapshot) -> dict[str, Any]:
    """The ``revisions`` columns of a new revision *new* after *old* (None: the first one)."""
    if old is None:
        return {"significance": None, "change_reasons": None, "diff": None}
    change = compare(old, new)
    return {"significance": change.score, "change_reasons": change.reasons, "diff": change.diff}


def removal() -> Change:
    """The change a tombstone records: the article is gone."""
    return Change(score=1.0, reasons=["removed"], diff={"removed": True})


def compare(old: Snapshot, new: Snapshot) -> Change:
    """The score, reasons and diff of the change from *old* to *new*."""
    title_ops = word_diff(
        old.title, new.title, old_volatile=old.volatile, new_volatile=new.volatile
    )
    text_ops = word_diff(old.text, new.text, old_volatile=old.volatile, new_volatile=new.volatile)
    diff: dict[str, Any] = {"title": title_ops, "text": text_ops}
    components: list[float] = []
    reasons: list[str] = []

    words = max(len(tokens(old.text)), len(tokens(new.text)), 1)
    changed = sum(_changed_words(op) for op in text_ops)
    if changed:
        share = changed / words
        components.append(min(1.0, math.sqrt(share)))
        percent = f"{share:.0%}" if share >= 0.005 else "<1%"
        reasons.append(f"body: {percent} of words changed")
    moved = sum(len(op["-"].split(" ")) for op in text_ops if op.get("k") == "moved" and "-" in op)
    if moved:
        reasons.append(f"passage moved ({moved} words)")
    if any(_counts(op) for op in title_ops):
        components.append(TITLE_WEIGHT)
        reasons.append("title changed")
    if (old.published_at or None) != (new.published_at or None):
        components.append(DATE_WEIGHT)
        reasons.append(f"date changed: {old.published_at or '-'} → {new.published_at or '-'}")

    significant = [op for op in (*title_ops, *text_ops) if _counts(op) and op.get("k") != "moved"]
    numbers = [pair for op in significant if (pair := _replaced(op, _is_number))]
    if numbers:
        components.append(NUMBER_WEIGHT)
        reasons.append("number changed: " + "; ".join(_named(numbers)))
    names = [pair for op in significant if (pair := _replaced(op, _is_name))]
    if names:
        components.append(NAME_WEIGHT)
        reasons.append("name changed: " + "; ".join(_named(names)))

    if not components:
        kinds = {op.get("k") for op in (*title_ops, *text_ops) if "=" not in op}
        if "volatile" in kinds:
            reasons.append("volatile regions only")
        texts_differ = (old.title, old.text) != (new.title, new.text)
        if "trivial" in kinds or (not kinds and texts_differ):
            reasons.append("normalisation, punctuation or spacing only")
    score = 1.0 - math.prod(1.0 - c for c in components)
    if diff_date := _date_pair(old, new):
        diff["date"] = diff_date
    return Change(score=round(score, 3), reasons=reasons, diff=diff)


def _date_pair(old: Snapshot, new: Snapshot) -> list[str | None] | None:
    if (old.published_at or None) == (new.published_at or None):
        return None
    return [old.published_at, new.published_at]


def _counts(op: Op) -> bool:
    """A change that counts: not an equal run, not trivial, not volatile."""
    return "=" not in op and op.get("k") not in ("trivial", "volatile")


def _changed_words(op: Op) -> float:
    if not _counts(op):
        return 0.0
    deleted = len(op["-"].split(" ")) if "-" in op else 0
    inserted = len(op["+"].split(" ")) if "+" in op else 0
    if op.get("k") == "moved":
        return MOVED_WEIGHT * deleted  # counted on the deleted side only
    return float(max(deleted, inserted))


def _is_number(word: str, key: str) -> bool:
    return any(c.isdigit() for c in key)


def _is_name(word: str, key: str) -> bool:
    stripped = word.lstrip("\"'“‘(«")
    return len(key) > 1 and stripped[:1].isupper() and not any(c.isdigit() for c in key)


def _replaced(op: Op, kind: Any) -> tuple[str, str] | None:
    """(old, new) when a replacement swaps words of *kind* (numbers, names) for others."""
    if "-" not in op or "+" not in op:
        return None
    old, new = _words_of(op["-"], kind), _words_of(op["+"], kind)
    if not old or not new or keys_of(old) == keys_of(new):
        return None
    return " ".join(old), " ".join(new)


def _words_of(text: str, kind: Any) -> list[str]:
    """The words of *text* that are of *kind*, without the punctuation around them."""
    words = text.split(" ")
    return [_PUNCT.sub("", w) for w, k in zip(words, keys_of(words), strict=True) if kind(w, k)]


def _named(pairs: list[tuple[str, str]]) -> list[str]:
    named = [f"{old} → {new}" for old, new in pairs[:_MAX_NAMED]]
    if len(pairs) > _MAX_NAMED:
        named.append(f"and {len(pairs) - _MAX_NAMED} more")
    return named
