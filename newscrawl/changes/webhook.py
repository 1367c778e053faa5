"""Webhook delivery of changes: one JSON ``POST`` per change (``newscrawl notify``).

Delivery goes through the consumer mechanism of ``newscrawl export --consumer``
(:func:`newscrawl.export.consumer.export_for_consumer`, the ``deliveries`` table) with batches
of one: a change is recorded as delivered in the transaction that follows its endpoint's 2xx
answer, so each change reaches the endpoint once across runs, and a change whose POST failed is
not recorded and stays pending for the next run: nothing is lost. Only a crash between the
answer and the commit sends a change again; the payload's ``revision_id`` and the
``Idempotency-Key`` header let the receiver drop such a repeat.

A failed POST (no connection, a timeout, a status other than 2xx) is tried again after
``backoff``, ``2 * backoff``, ``4 * backoff`` ... seconds, ``attempts`` tries in all; then
:class:`WebhookError` stops the run (the changes after it stay pending, in order).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from newscrawl.changes.render import render_ops
from newscrawl.items import RawCapture

__all__ = ["WebhookError", "WebhookWriter", "consumer_name", "payload"]

#: ``deliveries.consumer`` holds 128 characters; longer URLs are named by their hash.
_MAX_CONSUMER = 128


class WebhookError(Exception):
    """The endpoint refused or did not answer a change, ``attempts`` times."""


def consumer_name(url: str) -> str:
    """The ``deliveries`` consumer of a webhook URL: ``webhook:<url>`` (hashed when too long)."""
    name = f"webhook:{url}"
    if len(name) <= _MAX_CONSUMER:
        return name
    return "webhook:sha256:" + hashlib.sha256(url.encode()).hexdigest()


def payload(record: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body POSTed for one change record (an export record with its change)."""
    diff = record.get("diff") or {}
    text = f"{record['lead']}\n\n{record['body']}" if record.get("lead") else record["body"]
    removed = record["revision_kind"] == "removed"
    return {
        "event": "removal" if removed else "change",
        "revision_id": record["revision_id"],
        "revision_kind": record["revision_kind"],
        "site": record["site"],
        "lang": record["lang"],
        "source_id": record["source_id"],
        "url": record["url"],
        "canonical_url": record["canonical_url"],
        "title": record["title"],
        "fetched_at": record["fetched_at"],
        "published_at": record["published_at"],
        "score": record["significance"],
        "reasons": record["change_reasons"],
        "diff": diff,
        "diff_text": None if removed else render_ops(diff.get("text", []), text, "plain"),
        "removal_evidence": record.get("removal_evidence"),
    }


class WebhookWriter:
    """A :class:`newscrawl.export.writers.RecordWriter` that POSTs each change to a URL."""

    needs_capture = False
    #: Tells the consumer loop to add each revision's score, reasons and diff to its record.
    needs_change = True

    def __init__(
        self,
        url: str,
        *,
        attempts: int = 5,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {attempts}")
        self.url = url
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.log = log
        self.sent = 0

    def write(self, record: Mapping[str, Any], capture: RawCapture | None) -> None:
        body = json.dumps(payload(record), ensure_ascii=False).encode("utf-8")
        revision_id = record["revision_id"]
        for attempt in range(1, self.attempts + 1):
            problem = self._post(body, revision_id)
            if problem is None:
                self.sent += 1
                return
            if attempt == self.attempts:
                raise WebhookError(
                    f"POST {self.url} for revision {revision_id} failed {attempt} times, "
                    f"last: {problem}"
                )
            delay = self.backoff * 2 ** (attempt - 1)
            if self.log is not None:
                self.log(f"revision {revision_id}: {problem}; trying again in {delay:g} s")
            self.sleep(delay)

    def _post(self, body: bytes, revision_id: int) -> str | None:
        """POST once; None on a 2xx answer, else what went wrong."""
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": f"newscrawl-revision-{revision_id}",
                "User-Agent": "newscrawl-notify",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                return None if 200 <= response.status < 300 else f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"

    def flush(self) -> None:
        """Nothing is buffered: each write has been answered."""

    def close(self) -> None:
        """Nothing to close."""
