"""JSON Schemas shipped with newscrawl (draft 2020-12), loaded from the package data.

- ``article.schema.json``: one record of ``newscrawl export`` (JSON lines, the CSV columns and the
  JSON of a WARC ``metadata`` record): the fields of :data:`newscrawl.items.EXPORT_FIELDS` plus
  ``revision_id``, ``revision_kind``, ``removed_at``, ``duplicate_of`` and ``removal_evidence``
  (a tombstone, ``revision_kind`` ``removed``, must carry its ``removed_at`` and evidence).
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["ARTICLE_SCHEMA_FILE", "article_schema"]

#: File name of the exported record's schema inside this package.
ARTICLE_SCHEMA_FILE = "article.schema.json"


@functools.cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def article_schema() -> dict[str, Any]:
    """The JSON Schema of an exported article record (a fresh copy: callers may change it)."""
    return copy.deepcopy(_load(ARTICLE_SCHEMA_FILE))
