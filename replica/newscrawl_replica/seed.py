"""The seed article: real text of ict.gov.ir/en/news/27012, stored in ``data/`` inside the package."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

SEED_FILE = "seed_ict_en_27012.txt"
SEED_ID = 27012
_DATE_LINE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}$")


@lru_cache(maxsize=1)
def load_seed() -> tuple[str, str, list[str]]:
    """``(title, date_raw, paragraphs)`` of the seed text; ``paragraphs[0]`` is the lead.

    The file is the archived page text: the title, a blank line, the title again, the paragraphs
    (blank-line separated), the date line and the comment-form strings, which are dropped.
    """
    text = (
        resources.files("newscrawl_replica").joinpath("data").joinpath(SEED_FILE).read_text("utf-8")
    )
    lines = [line.strip() for line in text.splitlines()]
    title = lines[0]
    paragraphs: list[str] = []
    date_raw = ""
    for line in lines[1:]:
        if not line or line == title:
            continue
        if _DATE_LINE.match(line):
            date_raw = line
            break
        paragraphs.append(line)
    return title, date_raw, paragraphs
