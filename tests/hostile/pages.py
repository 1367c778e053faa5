"""The hostile site's pages: a listing and articles the profile in conftest.py extracts."""

from __future__ import annotations

from collections.abc import Iterable


def paragraphs(source_id: int) -> list[str]:
    return [f"Paragraph {n} of article {source_id}, long enough to be a real sentence." for n in range(1, 5)]


def article_html(source_id: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs(source_id))
    return (
        f'<html lang="en"><head><title>Article {source_id}</title></head><body>'
        f'<h1 class="title">Article {source_id}</h1><span class="date">Mar 1, 2024 10:00</span>'
        f'<div class="body">{body}</div></body></html>'
    ).encode()


def listing_html(links: Iterable[str]) -> bytes:
    items = "".join(f'<li><a href="{link}">news</a></li>' for link in links)
    return f'<html lang="en"><body><ul>{items}</ul></body></html>'.encode()
