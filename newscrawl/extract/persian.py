"""Persian text normalisation: digits, Arabic/Persian letter variants, bidi controls, NBSP and ZWNJ.

Iranian and Afghan sites mix several encodings of "the same" text: Arabic yeh/kaf (ي ى ك) instead of
the Persian ones (ی ک), Persian (۰–۹) or Arabic-Indic (٠–٩) digits, invisible bidi marks around
dates, NBSPs and stray zero-width non-joiners (ZWNJ, U+200C). The functions here make such text
comparable without changing what it says:

* :func:`normalize_persian` is for text (titles, body, tags, and dates before parsing). It does NOT
  touch digits: digits in body text are part of the text, only dates and ids are data.
* :func:`to_ascii_digits` is for data (dates, ids), where the digits must be ASCII.

Both are pure, thread-safe and fast: the character maps are ``str.translate`` tables built once at
import.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["normalize_persian", "to_ascii_digits"]

ZWNJ: Final = "\u200c"

# Persian (extended Arabic-Indic) U+06F0–06F9 and Arabic-Indic U+0660–0669 digits -> ASCII 0–9.
_DIGITS: Final[dict[int, int]] = {
    **{0x06F0 + i: ord("0") + i for i in range(10)},
    **{0x0660 + i: ord("0") + i for i in range(10)},
}

# Character-level normalisation; deleting a character maps it to None.
_PERSIAN: Final[dict[int, int | None]] = {
    0x064A: 0x06CC,  # ARABIC LETTER YEH ي -> ARABIC LETTER FARSI YEH ی
    0x0649: 0x06CC,  # ARABIC LETTER ALEF MAKSURA ى -> ی
    0x0643: 0x06A9,  # ARABIC LETTER KAF ك -> ARABIC LETTER KEHEH ک
    0x00A0: 0x0020,  # NO-BREAK SPACE -> space
    0x202F: 0x0020,  # NARROW NO-BREAK SPACE -> space
    0x200E: None,  # LEFT-TO-RIGHT MARK
    0x200F: None,  # RIGHT-TO-LEFT MARK
    0x061C: None,  # ARABIC LETTER MARK
    **dict.fromkeys(range(0x202A, 0x202F), None),  # LRE RLE PDF LRO RLO (embeddings/overrides)
    **dict.fromkeys(range(0x2066, 0x206A), None),  # LRI RLI FSI PDI (isolates)
}

_ASCII_DIGITS_TABLE: Final = str.maketrans(_DIGITS)
_PERSIAN_TABLE: Final = str.maketrans(_PERSIAN)
# Both in one pass, for data (dates): one translate() instead of two.
_PERSIAN_ASCII_DIGITS_TABLE: Final = str.maketrans({**_PERSIAN, **_DIGITS})

# A "letter" for the ZWNJ rule: any Unicode letter, or an Arabic combining mark (harakat
# U+064B–065F, superscript alef U+0670) that sits on a letter. Digits, punctuation and spaces are
# not letters.
_LETTER: Final = r"(?:[^\W\d_]|[\u064B-\u065F\u0670])"
# A run of ZWNJs between two letters becomes exactly one ZWNJ (group 1 is kept); any other run
# (doubled at a word edge, next to a space or punctuation, at the start or end of the string) is
# deleted: the unmatched group 1 of the second alternative is substituted as "".
_ZWNJ_RE: Final = re.compile(rf"(?<={_LETTER})({ZWNJ}){ZWNJ}*(?={_LETTER})|{ZWNJ}+")
# Is there any ZWNJ to fix? Most text only has single ZWNJs inside words, and a search is much
# cheaper than a sub() with a group template.
_STRAY_ZWNJ_RE: Final = re.compile(rf"{ZWNJ}{ZWNJ}|(?<!{_LETTER}){ZWNJ}|{ZWNJ}(?!{_LETTER})")


def to_ascii_digits(s: str) -> str:
    """Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits; nothing else changes.

    >>> to_ascii_digits("۱۴۰۳/۱۱/٣٠")
    '1403/11/30'
    """
    return s.translate(_ASCII_DIGITS_TABLE)


def normalize_persian(s: str, *, ascii_digits: bool = False) -> str:
    """Normalise Persian text without changing its meaning (digits are left alone by default).

    - Arabic yeh ي (U+064A) and alef maksura ى (U+0649) become Persian yeh ی (U+06CC); Arabic kaf ك
      (U+0643) becomes Persian kaf ک (U+06A9).
    - Bidi controls are removed: LRM, RLM, ALM, the embeddings/overrides U+202A–202E and the
      isolates U+2066–2069.
    - NBSP (U+00A0) and narrow NBSP (U+202F) become a plain space. Whitespace is otherwise kept as
      is (paragraph breaks in body text are meaningful); collapse it yourself where needed.
    - ZWNJ (U+200C) is kept where it joins two letters inside a word (``سه‌شنبه``, ``می‌شود``); a
      run of several ZWNJs there becomes one. It is removed next to a space, digit or punctuation
      and at the start or end of the string.

    With ``ascii_digits=True`` the digits are also made ASCII, in the same pass: this is
    ``to_ascii_digits(normalize_persian(s))`` for data such as dates, not for text.

    >>> normalize_persian("ارديبهشت\u200f") == "اردیبهشت"
    True
    """
    s = s.translate(_PERSIAN_ASCII_DIGITS_TABLE if ascii_digits else _PERSIAN_TABLE)
    if ZWNJ in s and _STRAY_ZWNJ_RE.search(s):
        s = _ZWNJ_RE.sub(r"\1", s)
    return s
