"""Decode an HTML response body to text when its declared charset may be wrong or missing.

Scrapy trusts the HTTP header first. Ministry sites get this wrong in both directions (a header
that says windows-1256 over UTF-8 bytes, a header that says utf-8 over windows-1256 bytes), so the
order here is: a byte-order mark; the bytes themselves when they are valid UTF-8 with non-ASCII
content (windows-1256 text practically never is); then the charset declared in the page's
``<meta>``; then the header's; then, with replacement characters, the header's, the ``<meta>``'s
or UTF-8.

When nothing is declared at all (no BOM, no ``<meta>`` or header charset) and the bytes are not
UTF-8, the encoding is detected by charset-normalizer, guided by the page's language (the
profile's, passed as ``lang``): Persian, Dari, Pashto, Arabic or Urdu pages try windows-1256
and ISO-8859-6, English and other Western European pages windows-1252 and ISO-8859-15; when the
language is unknown or its code pages do not fit, those four are scored against each other. The
detector is never let loose on every code page it knows (unguided it misreads Persian pages).
Bytes that are UTF-8 but for a few invalid sequences (a page cut off in a character, one stray
byte) stay UTF-8 rather than being read as a single-byte code page; so do bytes the detector
cannot place: they decode with U+FFFD replacement characters, which
:func:`count_replacement_chars` counts so that the caller can warn. That last step is ours, not
w3lib's ``html_to_unicode``: up to w3lib 2.5 it fell back in the same way (the declared charset,
else UTF-8), but from 2.6 it guesses a code page from the bytes and the domain as Firefox does,
which turns a UTF-8 page with one stray byte into mojibake throughout. The detector never runs
for a declared page or a UTF-8 one, so it costs nothing on the common path.
"""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass
from typing import Final

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    resolve_encoding,
)

__all__ = [
    "REPLACEMENT_CHAR",
    "DecodedHtml",
    "count_replacement_chars",
    "decode_html",
    "decode_html_checked",
]

#: U+FFFD, what a decoder puts where bytes were not text in its encoding.
REPLACEMENT_CHAR: Final = "\ufffd"

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# Candidate code pages (Python codec names, as charset-normalizer spells them) by the primary
# subtag of a language tag. Persian letters پ چ ژ گ ک are in windows-1256 only; ISO-8859-6 is
# Arabic's other legacy code page.
_ARABIC_SCRIPT: Final = ("cp1256", "iso8859_6")
_WESTERN: Final = ("cp1252", "iso8859_15")
_CANDIDATES: Final[dict[str, tuple[str, ...]]] = {
    **dict.fromkeys(("fa", "prs", "ps", "ar", "ur", "ckb"), _ARABIC_SCRIPT),
    **dict.fromkeys(("en", "fr", "de", "es", "it", "pt", "nl", "da", "sv", "no", "nb", "fi"), _WESTERN),
}
_ASCII: Final = bytes(range(128))
# The share of "mess" charset-normalizer tolerates (its default is 0.2). It counts every ZWNJ,
# which Persian writes inside words, as mess: a Dari paragraph in windows-1256 scores 0.19 and
# some chunks more, while random bytes score 0.9 in every candidate. The candidates are few and
# all plausible for the language, so a generous bound only separates text from noise.
_MESS_THRESHOLD: Final = 0.5
# Bytes are "UTF-8 with a few invalid sequences" when at most one non-ASCII byte in this many
# starts an invalid sequence; windows-1256 Persian read as UTF-8 is mostly invalid sequences.
_UTF8_DAMAGE_RATIO: Final = 20


@dataclass(frozen=True, slots=True)
class DecodedHtml:
    """A decoded body: its encoding, its text, how the encoding was chosen, and its U+FFFDs."""

    encoding: str
    text: str
    #: True when nothing was declared and charset-normalizer chose the encoding.
    detected: bool
    #: U+FFFD characters in *text* (see :func:`count_replacement_chars`).
    replacement_chars: int


