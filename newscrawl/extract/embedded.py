"""An article's body from the data a page embeds, for pages that render their text with script.

A client-rendered page (Next.js, Nuxt, React Query and the like) can arrive with no article text
in its markup at all: the text is in a script, as JSON-LD ``articleBody`` or as the
application's state, a JSON object one of whose strings is the article's HTML. trafilatura reads
markup only and finds no body in such a page; generic extraction (``pages.generic``) then asks
:func:`embedded_body`, in this order:

1. ``articleBody`` of the page's JSON-LD (an ``...Article`` node first), split at line breaks;
2. the string in an inline script's JSON that is the most article text: HTML whose ``<p>``
   elements, captions left out, hold the most characters.

Either answers only with at least :data:`MIN_BODY` characters; otherwise the page has no body.

Hand-written: no maintained library reads an application's state generically (extruct reads
JSON-LD and microdata, not a framework's state, and would be a dependency for step 1 only); the
state is found as JSON string literals, so no script is run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

from lxml import etree
from lxml import html as lxml_html

from newscrawl.extract.text import normalize_text

__all__ = ["MIN_BODY", "embedded_body"]

#: The least text (characters, paragraphs together) taken for a body.
MIN_BODY: Final = 200

_ARTICLE_TYPE: Final = re.compile(r"(Article|BlogPosting|Report)$")
#: A JSON (or JavaScript) string literal long enough to hold an article: quotes and escapes.
_LITERAL: Final = re.compile(r'"((?:[^"\\]|\\.){' + str(MIN_BODY) + r',})"')
_HAS_PARAGRAPH: Final = re.compile(r"<p[\s>]", re.IGNORECASE)
#: Paragraphs inside these (on class or id) are a photo's caption, not the article's text.
_CAPTION: Final = re.compile(r"caption|credit|figure|photo", re.IGNORECASE)


def embedded_body(root: etree._Element) -> list[str]:
    """The body paragraphs a page embeds in its scripts (see the module), or ``[]``."""
    for paragraphs in (_jsonld_body(root), _state_body(root)):
        if sum(map(len, paragraphs)) >= MIN_BODY:
            return paragraphs
    return []


def _jsonld_body(root: etree._Element) -> list[str]:
    bodies: list[tuple[bool, str]] = []
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in _walk(data):
            body = node.get("articleBody")
            if isinstance(body, str) and body.strip():
                kinds = node.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                is_article = any(isinstance(k, str) and _ARTICLE_TYPE.search(k) for k in kinds)
                bodies.append((is_article, body))
    if not bodies:
        return []
    body = max(bodies, key=lambda found: found[0])[1]  # the first article node's, else the first
    return [p for p in (normalize_text(line) for line in body.splitlines()) if p]


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _walk(value)


def _state_body(root: etree._Element) -> list[str]:
    best: list[str] = []
    for script in root.iter("script"):
        if script.get("src") or (script.get("type") or "").endswith("ld+json"):
            continue
        for literal in _LITERAL.finditer(script.text or ""):
            try:
                text = json.loads(f'"{literal.group(1)}"')
            except ValueError:
                continue
            if not _HAS_PARAGRAPH.search(text):
                continue
            paragraphs = _paragraphs(text)
            if sum(map(len, paragraphs)) > sum(map(len, best)):
                best = paragraphs
    return best


def _paragraphs(fragment: str) -> list[str]:
    try:
        tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    found = []
    for paragraph in tree.iter("p"):
        if any(_is_caption(node) for node in (paragraph, *paragraph.iterancestors())):
            continue
        text = normalize_text("".join(paragraph.itertext()))
        if text:
            found.append(text)
    return found


def _is_caption(element: etree._Element) -> bool:
    if element.tag in ("figure", "figcaption"):
        return True
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(marks.strip()) and bool(_CAPTION.search(marks))
