"""Exceptions raised by the persistence layer (:mod:`newscrawl.db`)."""

from __future__ import annotations

__all__ = ["DatabaseConfigError"]


class DatabaseConfigError(Exception):
    """The configured database (``NEWSCRAWL_DATABASE_URL``) cannot be used.

    Raised for a malformed URL, an unsupported dialect, a missing driver or a server that
    cannot be reached. The message says what is wrong and names the setting to fix.
    """
