"""Tests for newscrawl.extract.persian: digits, yeh/kaf, bidi marks, NBSP and ZWNJ."""

from __future__ import annotations

import pytest

from newscrawl.extract.persian import normalize_persian, to_ascii_digits

ZWNJ = "\u200c"
RLM = "\u200f"
LRM = "\u200e"
ALM = "\u061c"
NBSP = "\u00a0"
NNBSP = "\u202f"
FA_YEH = "\u06cc"  # ی
FA_KAF = "\u06a9"  # ک
AR_YEH = "\u064a"  # ي
AR_MAKSURA = "\u0649"  # ى
AR_KAF = "\u0643"  # ك


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),  # Persian U+06F0–06F9
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),  # Arabic-Indic U+0660–0669
        ("۱۴۰۳/۱۱/٣٠", "1403/11/30"),  # mixed in one string
        ("۲۱:۲۷", "21:27"),
        ("0123456789", "0123456789"),  # ASCII unchanged
        ("آذر ۱۳۹۶", "آذر 1396"),  # letters unchanged
        ("ي ك", "ي ك"),  # only digits change here
        ("", ""),
    ],
)
def test_to_ascii_digits(text: str, expected: str) -> None:
    assert to_ascii_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # yeh and kaf
        (AR_YEH, FA_YEH),
        (AR_MAKSURA, FA_YEH),
        (AR_KAF, FA_KAF),
        ("ارديبهشت", "اردیبهشت"),
        ("دي", "دی"),
        ("دى", "دی"),
        ("كتاب", "کتاب"),
        ("وزارت ارتباطات و فناوري اطلاعات", "وزارت ارتباطات و فناوری اطلاعات"),
        ("کتاب ی", "کتاب ی"),  # already Persian: unchanged
        # bidi controls are removed
        (f"{RLM}۱۴ آذر ۱۳۹۶{RLM}", "۱۴ آذر ۱۳۹۶"),
        (f"{LRM}21:27{LRM}", "21:27"),
        (f"a{ALM}b", "ab"),
        ("\u202a\u202b\u202c\u202d\u202ex", "x"),  # LRE RLE PDF LRO RLO
        ("\u2066\u2067\u2068\u2069x", "x"),  # LRI RLI FSI PDI
        # NBSPs become plain spaces; other whitespace is kept as is (paragraphs matter)
        (f"۱۴{NBSP}آذر", "۱۴ آذر"),
        (f"Dec{NNBSP}5", "Dec 5"),
        ("a\n\nb  c", "a\n\nb  c"),
        # digits are text here: not changed
        ("۱۴ آذر ۱۳۹۶", "۱۴ آذر ۱۳۹۶"),
        ("٣٠", "٣٠"),
        # ZWNJ kept where it joins two letters inside a word
        (f"سه{ZWNJ}شنبه", f"سه{ZWNJ}شنبه"),
        (f"می{ZWNJ}شود", f"می{ZWNJ}شود"),
        (f"کتاب{ZWNJ}ها", f"کتاب{ZWNJ}ها"),
        (f"مي{ZWNJ}شود", f"می{ZWNJ}شود"),  # and yeh normalised next to it
        # ... a doubled ZWNJ inside a word becomes one
        (f"سه{ZWNJ}{ZWNJ}شنبه", f"سه{ZWNJ}شنبه"),
        # ... removed next to a space, at the start or end, next to digits or punctuation
        (f"سه{ZWNJ} شنبه", "سه شنبه"),
        (f"سه {ZWNJ}شنبه", "سه شنبه"),
        (f"{ZWNJ}سلام", "سلام"),
        (f"سلام{ZWNJ}", "سلام"),
        (f"سلام{ZWNJ}{ZWNJ}", "سلام"),
        (ZWNJ, ""),
        (f"۱۴{ZWNJ}آذر", "۱۴آذر"),
        (f"سلام{ZWNJ}.", "سلام."),
        # a bidi mark between the ZWNJ and a letter is removed first, so the ZWNJ still joins
        (f"سه{ZWNJ}{RLM}شنبه", f"سه{ZWNJ}شنبه"),
        ("", ""),
        ("plain ASCII text", "plain ASCII text"),
    ],
)
def test_normalize_persian(text: str, expected: str) -> None:
    assert normalize_persian(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۲ ارديبهشت ۱۳۹۳", "12 اردیبهشت 1393"),
        (f"{RLM}٣٠ دي{NBSP}۱۴۰۲{RLM}", "30 دی 1402"),
        (f"سه{ZWNJ}شنبه ۱۴۰۳/۱۱/۳۰", f"سه{ZWNJ}شنبه 1403/11/30"),
    ],
)
def test_normalize_persian_ascii_digits(text: str, expected: str) -> None:
    assert normalize_persian(text, ascii_digits=True) == expected
    assert normalize_persian(text, ascii_digits=True) == to_ascii_digits(normalize_persian(text))


@pytest.mark.parametrize(
    "text", ["", "abc", "۱۴ آذر", f"سه{ZWNJ}شنبه", f"{ZWNJ}{ZWNJ}x{ZWNJ} y", "كي ى"]
)
def test_normalize_persian_is_idempotent(text: str) -> None:
    once = normalize_persian(text)
    assert normalize_persian(once) == once
