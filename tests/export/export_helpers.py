"""Helpers of the export tests: hand-written records, saving them, the CLI, reading the output.

Revisions are made the way a crawl makes them, with ``newscrawl.db.store.save_articles`` (and
``record_gone``, ``tests.helpers.tombstone``) on hand-written records; expectations are written out in the tests.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.cli import export as export_cli
from newscrawl.db.models import Revision
from newscrawl.db.store import StoreResult, save_articles
from newscrawl.items import Article, RawCapture
from newscrawl.schemas import article_schema
from tests.helpers import article_record

HTML_TEMPLATE = (
    '<!doctype html><html lang="{lang}"><head><title>{title}</title></head>'
    '<body><article><h1>{title}</h1><div class="body">{paragraphs}</div></article></body></html>'
)


def build_record(source_id: str = "1001", *, capture: bool = False, **overrides: Any) -> Article:
    """An Article record as the pipelines give it to ``save_articles``.

    ``content_hash`` is the sha256 of title, lead, body and published_at unless given; with
    *capture* the record carries the HTTP response (HTML made from the title and body).
    """
    site = overrides.pop("site", "mfa.gov.ir")
    lang = overrides.pop("lang", "en")
    record = article_record(
        source_id,
        site=site,
        lang=lang,
        base=f"https://www.{site}",
        url_suffix="/Minister-meets-envoy",
        **overrides,
    )
    if capture:
        paragraphs = "".join(f"<p>{p}</p>" for p in record.body.split("\n\n"))
        html = HTML_TEMPLATE.format(lang=lang, title=record.title, paragraphs=paragraphs)
        record.capture = RawCapture(
            url=record.url,
            status=200,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Encoding": "gzip",
                "Content-Length": "123",
                "Server": "nginx",
            },
            body=html.encode("utf-8"),
            encoding="utf-8",
        )
    return record


def save(sessions: sessionmaker[Session], *records: Article) -> StoreResult:
    """One crawl's batch: the records in one transaction."""
    with sessions.begin() as session:
        return save_articles(session, list(records))


def revision_ids(
    sessions: sessionmaker[Session], kinds: tuple[str, ...] = ("content", "restored")
) -> list[int]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Revision.id).where(Revision.kind.in_(kinds)).order_by(Revision.id)
            )
        )


VALIDATOR = Draft202012Validator(
    article_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
)


def assert_valid(record: dict[str, Any]) -> None:
    """The record validates against newscrawl/schemas/article.schema.json (formats checked)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(record)]
    assert not errors, errors


def run_cli(*argv: str) -> int:
    """``newscrawl export ...`` in this process (argparse errors raise SystemExit)."""
    parser = argparse.ArgumentParser(prog="newscrawl")
    sub = parser.add_subparsers(dest="command", required=True)
    export_cli.register(sub)
    args = parser.parse_args(["export", *argv])
    return int(args.func(args))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for record in records:
        assert_valid(record)
    return records


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
