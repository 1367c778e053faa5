"""Exceptions raised by the persistence layer (:mod:`newscrawl.db`)."""

from __future__ import annotations

__all__ = ["DatabaseConfigError", "failure_reason"]

#: The longest :func:`failure_reason`, in characters.
REASON_LIMIT = 300


class DatabaseConfigError(Exception):
    """The configured database (``NEWSCRAWL_DATABASE_URL``) cannot be used.

    Raised for a malformed URL, an unsupported dialect, a missing driver or a server that
    cannot be reached. The message says what is wrong and names the setting to fix.
    """


def failure_reason(exc: BaseException) -> str:
    """Why a database operation failed, on one line, for the stats and the run's message.

    SQLAlchemy's errors wrap the driver's (``.orig``), whose message is the useful part; their own
    text adds the SQL statement and its parameters (article bodies), which stay in the log.
    """
    orig = getattr(exc, "orig", None)
    cause = orig if isinstance(orig, BaseException) else exc
    text = " ".join(line.strip() for line in str(cause).splitlines() if line.strip())
    reason = f"{type(cause).__name__}: {text}" if text else type(cause).__name__
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"
