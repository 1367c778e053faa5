"""WorkerPool: functions run in spawned worker processes, awaited from an asyncio loop.

Real processes throughout: results and exceptions cross the process boundary, the initializer
runs in the worker, Ctrl-C (SIGINT) does not kill a worker, and a worker dies with its parent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.workers import RemoteTraceback, WorkerPool, worker_niceness

DEADLINE = 60.0  # seconds, for the bounded wait below

_state: dict[str, str] = {}


def remember(value: str) -> None:
    _state["value"] = value


def recall() -> tuple[int, str | None]:
    return os.getpid(), _state.get("value")


def fail(message: str) -> None:
    raise LookupError(message)


_seen: list[int] = []


def note(number: int) -> int:
    _seen.append(number)
    return number * number


def seen() -> list[int]:
    return list(_seen)


def interrupt_self() -> str:
    os.kill(os.getpid(), signal.SIGINT)
    return "still here"


def run(pool: WorkerPool, fn, *args):  # type: ignore[no-untyped-def]
    return asyncio.run(pool.run(fn, *args))


@pytest.fixture
def pool():
    workers = WorkerPool("test", 1, initializer=remember, initargs=("from the initializer",))
    yield workers
    workers.close()


def test_calls_run_in_another_process_after_the_initializer(pool: WorkerPool) -> None:
    pid, value = run(pool, recall)
    assert pid != os.getpid()
    assert value == "from the initializer"
    assert "value" not in _state  # the initializer ran there, not here


def test_an_exception_in_the_worker_is_raised_to_the_caller(pool: WorkerPool) -> None:
    with pytest.raises(LookupError, match="no such article"):
        run(pool, fail, "no such article")
    assert run(pool, recall)[1] == "from the initializer"  # the worker survived


def test_concurrent_calls_each_get_their_own_result_in_call_order(pool: WorkerPool) -> None:
    async def many() -> tuple[list[int], list[int]]:
        # 300 calls made at once: the pool hands them over in batches of at most 64.
        results = await asyncio.gather(*(pool.run(note, n) for n in range(300)))
        return list(results), await pool.run(seen)

    results, order = asyncio.run(many())
    assert results == [n * n for n in range(300)]
    assert order == list(range(300))  # one process: in the order the calls were made


def test_the_remote_traceback_is_kept(pool: WorkerPool) -> None:
    with pytest.raises(LookupError) as raised:
        run(pool, fail, "gone")
    assert isinstance(raised.value.__cause__, RemoteTraceback)
    assert "in fail" in str(raised.value.__cause__)


def test_a_worker_ignores_sigint(pool: WorkerPool) -> None:
    first_pid, _ = run(pool, recall)
    assert run(pool, interrupt_self) == "still here"
    assert run(pool, recall)[0] == first_pid


def test_a_pool_needs_a_process() -> None:
    with pytest.raises(ValueError, match="at least one process"):
        WorkerPool("test", 0)


def niceness() -> int:
    return os.nice(0)


def test_workers_run_at_the_niceness_asked_for() -> None:
    mine = os.nice(0)
    nice_pool = WorkerPool("nice", 1, niceness=7)
    try:
        assert run(nice_pool, niceness) == min(mine + 7, 19)
    finally:
        nice_pool.close()
    assert os.nice(0) == mine  # the caller's priority is left alone


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 0), (10, 10), ("5", 5), (" 19 ", 19), ("0", 0)]
)
def test_worker_niceness_reads_the_setting(value: object, expected: int) -> None:
    settings = Settings({} if value is None else {"NEWSCRAWL_WORKER_NICENESS": value})
    assert worker_niceness(settings) == expected


@pytest.mark.parametrize("value", [-1, 20, "high", "2.5", True])
def test_a_bad_worker_niceness_names_the_setting(value: object) -> None:
    with pytest.raises(ValueError, match="setting NEWSCRAWL_WORKER_NICENESS must be a whole number from 0 to 19"):
        worker_niceness(Settings({"NEWSCRAWL_WORKER_NICENESS": value}))


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_a_busy_worker_dies_with_its_parent(tmp_path: Path) -> None:
    # The worker is inside a call that never returns, so it is not reading its call queue and
    # would not notice the parent's death by itself: only the kernel's PDEATHSIG ends it.
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import asyncio, os, threading
        from newscrawl.workers import WorkerPool

        def block():
            print("busy", flush=True)
            threading.Event().wait()

        async def main():
            pool = WorkerPool("orphan", 1)
            print(await pool.run(os.getpid), flush=True)
            await pool.run(block)

        if __name__ == "__main__":
            asyncio.run(main())
    """))
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "busy"
        assert not _gone(worker)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + DEADLINE
    while not _gone(worker):
        assert time.monotonic() < deadline, f"worker {worker} outlived its killed parent"
        os.sched_yield()
