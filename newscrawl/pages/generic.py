"""Generic extraction for profiles that give no selectors.

Library choice: trafilatura (with htmldate for the date). It is maintained, has the best published
scores among open-source main-text extractors, works on an lxml tree we already parsed (so a page
is parsed once), and handles Persian pages. Its output is then cleaned by our own pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura
from parsel import Selector

from newscrawl.extract.text import normalize_text


@dataclass(slots=True)
class GenericFields:
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    date: str | None = None


def extract(root: Selector, url: str) -> GenericFields:
    """Title, body paragraphs and date (``YYYY-MM-DD`` from htmldate) of a page."""
    document = trafilatura.bare_extraction(
        root.root,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if not isinstance(document, trafilatura.settings.Document):
        return GenericFields()
    text = document.text or ""
    paragraphs = [p for p in (normalize_text(line) for line in text.split("\n")) if p]
    title = normalize_text(document.title) if document.title else None
    return GenericFields(title=title or None, paragraphs=paragraphs, date=document.date or None)
