"""Table-driven tests of text cleaning (newscrawl.extract.text)."""

import re

import pytest

from newscrawl.extract.text import (
    clean_lead,
    clean_paragraphs,
    join_paragraphs,
    normalize_text,
    split_paragraphs,
)
from newscrawl.profiles.model import Boilerplate

RULES = Boilerplate(
    phrases=("Sender name is required", "Email is required", "Characters left: 500", "Comment is required"),
    patterns=(re.compile(r"^Share:?(\s+(Facebook|X|Telegram|WhatsApp))*$"), re.compile(r"^Tags:.*$")),
)
TITLE = "Iran, Azerbaijan aim for ICT Cooperation"


@pytest.mark.parametrize(
    ("raw", "persian", "expected"),
    [
        ("  two   spaces\n\tand tabs ", False, "two spaces and tabs"),
        ("non\u00a0breaking\u00a0space", False, "non breaking space"),
        ("e\u0301t\u00e9", False, "\u00e9t\u00e9"),  # NFC composes e + combining acute
        ("zero\u200bwidth", False, "zerowidth"),
        ("soft\u00adhyphen", False, "softhyphen"),
        ("\ufeffBOM at start", False, "BOM at start"),
        ("علي كريمي", True, "علی کریمی"),  # Arabic yeh/kaf become Persian
        ("\u200fسه\u200cشنبه\u200f", True, "سه\u200cشنبه"),  # RLM dropped, ZWNJ kept
        ("علي", False, "علي"),  # no Persian normalisation for other languages
        ("", False, ""),
    ],
)
def test_normalize_text(raw, persian, expected):
    assert normalize_text(raw, persian=persian) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # the comment form, alone or glued together, goes
        (["Body text.", "Sender name is required"], ["Body text."]),
        (["Body text.", "Sender name is required Email is required Characters left: 500 Comment is required"], ["Body text."]),
        # boilerplate appended to a real paragraph is cut off, the paragraph stays
        (["He said so. Characters left: 500"], ["He said so."]),
        # ... and so is one put before it, with the separators between them (but no letter)
        (["Sender name is required: He said so."], ["He said so."]),
        (["Email is required: X (formerly Twitter) was blocked."], ["X (formerly Twitter) was blocked."]),
        (["He posted on X | Characters left: 500"], ["He posted on X"]),
        # phrases at both ends, in any order: cut until none is left at either end
        (["Email is required Sender name is required He said so."], ["He said so."]),
        (["Email is required — He said so. — Characters left: 500 Comment is required"], ["He said so."]),
        # a phrase in the middle of a sentence is left alone
        (["The form says Email is required for replies, he noted."], ["The form says Email is required for replies, he noted."]),
        # share links and tag lines match a pattern in full
        (["Text.", "Share: Facebook X Telegram WhatsApp", "Tags: ICT Azerbaijan"], ["Text."]),
        # repeated title, in any case and with a trailing period
        ([TITLE, "Text."], ["Text."]),
        ([TITLE.upper() + ".", "Text."], ["Text."]),
        # the lead repeated as the first body paragraph
        (["The lead sentence.", "Text."], ["Text."]),
        # punctuation-only paragraphs go; a paragraph the site repeats stays
        (["Text.", "Text.", "***", "—", "Other."], ["Text.", "Text.", "Other."]),
        # whitespace normalised inside paragraphs, empty ones dropped
        (["  A \n line  ", "", "   "], ["A line"]),
    ],
)
def test_clean_paragraphs(paragraphs, expected):
    assert clean_paragraphs(paragraphs, RULES, title=TITLE, lead="The lead sentence.") == expected


def test_repeated_title_kept_when_rules_say_so():
    rules = Boilerplate(drop_repeated_title=False)
    assert clean_paragraphs([TITLE, "Text."], rules, title=TITLE) == [TITLE, "Text."]


@pytest.mark.parametrize(
    ("lead", "expected"),
    [(None, None), ("", None), (TITLE, None), ("  A lead. ", "A lead."), ("Characters left: 500", None)],
)
def test_clean_lead(lead, expected):
    assert clean_lead(lead, RULES, title=TITLE, persian=False) == expected


def test_paragraph_round_trip():
    paragraphs = ["One.", "Two, still two.", "Three."]
    body = join_paragraphs(paragraphs)
    assert body == "One.\n\nTwo, still two.\n\nThree."
    assert split_paragraphs(body) == paragraphs
    assert split_paragraphs("\n\n  \n\nOne.\n\n") == ["One."]
