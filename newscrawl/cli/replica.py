"""``newscrawl replica``: serve the offline replica in the foreground (see ``newscrawl.replica``)."""

from newscrawl.replica.cli import register, run

__all__ = ["register", "run"]
