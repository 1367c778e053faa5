"""Small helpers over parsel selectors shared by the page objects."""

from __future__ import annotations

from parsel import Selector, SelectorList

from newscrawl.extract.text import normalize_text


def node_text(node: Selector) -> str:
    """All text inside a node, whitespace-normalised (inline elements joined without gaps)."""
    return normalize_text("".join(node.xpath(".//text()").getall()))


def first_text(root: Selector, css: str | None) -> str | None:
    """The normalised text of the first node matching ``css``, or None if none has text."""
    if not css:
        return None
    for node in root.css(css):
        text = node_text(node)
        if text:
            return text
    return None


def all_texts(nodes: SelectorList[Selector]) -> list[str]:
    """The non-empty normalised texts of ``nodes``, in document order."""
    return [text for text in (node_text(node) for node in nodes) if text]
