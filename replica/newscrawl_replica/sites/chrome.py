"""Page furniture shared by the replica sites: inline CSS and JavaScript, menus, footers.

Real ministry pages are mostly boilerplate (an article page is ~30 KB of which the article is a few KB);
these builders produce deterministic furniture of that size once per site, at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from newscrawl_replica.slugs import quote_path

Link = tuple[str, str]  # (label, href)
Section = tuple[str, Sequence[Link]]

_COMPONENTS = (
    "site-header", "top-bar", "today", "logo", "main-menu", "menu-item", "sub-menu", "search-box",
    "breadcrumb", "page-title", "news-item", "news-title", "news-lead", "news-photo", "news-body",
    "news-date", "news-tags", "share-links", "inline-related", "related-news", "comments",
    "field-validation", "counter", "site-footer", "footer-links", "footer-col", "copyright",
    "news-list", "news-list-item", "news-link", "news-summary", "pagination", "sidebar", "widget",
    "most-visited", "latest-news", "banner", "social", "newsletter", "poll", "gallery", "video-box",
    "notice", "archive", "calendar", "weather", "links-box", "contact", "map", "print-box",
)  # fmt: skip


def stylesheet(accent: str, rtl: bool, font: str) -> str:
    """A deterministic stylesheet of about 10 KB."""
    side, other = ("right", "left") if rtl else ("left", "right")
    rules = [
        f"html,body{{margin:0;padding:0;background:#f4f6f8;color:#222;font:14px/1.7 {font}}}",
        f"a{{color:{accent};text-decoration:none}}a:hover{{text-decoration:underline}}",
        ".container{max-width:1180px;margin:0 auto;padding:0 16px}",
        "img{max-width:100%;height:auto;border:0}",
    ]
    for i, comp in enumerate(_COMPONENTS):
        shade = 0xE0 + (i * 7) % 0x1F
        rules.append(
            f".{comp}{{box-sizing:border-box;margin:0 0 {8 + i % 5 * 2}px;padding:{4 + i % 4}px "
            f"{8 + i % 6}px;background:#{shade:02x}{shade:02x}{shade:02x};border-{side}:"
            f"{1 + i % 3}px solid {accent};text-align:{side}}}"
        )
        if i % 4 == 0:
            rules.append(f".{comp} a:hover{{color:#000;outline:1px dotted {accent}}}")
    for width in (992, 768, 480):
        inner = ";".join(
            f".{c}{{float:none;width:100%;margin-{other}:0}}" for c in _COMPONENTS[::6]
        )
        rules.append(f"@media (max-width:{width}px){{{inner}}}")
    return "\n".join(rules)


def script(site_key: str, counter_label: str) -> str:
    """A deterministic inline script of about 4 KB: menu, comment counter, analytics stub."""
    handlers = "\n".join(
        f"  document.querySelectorAll('.{c} a').forEach(function(a){{a.addEventListener('click',"
        f"function(){{window.__clicks=(window.__clicks||0)+1;track('{c}',a.href);}});}});"
        for c in _COMPONENTS[:24]
    )
    return f"""
var SITE = {{"key": "{site_key}", "version": "4.8.2", "cdn": "/static", "analytics": true}};
function track(area, href) {{
  try {{ (window.__queue = window.__queue || []).push([area, href, Date.now()]); }} catch (e) {{}}
}}
function toggleMenu(btn) {{
  var menu = document.querySelector('.main-menu');
  if (menu) {{ menu.classList.toggle('open'); btn.setAttribute('aria-expanded', menu.classList.contains('open')); }}
}}
function updateCounter(area) {{
  var left = 500 - area.value.length;
  var el = document.querySelector('.counter');
  if (el) {{ el.textContent = '{counter_label}' + left; }}
}}
document.addEventListener('DOMContentLoaded', function () {{
{handlers}
  var area = document.querySelector('textarea[name=comment]');
  if (area) {{ area.addEventListener('input', function () {{ updateCounter(area); }}); }}
}});
"""


def menu(sections: Sequence[Section], css_class: str = "main-menu") -> str:
    """A two-level navigation menu."""
    parts = [f'<nav class="{css_class}"><ul class="menu">']
    for label, links in sections:
        parts.append(
            f'<li class="menu-item has-children"><a href="#">{escape(label)}</a><ul class="sub-menu">'
        )
        parts.extend(
            f'<li class="menu-item"><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links
        )
        parts.append("</ul></li>")
    parts.append("</ul></nav>")
    return "".join(parts)


def link_columns(sections: Sequence[Section]) -> str:
    """Footer link columns."""
    parts = ['<div class="footer-links">']
    for label, links in sections:
        parts.append(f'<div class="footer-col"><h4>{escape(label)}</h4><ul>')
        parts.extend(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links)
        parts.append("</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def numbered(prefix: str, labels: Sequence[str], start: int) -> list[Link]:
    """Links ``prefix/{n}/{slug}`` for menu labels."""
    return [
        (label, f"{prefix}/{start + i}/{quote_path('-'.join(label.split()))}")
        for i, label in enumerate(labels)
    ]
