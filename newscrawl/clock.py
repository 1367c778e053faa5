"""UTC timestamps as newscrawl writes them: ISO 8601 to the second with a ``Z``.

The export's own format, which keeps a fraction of a second, is ``export.query.iso_z``.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(value: datetime) -> str:
    """An aware *value* in UTC, to the second, e.g. ``2024-03-01T10:00:00Z``."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_now_iso() -> str:
    """The current UTC time, to the second, with a ``Z``."""
    return utc_iso(datetime.now(UTC))
