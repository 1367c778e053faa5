"""The volatile spans of an article: what its profile's ``[volatile]`` rules match.

How they reach the scorer: extraction (``newscrawl.pages.extraction.extract_article``) records
them on the Article (``Article.volatile``, not exported) as strings: the texts of the elements the
``selectors`` match, and every match of the ``patterns`` in the cleaned title, lead and body. The
writer stores them with the revision (``revisions.volatile``), and the diff against the next
revision marks the words inside an occurrence of one of them, in the old text by the old
revision's spans and in the new text by the new one's (``newscrawl.changes.diff``). So the writer
needs no profile, and a revision keeps the spans it was scored with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["volatile_spans"]


def volatile_spans(
    selected: Sequence[str], patterns: Sequence[re.Pattern[str]], texts: Iterable[str | None]
) -> list[str]:
    """The selector texts *selected* and the matches of *patterns* in *texts*, once each, in order."""
    spans = list(selected)
    for text in texts:
        if text:
            for pattern in patterns:
                spans.extend(m.group(0) for m in pattern.finditer(text) if m.group(0).strip())
    return list(dict.fromkeys(s for s in spans if s.strip()))
