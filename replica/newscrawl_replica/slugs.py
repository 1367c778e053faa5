"""URL slugs as the replica sites make them from titles."""

from __future__ import annotations

import re
from urllib.parse import quote

_MSRT_SEP = re.compile(r"[^0-9a-z]+")
_ICT_DROP = re.compile(r"[^\w\s\u200c-]|_")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")


def ict_slug(title: str) -> str:
    """ICT style: punctuation dropped, spaces become ``-``, case kept (``Iran-Azerbaijan-aim-for-ICT``).

    Letters of any script, digits, ``-`` and ZERO WIDTH NON-JOINER are kept.
    """
    kept = _ICT_DROP.sub("", title).strip()
    return _DASHES.sub("-", _SPACES.sub("-", kept)).strip("-")


def msrt_slug(title: str) -> str:
    """MSRT style: lower case, every run of other characters becomes ``-``, a trailing ``-`` stays.

    ``Happy Nowruz!`` -> ``happy-nowruz-``.
    """
    return _MSRT_SEP.sub("-", title.lower()).lstrip("-")


def quote_path(segment: str) -> str:
    """Percent-encode one path segment (UTF-8), keeping ``-``."""
    return quote(segment, safe="-")
