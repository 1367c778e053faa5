"""Small helpers over parsel selectors shared by the page objects.

The page is parsed once by parsel (``Selector(text=html)``); the queries then run on its lxml tree
with XPath expressions compiled once per CSS selector (translated by parsel's own translator, so
they select exactly what ``Selector.css`` selects). That skips parsel's per-call evaluator look-up
and the ``Selector`` object it wraps around every result node and every text node, which cost
more than the queries themselves on a 30 KB article page.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import GenericTranslator, HTMLTranslator

from newscrawl.extract.text import normalize_text

# What parsel maps for every query of an HTML or XML selector (its "set" EXSLT prefix is only
# mapped when a query names it, which no CSS translation does).
_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}
_TRANSLATORS = {"html": HTMLTranslator(), "xml": GenericTranslator()}
_TEXT = etree.XPath(".//text()", namespaces=_NAMESPACES, smart_strings=False)


@lru_cache(maxsize=1024)
def _compiled(query: str) -> etree.XPath:
    return etree.XPath(query, namespaces=_NAMESPACES, smart_strings=False)


@lru_cache(maxsize=1024)
def _compiled_css(css: str, type_: str) -> etree.XPath:
    return _compiled(_TRANSLATORS[type_].css_to_xpath(css))


def select(root: Selector, css: str) -> list[Any]:
    """The lxml nodes (or strings, for pseudo-elements) that ``root.css(css)`` would wrap.

    ``root`` is a parsel selector of type html or xml; for any other type parsel's own ``css``
    runs, so its errors are the same.
    """
    if root.type not in ("html", "xml") or not hasattr(root.root, "xpath"):
        return [node.root for node in root.css(css)]
    result = _compiled_css(css, root.type)(root.root)
    return result if isinstance(result, list) else [result]


def xpath(root: Selector, query: str) -> list[Any]:
    """The lxml nodes or strings that ``root.xpath(query)`` would wrap."""
    if root.type not in ("html", "xml") or not hasattr(root.root, "xpath"):
        return [node.root for node in root.xpath(query)]
    result = _compiled(query)(root.root)
    return result if isinstance(result, list) else [result]


def element_text(node: Any) -> str:
    """All text inside an lxml node, whitespace-normalised; "" for a string or other result."""
    if not isinstance(node, etree._Element):
        return ""
    return normalize_text("".join(_TEXT(node)))


def element_texts(nodes: Iterable[Any]) -> list[str]:
    """The non-empty normalised texts of lxml ``nodes``, in document order."""
    return [text for text in (element_text(node) for node in nodes) if text]


def text_lines(node: Any) -> list[str]:
    """Each text node inside an lxml node, normalised; empty ones left out."""
    if not isinstance(node, etree._Element):
        return []
    return [line for line in (normalize_text(t) for t in _TEXT(node)) if line]


def first_element_text(root: Selector, css: str | None) -> str | None:
    """The normalised text of the first node matching ``css``, or None if none has text."""
    if not css:
        return None
    for node in select(root, css):
        text = element_text(node)
        if text:
            return text
    return None


def first_string(values: list[Any]) -> str | None:
    """``SelectorList.get()`` of an attribute or text query's results: the first, or None."""
    return str(values[0]) if values else None
