"""Decode an HTML response body to text when its declared charset may be wrong.

Scrapy trusts the HTTP header first. Ministry sites get this wrong in both directions (a header
that says windows-1256 over UTF-8 bytes, a header that says utf-8 over windows-1256 bytes), so the
order here is: a byte-order mark; the bytes themselves when they are valid UTF-8 with non-ASCII
content (windows-1256 text practically never is); then the charset declared in the page's
``<meta>``; then the header's; then w3lib's detection.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    resolve_encoding,
)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(encoding, text)`` for an HTML body and its Content-Type header."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding, body[len(bom) :].decode(encoding, errors="replace")
    if not body.isascii():
        try:
            return "utf-8", body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for declared in (html_body_declared_encoding(body), http_content_type_encoding(content_type)):
        resolved = resolve_encoding(declared) if declared else None
        if resolved:
            try:
                return resolved, body.decode(resolved)
            except (UnicodeDecodeError, LookupError):
                continue
    encoding, text = html_to_unicode(content_type, body)
    return encoding, text
