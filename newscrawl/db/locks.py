"""Crawl locks: at most one running crawl per site, across every host that shares the database.

A lock is one ``crawl_locks`` row per site (:class:`~newscrawl.db.models.CrawlLock`) naming its
holder (host, pid, run id) and an expiry time. The holder renews it (moves ``expires_at`` forward)
while it crawls and deletes it when it is done; a holder that dies without releasing (SIGKILL,
power loss) stops renewing, and its lock can be taken over once it has expired, or at once
when its holder is provably dead (:func:`holder_is_dead`: the same host, and the process is gone).

Every step is a single statement, so it is atomic on SQLite and on PostgreSQL alike:

- **acquire**: ``INSERT ... ON CONFLICT (site) DO NOTHING`` (one row inserted = acquired); if
  the row exists, take it over with ``UPDATE ... WHERE site = :site AND expires_at < :now``
  (one row updated = acquired; the expired holder is returned in ``previous``). Two processes can't both succeed: PostgreSQL re-checks the
  ``WHERE`` of a concurrent ``UPDATE`` against the row the other one committed, and SQLite runs
  one writer at a time. An unexpired lock whose holder is provably dead is taken over the same
  way, with ``WHERE`` naming that holder (host, pid, run id, acquisition time) instead of the
  expiry: of two runs that found it dead, one wins. Otherwise :class:`LockHeld` names the holder.
- **renew**: ``UPDATE ... SET expires_at = :now + ttl WHERE`` the row is still ours; no row
  updated means the lock was lost (it expired and another run took it over).
- **release**: ``DELETE ... WHERE`` the row is still ours.

"Ours" means the same site, host, pid and run id: the run id is unique, so a pid reused after a
reboot or in another container can't release someone else's lock. Times come from the clock of
the host that writes them (UTC): hosts sharing a database must keep their clocks in sync (NTP),
far closer than the TTL (``NEWSCRAWL_LOCK_TTL``, 300 s by default).

**A dead holder.** A process can only be checked on its own host, so a holder is provably dead
only when its ``host`` is this host's name (``socket.gethostname()``) and either no process has
its pid (``/proc/<pid>`` is missing, or the process is a zombie), or the process with that pid
started after the lock was acquired: the pid was reused, after a reboot or by another program,
and that process can't be the holder. The start time is the kernel's (``/proc/<pid>/stat``,
field 22, plus the boot time in ``/proc/stat``), compared with the lock's ``acquired_at`` with
:data:`START_TIME_SLACK` seconds to spare. Without ``/proc`` (not Linux) only ``kill(pid, 0)``
is asked, and a pid that exists counts as alive. Anything in doubt (another host, our own pid, an
unreadable ``/proc``) is alive: the lock then waits for its expiry, as before. The one
assumption: two machines (containers) that share a database have different host names.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import ColumnElement, and_, delete, select, update

from newscrawl.clock import utc_iso
from newscrawl.db.models import CrawlLock
from newscrawl.db.upsert import dialect_insert

if TYPE_CHECKING:
    from sqlalchemy import Executable
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_TTL",
    "LockHeld",
    "LockInfo",
    "LockOwner",
    "acquire_lock",
    "break_lock",
    "holder_is_dead",
    "process_started_at",
    "read_lock",
    "release_lock",
    "renew_lock",
]

#: Seconds a lock stays valid without renewal (the ``NEWSCRAWL_LOCK_TTL`` default).
DEFAULT_TTL = 300.0

# acquire: insert, then take over an expired row; a row deleted in between means another try
_ACQUIRE_ATTEMPTS = 3

#: Seconds by which a process may seem to have started after the lock it acquired (the boot
#: time in ``/proc/stat`` is rounded to the second, and NTP moves the wall clock).
START_TIME_SLACK = 5.0

#: How a lock was taken over: its holder stopped renewing it, or its holder's process is gone.
Takeover = Literal["expired", "dead"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LockOwner:
    """Who holds (or wants) a lock: this host and process, and the run it records."""

    host: str
    pid: int
    run_id: int | None = None

    @classmethod
    def current(cls, run_id: int | None = None) -> LockOwner:
        """This process on this host."""
        return cls(socket.gethostname(), os.getpid(), run_id)

    def _matches(self) -> ColumnElement[bool]:
        run = CrawlLock.run_id.is_(None) if self.run_id is None else CrawlLock.run_id == self.run_id
        return and_(CrawlLock.host == self.host, CrawlLock.pid == self.pid, run)


@dataclass(frozen=True)
class LockInfo:
    """A lock row as read from the database."""

    site: str
    host: str
    pid: int
    run_id: int | None
    acquired_at: datetime
    expires_at: datetime
    #: For a lock taken over by :func:`acquire_lock`: the lock it replaced ...
    previous: LockInfo | None = None
    #: ... and why it could (``expired`` or ``dead``, see :func:`holder_is_dead`).
    takeover: Takeover | None = None

    def describe(self) -> str:
        """The holder and expiry, for messages: ``pid 42 on host-a (run 7, since …; expires …)``."""
        run = f"run {self.run_id}, " if self.run_id is not None else ""
        return (
            f"pid {self.pid} on {self.host} ({run}since {utc_iso(self.acquired_at)}; "
            f"its lock expires at {utc_iso(self.expires_at)} unless renewed)"
        )


class LockHeld(Exception):
    """Another run holds the site's lock and it has not expired."""

    def __init__(self, holder: LockInfo) -> None:
        self.holder = holder
        super().__init__(f"{holder.site} is already being crawled by {holder.describe()}")


