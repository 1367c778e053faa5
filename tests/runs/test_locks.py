"""The crawl lock (newscrawl.db.locks) on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.locks import (
    LockHeld,
    LockInfo,
    LockOwner,
    acquire_lock,
    break_lock,
    holder_is_dead,
    process_started_at,
    read_lock,
    release_lock,
    renew_lock,
)
from newscrawl.db.runs import start_run
from tests.runs.conftest import database

pytestmark = pytest.mark.db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    with database(db_url) as factory:
        yield factory


def owner(sessions: sessionmaker[Session], host: str = "host-a", pid: int = 100) -> LockOwner:
    """An owner with a real run row (crawl_locks.run_id references crawl_runs)."""
    return LockOwner(host, pid, start_run(sessions, "mfa_en", host, pid))


def test_first_acquire_wins_and_second_learns_the_holder(sessions):
    a, b = owner(sessions, "host-a", 100), owner(sessions, "host-b", 200)
    lock = acquire_lock(sessions, "mfa_en", a, ttl=300, now=T0)
    assert (lock.host, lock.pid, lock.run_id) == ("host-a", 100, a.run_id)
    assert lock.expires_at == T0 + timedelta(seconds=300)
    assert lock.previous is None

    with pytest.raises(LockHeld) as held:
        acquire_lock(sessions, "mfa_en", b, ttl=300, now=T0 + timedelta(seconds=10))
    holder = held.value.holder
    assert (holder.host, holder.pid, holder.run_id) == ("host-a", 100, a.run_id)
    assert holder.expires_at == T0 + timedelta(seconds=300)
    message = str(held.value)
    assert "pid 100 on host-a" in message and f"run {a.run_id}" in message
    assert "expires at 2026-03-01T12:05:00Z" in message

    # the same process can't take its own lock twice either (a second crawl in one process)
    with pytest.raises(LockHeld):
        acquire_lock(sessions, "mfa_en", a, ttl=300, now=T0 + timedelta(seconds=20))


def test_locks_are_per_site(sessions):
    a, b = owner(sessions, "host-a"), owner(sessions, "host-b")
    acquire_lock(sessions, "mfa_en", a, now=T0)
    acquire_lock(sessions, "ict_en", b, now=T0)
    assert read_lock(sessions, "mfa_en").host == "host-a"  # type: ignore[union-attr]
    assert read_lock(sessions, "ict_en").host == "host-b"  # type: ignore[union-attr]


def test_renew_moves_the_expiry_and_only_the_holder_can(sessions):
    a, b = owner(sessions, "host-a"), owner(sessions, "host-b")
    acquire_lock(sessions, "mfa_en", a, ttl=60, now=T0)
    assert renew_lock(sessions, "mfa_en", a, ttl=60, now=T0 + timedelta(seconds=50))
    assert read_lock(sessions, "mfa_en").expires_at == T0 + timedelta(seconds=110)  # type: ignore[union-attr]
    # another host/pid, or the same host and pid with another run (pid reuse): not the holder
    assert not renew_lock(sessions, "mfa_en", b, ttl=60, now=T0 + timedelta(seconds=55))
    assert not renew_lock(sessions, "mfa_en", LockOwner("host-a", a.pid, b.run_id), ttl=60)
    # a renewed lock is still held after the first TTL
    with pytest.raises(LockHeld):
        acquire_lock(sessions, "mfa_en", b, ttl=60, now=T0 + timedelta(seconds=100))


def test_release_deletes_only_the_holders_lock(sessions):
    a, b = owner(sessions, "host-a"), owner(sessions, "host-b")
    acquire_lock(sessions, "mfa_en", a, now=T0)
    assert not release_lock(sessions, "mfa_en", b)
    assert read_lock(sessions, "mfa_en") is not None
    assert release_lock(sessions, "mfa_en", a)
    assert read_lock(sessions, "mfa_en") is None
    assert not release_lock(sessions, "mfa_en", a)  # already gone
    assert acquire_lock(sessions, "mfa_en", b, now=T0).host == "host-b"


def test_an_expired_lock_is_taken_over_and_the_old_holder_has_lost_it(sessions):
    crashed, next_run = owner(sessions, "host-a", 100), owner(sessions, "host-b", 200)
    acquire_lock(sessions, "mfa_en", crashed, ttl=2, now=T0)
    # still valid one second later, at the expiry instant too
    for seconds in (1, 2):
        with pytest.raises(LockHeld):
            acquire_lock(sessions, "mfa_en", next_run, ttl=2, now=T0 + timedelta(seconds=seconds))
    lock = acquire_lock(sessions, "mfa_en", next_run, ttl=2, now=T0 + timedelta(seconds=3))
    assert (lock.host, lock.pid) == ("host-b", 200)
    assert lock.previous is not None
    assert (lock.previous.host, lock.previous.pid, lock.previous.run_id) == (
        "host-a",
        100,
        crashed.run_id,
    )

    # the old holder comes back (it was only paused): its renewal fails, its release is refused
    assert not renew_lock(sessions, "mfa_en", crashed, ttl=2, now=T0 + timedelta(seconds=4))
    assert not release_lock(sessions, "mfa_en", crashed)
    assert read_lock(sessions, "mfa_en").host == "host-b"  # type: ignore[union-attr]


def test_bad_ttl_is_refused(sessions):
    with pytest.raises(ValueError, match="TTL"):
        acquire_lock(sessions, "mfa_en", owner(sessions), ttl=0)


def race(
    sessions: sessionmaker[Session], contenders: list[LockOwner], now: datetime
) -> list[LockOwner]:
    """Let every contender try to acquire the lock at once; return the winners."""
    barrier = threading.Barrier(len(contenders))
    winners: list[LockOwner] = []
    errors: list[BaseException] = []

    def contend(candidate: LockOwner) -> None:
        barrier.wait(timeout=30)
        try:
            acquire_lock(sessions, "mfa_en", candidate, ttl=300, now=now)
        except LockHeld:
            return
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            return
        winners.append(candidate)

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    return winners


def test_concurrent_acquires_have_exactly_one_winner(sessions):
    contenders = [owner(sessions, f"host-{i}", 1000 + i) for i in range(8)]
    winners = race(sessions, contenders, T0)
    assert len(winners) == 1
    assert read_lock(sessions, "mfa_en").run_id == winners[0].run_id  # type: ignore[union-attr]


def test_concurrent_takeovers_of_an_expired_lock_have_exactly_one_winner(sessions):
    acquire_lock(sessions, "mfa_en", owner(sessions, "crashed", 1), ttl=1, now=T0)
    contenders = [owner(sessions, f"host-{i}", 1000 + i) for i in range(8)]
    winners = race(sessions, contenders, T0 + timedelta(seconds=5))
    assert len(winners) == 1
    assert read_lock(sessions, "mfa_en").run_id == winners[0].run_id  # type: ignore[union-attr]


# -- a holder whose process is gone ----------------------------------------------------------


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """A live child process of this test (it waits on its stdin until the test ends)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def dead_pid() -> int:
    """The pid of a child that has exited and been reaped (no process has it now)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


def local_owner(sessions: sessionmaker[Session], pid: int) -> LockOwner:
    return owner(sessions, socket.gethostname(), pid)


def test_a_lock_whose_process_is_gone_is_taken_over_at_once(sessions):
    gone = local_owner(sessions, dead_pid())
    acquire_lock(sessions, "mfa_en", gone, ttl=300)
    next_run = local_owner(sessions, 424242)
    lock = acquire_lock(sessions, "mfa_en", next_run, ttl=300)  # long before the expiry
    assert lock.takeover == "dead"
    assert lock.previous is not None and lock.previous.run_id == gone.run_id
    assert read_lock(sessions, "mfa_en").run_id == next_run.run_id  # type: ignore[union-attr]
    assert not renew_lock(sessions, "mfa_en", gone)


def test_a_live_holder_keeps_its_lock(sessions, child):
    assert not holder_is_dead(
        LockInfo("mfa_en", socket.gethostname(), child.pid, None, datetime.now(UTC), T0)
    )
    acquire_lock(sessions, "mfa_en", local_owner(sessions, child.pid), ttl=300)
    with pytest.raises(LockHeld, match=f"pid {child.pid} on"):
        acquire_lock(sessions, "mfa_en", local_owner(sessions, 424242), ttl=300)


def test_a_reused_pid_is_not_the_holder(sessions, child):
    """A process that started after the lock was acquired can't hold it: the pid was reused."""
    started = process_started_at(child.pid)
    assert started is not None
    assert abs((started - datetime.now(UTC)).total_seconds()) < 60  # the kernel's clock is read right
    earlier = started - timedelta(minutes=5)
    lock = LockInfo("mfa_en", socket.gethostname(), child.pid, None, earlier, earlier)
    assert holder_is_dead(lock)
    acquire_lock(sessions, "mfa_en", local_owner(sessions, child.pid), ttl=3600, now=earlier)
    taken = acquire_lock(sessions, "mfa_en", local_owner(sessions, 424242), ttl=300)
    assert taken.takeover == "dead"


