"""Word-level diffs between two texts, stored compactly.

A text is split into words (runs of non-space characters). Words are compared by their *key*:
the word after :func:`newscrawl.extract.persian.normalize_persian` (Arabic yeh/kaf, bidi marks,
NBSP), with its digits made ASCII, its ZWNJs removed and its punctuation dropped, lower case. So
``ي``/``ی``, ``۱۲۰``/``120``, ``می‌خواهد``/``میخواهد`` and ``said,``/``said`` are the same word,
and whitespace never matters (it is not part of any word).

:func:`word_diff` runs :class:`difflib.SequenceMatcher` on the keys and returns a list of
compact operations (JSON-ready dicts):

- ``{"=": n}``: n unchanged words (a count, not the words: the new text has them);
- ``{"-": "old words"}``, ``{"+": "new words"}``, ``{"-": "old", "+": "new"}``: deleted,
  inserted, replaced words, as written;
- an optional ``"k"`` (kind) on a changed operation: ``"trivial"`` (the keys on both sides
  spell the same, e.g. a word split or joined by a ZWNJ or space, or punctuation only),
  ``"volatile"`` (every changed word lies in a volatile span, see below) or ``"moved"`` (a deleted
  run of at least :data:`MIN_MOVED_WORDS` words whose keys equal an inserted run elsewhere).

Volatile spans are given as strings (the texts a profile's ``[volatile]`` selectors and patterns
matched at extraction, ``newscrawl.pages.extraction``); every occurrence of a span's key sequence
in the old (resp. new) text marks its words volatile.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Final

from newscrawl.extract.persian import ZWNJ, normalize_persian, to_ascii_digits

__all__ = ["MIN_MOVED_WORDS", "Op", "keys_of", "tokens", "volatile_mask", "word_diff", "word_key"]

#: A diff operation, as stored in ``revisions.diff``.
Op = dict[str, Any]
#: The shortest deleted run that counts as a moved passage when it is inserted elsewhere.
MIN_MOVED_WORDS: Final = 4

_WORD: Final = re.compile(r"\S+")


def tokens(text: str | None) -> list[str]:
    """The words of *text*, as written (whitespace separates them and is not kept)."""
    return _WORD.findall(text) if text else []


def word_key(word: str) -> str:
    """What a word is compared by: normalised, ASCII digits, no ZWNJ, no punctuation, lower case."""
    key = to_ascii_digits(normalize_persian(word)).replace(ZWNJ, "")
    return "".join(c for c in key if not unicodedata.category(c).startswith(("P", "C"))).casefold()


def keys_of(words: Iterable[str]) -> list[str]:
    """The keys of *words*."""
    return [word_key(w) for w in words]


def volatile_mask(words: Sequence[str], spans: Iterable[str]) -> list[bool]:
    """For each of *words*, whether it lies in an occurrence of one of the volatile *spans*."""
    mask = [False] * len(words)
    keys = keys_of(words)
    for span in spans:
        needle = [k for k in keys_of(tokens(span)) if k]
        if not needle:
            continue
        size = len(needle)
        for start in range(len(keys) - size + 1):
            if keys[start] == needle[0] and keys[start : start + size] == needle:
                for index in range(start, start + size):
                    mask[index] = True
    return mask


def word_diff(
    old: str | None,
    new: str | None,
    *,
    old_volatile: Iterable[str] = (),
    new_volatile: Iterable[str] = (),
) -> list[Op]:
    """The compact word-level diff from *old* to *new* (see the module docstring)."""
    a, b = tokens(old), tokens(new)
    a_keys, b_keys = keys_of(a), keys_of(b)
    a_vol = volatile_mask(a, old_volatile)
    b_vol = volatile_mask(b, new_volatile)
    matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append({"=": j2 - j1})
            continue
        op: Op = {}
        if i2 > i1:
            op["-"] = " ".join(a[i1:i2])
        if j2 > j1:
            op["+"] = " ".join(b[j1:j2])
        if "".join(a_keys[i1:i2]) == "".join(b_keys[j1:j2]):
            op["k"] = "trivial"
        elif all(a_vol[i1:i2]) and all(b_vol[j1:j2]):
            op["k"] = "volatile"
        ops.append(op)
    _mark_moves(ops)
    return ops


def _mark_moves(ops: list[Op]) -> None:
    """Mark a pure deletion and a pure insertion with the same keys (long enough) as moved."""
    deleted = [op for op in ops if "-" in op and "+" not in op and "k" not in op]
    inserted = [op for op in ops if "+" in op and "-" not in op and "k" not in op]
    for gone in deleted:
        key = keys_of(gone["-"].split(" "))
        if len(key) < MIN_MOVED_WORDS:
            continue
        for came in inserted:
            if "k" not in came and keys_of(came["+"].split(" ")) == key:
                gone["k"] = came["k"] = "moved"
                break


def is_unchanged(ops: Sequence[Op]) -> bool:
    """True when *ops* has no change at all (only equal runs)."""
    return all("=" in op for op in ops)