def _changed(session: Session, statement: Executable) -> bool:
    """Run an INSERT/UPDATE/DELETE ... RETURNING; True if it touched a row.

    ``RETURNING`` rather than ``rowcount``: psycopg reports -1 for some of these statements.
    SQLite has it since 3.35.
    """
    return (
        session.execute(statement.execution_options(synchronize_session=False)).first() is not None
    )


def process_started_at(pid: int) -> datetime | None:
    """When process *pid* of this host started (UTC), from ``/proc``; None if it can't be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text("ascii").splitlines()
            if line.startswith("btime ")
        )
        # the command name (field 2) is in parentheses and may hold spaces: split after it
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)


def _process_state(pid: int) -> str | None:
    """The state letter of process *pid* (``R``, ``S``, ``Z`` ...), ``""`` if there is none, None
    if this system has no ``/proc``."""
    if not Path("/proc/self/stat").exists():
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
    except FileNotFoundError:
        return ""
    except OSError:
        return "?"
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[0] if fields else "?"


def holder_is_dead(lock: LockInfo) -> bool:
    """True when *lock*'s holder provably no longer runs (see the module docstring)."""
    if lock.host != socket.gethostname() or lock.pid <= 0 or lock.pid == os.getpid():
        return False
    state = _process_state(lock.pid)
    if state is None:  # no /proc: ask the kernel whether the pid exists at all
        try:
            os.kill(lock.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    if state in ("", "Z", "X"):  # no such process, or one that has exited (not yet reaped)
        return True
    started = process_started_at(lock.pid)
    if started is None:
        return False
    return started > lock.acquired_at + timedelta(seconds=START_TIME_SLACK)


def read_lock(sessions: sessionmaker[Session], site: str) -> LockInfo | None:
    """The current lock row of *site* (expired or not), or None."""
    with sessions() as session:
        row = session.scalars(select(CrawlLock).where(CrawlLock.site == site)).one_or_none()
        if row is None:
            return None
        return LockInfo(row.site, row.host, row.pid, row.run_id, row.acquired_at, row.expires_at)


def acquire_lock(
    sessions: sessionmaker[Session],
    site: str,
    owner: LockOwner,
    ttl: float = DEFAULT_TTL,
    *,
    now: datetime | None = None,
    take_over_dead: bool = True,
) -> LockInfo:
    """Take the lock of *site* for *owner* for *ttl* seconds; raise :class:`LockHeld` if taken.

    An expired lock is taken over, and so is (with *take_over_dead*) one whose holder is
    provably dead (:func:`holder_is_dead`); the returned lock then names the one it replaced
    (``previous``) and why (``takeover``).
    """
    if ttl <= 0:
        raise ValueError(f"lock TTL must be positive, not {ttl}")
    for _ in range(_ACQUIRE_ATTEMPTS):
        at = now or _utc_now()
        lock = LockInfo(site, owner.host, owner.pid, owner.run_id, at, at + timedelta(seconds=ttl))
        values = {
            "host": lock.host,
            "pid": lock.pid,
            "run_id": lock.run_id,
            "acquired_at": lock.acquired_at,
            "expires_at": lock.expires_at,
        }
        with sessions.begin() as session:
            insert = dialect_insert(session, CrawlLock).values(site=site, **values)
            inserted = _changed(
                session,
                insert.on_conflict_do_nothing(index_elements=["site"]).returning(CrawlLock.site),
            )
        if inserted:
            return lock
        expired = read_lock(sessions, site)  # only to tell the caller whose lock it replaced
        with sessions.begin() as session:
            taken = _changed(
                session,
                update(CrawlLock)
                .where(CrawlLock.site == site, CrawlLock.expires_at < at)
                .values(**values)
                .returning(CrawlLock.site),
            )
        if taken:
            if expired is not None and expired.expires_at < at:
                return replace(lock, previous=expired, takeover="expired")
            return lock
        holder = read_lock(sessions, site)
        if holder is None:
            continue  # released between our two statements: try again
        if take_over_dead and holder_is_dead(holder):
            with sessions.begin() as session:
                taken = _changed(
                    session,
                    update(CrawlLock)
                    .where(CrawlLock.site == site, _is(holder))
                    .values(**values)
                    .returning(CrawlLock.site),
                )
            if taken:
                return replace(lock, previous=holder, takeover="dead")
            continue  # another run took it over, or it was released: look again
        raise LockHeld(holder)
    raise RuntimeError(
        f"could not acquire or read the lock of {site} in {_ACQUIRE_ATTEMPTS} attempts"
    )


def _is(lock: LockInfo) -> ColumnElement[bool]:
    """The lock row is still *lock*: the same holder, acquired at the same time."""
    holder = LockOwner(lock.host, lock.pid, lock.run_id)
    return and_(holder._matches(), CrawlLock.acquired_at == lock.acquired_at)


def renew_lock(
    sessions: sessionmaker[Session],
    site: str,
    owner: LockOwner,
    ttl: float = DEFAULT_TTL,
    *,
    now: datetime | None = None,
) -> bool:
    """Extend *owner*'s lock of *site* to *ttl* seconds from now; False if it is no longer ours."""
    at = now or _utc_now()
    with sessions.begin() as session:
        return _changed(
            session,
            update(CrawlLock)
            .where(CrawlLock.site == site, owner._matches())
            .values(expires_at=at + timedelta(seconds=ttl))
            .returning(CrawlLock.site),
        )


def release_lock(sessions: sessionmaker[Session], site: str, owner: LockOwner) -> bool:
    """Delete *owner*'s lock of *site*; False if it was not (or no longer) ours."""
    with sessions.begin() as session:
        return _changed(
            session,
            delete(CrawlLock)
            .where(CrawlLock.site == site, owner._matches())
            .returning(CrawlLock.site),
        )


def break_lock(sessions: sessionmaker[Session], site: str) -> LockInfo | None:
    """Delete the lock of *site*, whoever holds it (``newscrawl unlock``); return what was deleted.

    A holder that is still running finds out at its next renewal and stops (``lock_lost``).
    """
    with sessions.begin() as session:
        row = session.execute(
            delete(CrawlLock)
            .where(CrawlLock.site == site)
            .returning(
                CrawlLock.site,
                CrawlLock.host,
                CrawlLock.pid,
                CrawlLock.run_id,
                CrawlLock.acquired_at,
                CrawlLock.expires_at,
            )
            .execution_options(synchronize_session=False)
        ).first()
    return None if row is None else LockInfo(*row)
