"""Profile a crawl with pyinstrument and summarise where its CPU went.

``python -m bench --profile`` runs one extra newscrawl crawl (SQLite) under
``python -m pyinstrument -r session`` and then reads the saved session here. pyinstrument samples
wall-clock time, so the event loop's idle wait (``select``/``epoll.poll`` and friends) is set apart
and the figures are shares of the *busy* time. Two views:

- **self**: time spent in a function's own code, summed over every call path;
- **inclusive**: time in a function and everything it called (counted once per sample, so a
  recursive function is not counted twice).

``python -m bench.profiling SESSION`` prints both for a saved session.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Frames that are the event loop waiting for I/O, not work.
IDLE_FUNCTIONS = frozenset({"select", "poll", "epoll.poll", "_run_once"})
IDLE_SELF = frozenset({"select", "poll"})


@dataclass(frozen=True)
class Entry:
    name: str  # function  file:line
    seconds: float
    share: float  # of the busy time


@dataclass(frozen=True)
class Summary:
    total_s: float
    idle_s: float
    self_top: list[Entry]
    inclusive_top: list[Entry]

    @property
    def busy_s(self) -> float:
        return self.total_s - self.idle_s


def _walk(frame, stack: tuple[str, ...]) -> Iterator[tuple[object, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    yield frame, stack
    for child in frame.children:
        yield from _walk(child, (*stack, _key(child)))


def _key(frame) -> str:  # type: ignore[no-untyped-def]
    path = frame.file_path_short or frame.file_path or "?"
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{frame.function}  {path}:{frame.line_no}"


def summarise(session_path: Path, top: int = 15) -> Summary:
    """Self and inclusive top entries of a saved pyinstrument session."""
    from pyinstrument.session import Session

    session = Session.load(session_path)
    root = session.root_frame(trim_stem=False)
    if root is None:
        return Summary(0.0, 0.0, [], [])
    self_time: dict[str, float] = defaultdict(float)
    inclusive: dict[str, float] = defaultdict(float)
    idle = 0.0
    for frame, stack in _walk(root, (_key(root),)):
        own = frame.total_self_time  # type: ignore[attr-defined]
        if not own:
            continue
        name = frame.function  # type: ignore[attr-defined]
        if name in IDLE_SELF or (name and name.endswith(".poll")):
            idle += own
            continue
        key = stack[-1]
        self_time[key] += own
        for ancestor in set(stack):
            inclusive[ancestor] += own
    total = root.time
    busy = max(total - idle, 1e-9)

    def entries(table: dict[str, float]) -> list[Entry]:
        ranked = sorted(table.items(), key=lambda kv: kv[1], reverse=True)
        return [Entry(name, seconds, seconds / busy) for name, seconds in ranked[:top]]

    interesting = {
        k: v for k, v in inclusive.items()
        if "newscrawl/" in k or "bench/" in k or "parsel" in k or "lxml" in k or "sqlalchemy" in k
    }  # fmt: skip
    return Summary(total, idle, entries(self_time), entries(interesting))


def render(summary: Summary, top: int = 15) -> str:
    """Markdown tables of the two views."""
    lines = [
        (f"profiled wall time {summary.total_s:.1f} s, of which event-loop idle "
        f"{summary.idle_s:.1f} s; shares below are of the busy {summary.busy_s:.1f} s"),
        "",
        "| self | share | function |",
        "|---:|---:|---|",
    ]
    lines += [f"| {e.seconds:.2f} s | {100 * e.share:.1f} % | `{e.name}` |" for e in summary.self_top[:top]]
    lines += [
        "",
        "| inclusive (newscrawl, parsel, lxml, SQLAlchemy frames) | share | function |",
        "|---:|---:|---|",
    ]
    lines += [
        f"| {e.seconds:.2f} s | {100 * e.share:.1f} % | `{e.name}` |" for e in summary.inclusive_top[:top]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description="Summarise a saved pyinstrument session.")
    cli.add_argument("session", type=Path)
    cli.add_argument("--top", type=int, default=20)
    args = cli.parse_args(argv)
    print(render(summarise(args.session, args.top), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