def count_replacement_chars(*texts: str | None) -> int:
    """How many U+FFFD replacement characters *texts* hold together (None counts as empty)."""
    # ``in`` first: it is a fast search (under 1 us for a 30k-character page), while ``count``
    # walks the string character by character (about 40 us) even when there is nothing to count.
    return sum(text.count(REPLACEMENT_CHAR) for text in texts if text and REPLACEMENT_CHAR in text)


def decode_html(body: bytes, content_type: str | None = None, *, lang: str | None = None) -> tuple[str, str]:
    """Return ``(encoding, text)`` for an HTML body and its Content-Type header.

    *lang* (a language tag such as ``"fa"`` or ``"fa-AF"``) guides the detection of an
    may_detect encoding; see :func:`decode_html_checked`, which also reports the result's
    replacement characters.
    """
    decoded = decode_html_checked(body, content_type, lang=lang)
    return decoded.encoding, decoded.text


def decode_html_checked(body: bytes, content_type: str | None = None, *, lang: str | None = None) -> DecodedHtml:
    """Decode *body* as :func:`decode_html` does and say how (see the module docstring)."""
    encoding, text, detected = _decode(body, content_type, lang)
    return DecodedHtml(encoding, text, detected, count_replacement_chars(text))


def _decode(body: bytes, content_type: str | None, lang: str | None) -> tuple[str, str, bool]:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding, body[len(bom) :].decode(encoding, errors="replace"), False
    # ASCII reads the same in every candidate encoding: nothing to detect.
    may_detect = not body.isascii()
    if may_detect:
        try:
            return "utf-8", body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    meta, header = html_body_declared_encoding(body), http_content_type_encoding(content_type)
    # once each: a header that repeats the <meta>'s charset is not decoded twice
    declared = list(
        dict.fromkeys(
            resolved for label in (meta, header) if label and (resolved := resolve_encoding(label))
        )
    )
    for encoding in declared:
        try:
            return encoding, body.decode(encoding), False
        except (UnicodeDecodeError, LookupError):
            continue
    if may_detect and not declared:
        detected = _detect(body, lang)
        if detected is not None:
            return detected, body.decode(detected, errors="replace"), True
    # Nothing decoded cleanly: what w3lib's html_to_unicode did up to 2.5, the header's charset,
    # else the <meta>'s, else UTF-8, with U+FFFDs (2.6 guesses a code page instead: see above).
    for encoding in declared[::-1]:
        with contextlib.suppress(LookupError):
            return encoding, body.decode(encoding, errors="replace"), False
    return "utf-8", body.decode("utf-8", errors="replace"), False


def _detect(body: bytes, lang: str | None) -> str | None:
    """The encoding charset-normalizer finds for may_detect, non-UTF-8 *body*, or None."""
    if _mostly_utf8(body):
        return None
    # Imported here: only pages that declare nothing and are not UTF-8 need it.
    from charset_normalizer import from_bytes

    attempts: list[list[str]] = []
    candidates = _CANDIDATES.get(_primary_subtag(lang or ""))
    if candidates:
        attempts.append(list(candidates))
    # Then the table's code pages scored against each other (a page in another language than its
    # profile's, or no language given). Never every code page the detector knows: unguided, it
    # reads a windows-1256 news page as windows-1251 Bulgarian and random bytes as Thai,
    # silently, while U+FFFDs are at least counted and warned about.
    attempts.append(list(dict.fromkeys(_ARABIC_SCRIPT + _WESTERN)))
    for isolation in attempts:
        best = from_bytes(body, cp_isolation=isolation, threshold=_MESS_THRESHOLD).best()
        if best is not None:
            return resolve_encoding(best.encoding) or best.encoding
    return None


def _mostly_utf8(body: bytes) -> bool:
    """Whether *body* holds at least as many valid multi-byte UTF-8 characters as bad sequences.

    Read as UTF-8, windows-1256 Persian is nearly all bad sequences (2-3 valid characters by
    chance per 100 bad ones); a UTF-8 page with a stray byte or a cut character has few.
    """
    text = body.decode("utf-8", errors="replace")
    invalid = text.count(REPLACEMENT_CHAR)
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - invalid >= invalid


def _primary_subtag(lang: str) -> str:
    return lang.replace("_", "-").split("-", 1)[0].strip().lower()