def test_a_dead_holder_elsewhere_or_with_the_takeover_off_waits_for_the_expiry(sessions):
    pid = dead_pid()
    acquire_lock(sessions, "mfa_en", owner(sessions, "another-host", pid), ttl=300)
    with pytest.raises(LockHeld):
        acquire_lock(sessions, "mfa_en", local_owner(sessions, 424242), ttl=300)
    acquire_lock(sessions, "ict_en", local_owner(sessions, pid), ttl=300)
    with pytest.raises(LockHeld):
        acquire_lock(sessions, "ict_en", local_owner(sessions, 424242), take_over_dead=False)


def test_concurrent_takeovers_of_a_dead_holders_lock_have_exactly_one_winner(sessions):
    acquire_lock(sessions, "mfa_en", local_owner(sessions, dead_pid()), ttl=300, now=T0)
    contenders = [owner(sessions, f"host-{i}", 1000 + i) for i in range(8)]
    winners = race(sessions, contenders, T0 + timedelta(seconds=5))
    assert len(winners) == 1
    assert read_lock(sessions, "mfa_en").run_id == winners[0].run_id  # type: ignore[union-attr]


def test_break_lock_deletes_whoever_holds_it(sessions):
    holder = owner(sessions, "host-a", 100)
    acquire_lock(sessions, "mfa_en", holder, ttl=300, now=T0)
    broken = break_lock(sessions, "mfa_en")
    assert broken is not None
    assert (broken.host, broken.pid, broken.run_id, broken.acquired_at) == ("host-a", 100, holder.run_id, T0)
    assert read_lock(sessions, "mfa_en") is None
    assert break_lock(sessions, "mfa_en") is None
