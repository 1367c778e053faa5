"""Small HTML fragments shared by the site renderers."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from newscrawl_replica.model import ArticleSpec

SHARE_TARGETS = (
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
    ("X", "https://twitter.com/intent/tweet?url="),
    ("Telegram", "https://t.me/share/url?url="),
    ("WhatsApp", "https://wa.me/?text="),
)


def body_paragraphs(art: ArticleSpec) -> list[str]:
    """``<p>`` elements of the body, with the article's inline markup applied (text unchanged)."""
    marks = {mk.paragraph: mk for mk in art.markup}
    out = []
    for i, text in enumerate(art.paragraphs):
        html = escape(text)
        mk = marks.get(i)
        if mk is not None:
            phrase = escape(mk.phrase)
            if mk.tag == "a":
                wrapped = f'<a href="{escape(mk.href)}">{phrase}</a>'
            else:
                wrapped = f"<{mk.tag}>{phrase}</{mk.tag}>"
            html = html.replace(phrase, wrapped, 1)
        out.append(f"<p>{html}</p>")
    return out


def share_links(label: str, absolute_url: str, css_class: str = "share-links") -> str:
    """Facebook, X, Telegram and WhatsApp share links that embed the (percent-encoded) article URL."""
    target = quote(absolute_url, safe="")
    links = " ".join(f'<a href="{base}{target}">{name}</a>' for name, base in SHARE_TARGETS)
    return f'<div class="{css_class}">{escape(label)} {links}</div>'
