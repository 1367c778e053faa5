"""The exported record's JSON Schema (newscrawl/schemas/article.schema.json) itself."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from newscrawl.export import RECORD_FIELDS
from newscrawl.schemas import article_schema
from tests.export.export_helpers import VALIDATOR

GOOD = {
    "url": "https://www.ict.gov.ir/en/news/27012/Slug",
    "canonical_url": "https://www.ict.gov.ir/en/news/27012",
    "site": "ict.gov.ir",
    "lang": "en",
    "source_id": "27012",
    "title": "Title",
    "lead": None,
    "body": "One.\n\nTwo.",
    "tags": ["ICT"],
    "published_at": "2017-12-05T21:27:00+03:30",
    "published_at_utc": "2017-12-05T17:57:00Z",
    "published_raw": "Dec 5, 2017 21:27",
    "alternates": {"fa": "https://www.ict.gov.ir/fa/news/27012"},
    "fetched_at": "2024-03-01T10:00:00Z",
    "content_hash": "a" * 64,
    "layout": "default",
    "revision_id": 7,
    "revision_kind": "content",
    "removed_at": None,
    "duplicate_of": None,
    "removal_evidence": None,
}
EVIDENCE = {
    "reason": "not_found",
    "status": 404,
    "observed_at": "2024-03-02T10:00:00Z",
    "url": "https://www.ict.gov.ir/en/news/27012",
    "final_url": "https://www.ict.gov.ir/en/news/27012",
}
TOMBSTONE = {
    **GOOD,
    "revision_kind": "removed",
    "removed_at": "2024-03-02T16:00:00Z",
    "removal_evidence": [EVIDENCE, {**EVIDENCE, "observed_at": "2024-03-02T16:00:00Z"}],
}


def errors(record):
    return list(VALIDATOR.iter_errors(record))


def test_schema_is_draft_2020_12_and_describes_exactly_the_record():
    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == list(RECORD_FIELDS)
    assert schema["required"] == list(RECORD_FIELDS)
    assert all(prop.get("description") for prop in schema["properties"].values())


def test_loader_returns_a_fresh_copy():
    article_schema()["properties"].clear()
    assert list(article_schema()["properties"]) == list(RECORD_FIELDS)


@pytest.mark.parametrize(
    "published_at", ["2017-12-05T21:27:00+03:30", "2017-12-05T17:57:00Z", "2017-12-05", None]
)
def test_accepts(published_at):
    assert errors({**GOOD, "published_at": published_at}) == []


def test_accepts_every_layout_a_revision_records():
    for layout in ("default", "2017", "v2-2026", "generic", None):
        assert errors({**GOOD, "layout": layout}) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_at", "2017-12-05 21:27"),
        ("published_at", "2017-12-05T21:27:00"),  # no offset
        ("published_at", "2017-13-05"),
        ("published_at", "Dec 5, 2017"),
        ("published_at_utc", "2017-12-05T21:27:00+03:30"),
        ("fetched_at", None),
        ("fetched_at", "2024-03-01"),
        ("removed_at", "yesterday"),
        ("content_hash", "A" * 64),
        ("layout", ""),
        ("layout", 2026),
        ("revision_id", 0),
        ("revision_kind", "removed"),  # a tombstone without its time and evidence
        ("revision_kind", "deleted"),
        ("removal_evidence", []),
        ("removal_evidence", [EVIDENCE]),  # evidence of a live article
        ("url", "ftp://example.org/x"),
        ("duplicate_of", "not a url"),
        ("tags", "ICT"),
        ("alternates", {"fa": 3}),
        ("lang", "English"),
    ],
)
def test_rejects(field, value):
    assert errors({**GOOD, field: value}), f"{field}={value!r} should be rejected"


def test_rejects_missing_and_extra_fields():
    missing = copy.deepcopy(GOOD)
    del missing["duplicate_of"]
    assert errors(missing)
    assert errors({**GOOD, "capture": None})


def test_accepts_a_tombstone_and_a_removed_articles_content():
    assert errors(TOMBSTONE) == []
    content = {**TOMBSTONE, "revision_kind": "content"}
    assert errors(content) == []


@pytest.mark.parametrize(
    "change",
    [
        {"removed_at": None},
        {"removal_evidence": None},
        {"removal_evidence": [{**EVIDENCE, "reason": "forbidden"}]},
        {"removal_evidence": [{**EVIDENCE, "status": 4040}]},
        {"removal_evidence": [{**EVIDENCE, "observed_at": "2024-03-02T10:00:00"}]},
        {"removal_evidence": [{**EVIDENCE, "final_url": "/"}]},
        {"removal_evidence": [{k: v for k, v in EVIDENCE.items() if k != "url"}]},
        {"removal_evidence": [{**EVIDENCE, "body": ""}]},
    ],
)
def test_rejects_a_tombstone_without_its_evidence(change):
    assert errors({**TOMBSTONE, **change}), change
