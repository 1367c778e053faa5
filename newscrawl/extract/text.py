"""Text cleaning: Unicode and whitespace normalisation, boilerplate removal (pure functions).

Paragraph boundaries are kept: a body is its paragraphs joined by one blank line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from newscrawl.extract.persian import normalize_persian
from newscrawl.profiles.model import Boilerplate

PARAGRAPH_SEPARATOR = "\n\n"

# Zero-width and format characters that carry no text (ZWNJ, U+200C, is kept: it is Persian
# orthography). Removed before whitespace is collapsed.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)
_SPACE_RE = re.compile(r"\s+")
_PUNCTUATION_ONLY_RE = re.compile(r"^[\W_]*$")


def normalize_text(text: str, *, persian: bool = False) -> str:
    """NFC, Persian letter forms and bidi marks (when ``persian``), one space between words.

    ``" ".join(text.split())`` is ``_SPACE_RE.sub(" ", text).strip()``: both use Python's
    definition of whitespace (``str.isspace``), and the join is several times faster. ASCII text
    is already NFC and holds none of the invisible or Persian characters, so it skips those steps.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
        if persian:
            text = normalize_persian(text)
    return " ".join(text.split())


def split_paragraphs(body: str) -> list[str]:
    """The paragraphs of a body string (blank-line separated)."""
    return [p for p in (part.strip() for part in body.split(PARAGRAPH_SEPARATOR)) if p]


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with one blank line between them."""
    return PARAGRAPH_SEPARATOR.join(paragraphs)


def _strip_phrases(paragraph: str, phrases: Sequence[str]) -> str:
    """Remove boilerplate phrases at the start and end of a paragraph (repeatedly).

    A phrase in the middle of a sentence is left alone: removing it could change what the
    ministry said, and real boilerplate is appended or prepended, not woven into sentences.
    """
    changed = True
    while changed and paragraph:
        changed = False
        for phrase in phrases:
            if paragraph.startswith(phrase):
                paragraph = paragraph[len(phrase) :].lstrip(" :|-–—·•")
                changed = True
            if paragraph.endswith(phrase):
                paragraph = paragraph[: -len(phrase)].rstrip(" :|-–—·•")
                changed = True
    return paragraph


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.casefold().rstrip(".") == b.casefold().rstrip(".")  # type: ignore[union-attr]


def clean_paragraphs(
    paragraphs: Iterable[str],
    rules: Boilerplate,
    *,
    title: str | None = None,
    lead: str | None = None,
    persian: bool = False,
) -> list[str]:
    """Normalise paragraphs and drop boilerplate.

    Dropped: paragraphs made only of boilerplate phrases or punctuation, paragraphs that match a
    boilerplate pattern in full, a repeated title (when the rules say so) and a repetition of
    the lead. A paragraph the site really repeats is kept: the archive keeps what was published.
    """
    phrases = [normalize_text(phrase, persian=persian) for phrase in rules.phrases]
    kept: list[str] = []
    for raw in paragraphs:
        paragraph = _strip_phrases(normalize_text(raw, persian=persian), phrases)
        if _PUNCTUATION_ONLY_RE.match(paragraph):
            continue
        if any(pattern.fullmatch(paragraph) for pattern in rules.patterns):
            continue
        if rules.drop_repeated_title and _same(paragraph, title):
            continue
        if _same(paragraph, lead):
            continue
        kept.append(paragraph)
    return kept


def clean_lead(lead: str | None, rules: Boilerplate, *, title: str | None, persian: bool) -> str | None:
    """A normalised lead, or None when it is empty, boilerplate or only repeats the title."""
    if not lead:
        return None
    cleaned = clean_paragraphs([lead], rules, title=title, persian=persian)
    return cleaned[0] if cleaned else None
