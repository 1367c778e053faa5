"""The "redesign" article template (switched on through ``POST /_replica/template``).

It keeps the site's furniture but changes the article markup, as a CMS upgrade would:
``<h1 class="headline">`` title, ``<p class="standfirst">`` lead, ``<time>`` date line,
``<section class="story">`` body paragraphs, ``<ul class="topics">`` tags.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.sites.render import body_paragraphs

if TYPE_CHECKING:
    from newscrawl_replica.sites.base import SiteBase


def render_redesign(site: SiteBase, art: ArticleSpec) -> str:
    """The article page in the redesigned template."""
    title = escape(art.title)
    date = f"<time>{escape(art.date_raw)}</time>\n" if art.date_raw is not None else ""
    topics = "".join(f"<li>{escape(t)}</li>" for t in art.tags)
    more = []
    for rid in art.related:
        rel = site.site.by_id.get(rid)
        if rel is not None:
            more.append(f'<li><a href="{escape(rel.path)}">{escape(rel.title)}</a></li>')
    alternate = ""
    if art.alternate:
        alternate = f'<link rel="alternate" hreflang="{art.alternate[0]}" href="{escape(art.alternate[1])}">'
    return (
        f'<!DOCTYPE html>\n<html lang="{site.lang_attr}" dir="{site.direction}"><head>'
        f"{site.charset_meta(art)}<title>{title} — {escape(site.site_title)}</title>"
        f'<link rel="canonical" href="{escape(art.path)}">{alternate}'
        f"<style>{site.style}</style><script>{site.script}</script></head>\n<body>"
        f"{site.header_html}\n"
        f'<main class="page"><div class="post" data-id="{art.id}">\n'
        f'<h1 class="headline">{title}</h1>\n<p class="standfirst">{escape(art.lead)}</p>\n{date}'
        f'<section class="story">\n{chr(10).join(body_paragraphs(art))}\n</section>\n'
        f'<ul class="topics">{topics}</ul>\n</div>\n'
        f'<aside class="more-stories"><ul>{"".join(more)}</ul></aside></main>\n'
        f"{site.footer_html}</body></html>\n"
    )
